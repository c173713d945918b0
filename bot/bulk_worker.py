"""A bulk run's rows are read, checked and stored in a worker process.

Five thousand rows are about a second of Python. In the bot's own process, even on a thread, that second
holds the interpreter lock in 5 ms slices and ends in a garbage collection that pauses every thread for tens
of milliseconds, so every rep's click waits behind one bulk import. In a worker process the event loop only waits
for a small answer: which leads and mentions to look up, then how many rows are valid and why the others
are not. The worker is started on first use and kept; it holds no state between calls.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from bot.bulk_rows import (
    Checked,
    Directory,
    RawRow,
    RowError,
    check,
    lead_keys,
    mention_ids,
    parse_csv,
    parse_pasted,
)
from bot.clock import SystemClock
from bot.crm.leadsquared_models import TaskCreate, reference, with_ref
from bot.store import Store

Source = str | bytes
"""Pasted lines, or a CSV file's bytes."""

T = TypeVar("T")


@dataclass(frozen=True)
class RowKeys:
    """What must be looked up before the rows can be checked."""

    leads: set[str]
    mentions: set[str]


@dataclass(frozen=True)
class StoredRows:
    valid: int
    invalid: list[RowError]


def rows_of(source: Source) -> list[RawRow]:
    return parse_csv(source) if isinstance(source, bytes) else parse_pasted(source)


def keys_of(source: Source) -> RowKeys:
    """Runs in the worker. Raises RowsRefused for input the bot will not read."""
    rows = rows_of(source)
    return RowKeys(lead_keys(rows), mention_ids(rows))


def check_and_store(database_url: str, run_id: int, secret: str, source: Source, directory: Directory,
                    now: datetime, tz: str, day_first: bool | None) -> StoredRows:
    """Runs in the worker: every row checked against `directory` and stored under the run, valid or not."""
    rows = rows_of(source)
    checked = check(rows, directory, now, tz, day_first)
    store = Store(database_url, SystemClock(), migrate=False)
    try:
        store.add_bulk_rows(records(run_id, secret, rows, checked))
    finally:
        store.close()
    return StoredRows(len(checked.valid), checked.invalid)


def records(run_id: int, secret: str, rows: list[RawRow], checked: Checked) -> list[dict[str, Any]]:
    """The run's rows as stored: each valid one with the task it becomes, each invalid one with why."""
    by_row = {row.number: row for row in rows}
    reasons: dict[int, list[str]] = defaultdict(list)
    for error in checked.invalid:
        reasons[error.number].append(f"{error.column}: {error.reason}")
    stored = [{"run_id": run_id, "row_number": row.number, "status": "valid", "payload": {
               "task": _with_row_ref(task, secret, row.number).body(), "values": row.values, "source": row.source}}
              for row, task in checked.valid]
    stored += [{"run_id": run_id, "row_number": number, "status": "invalid", "error": "; ".join(why),
                "payload": {"values": by_row[number].values, "source": by_row[number].source}}
               for number, why in reasons.items()]
    return stored


def _with_row_ref(task: TaskCreate, secret: str, row_number: int) -> TaskCreate:
    """The row's task with its own reference line, the exact mark it is read back by."""
    ref = reference(f"bulk:{secret}:{row_number}")
    return task.model_copy(update={"Description": with_ref(task.Description, ref)})


class Worker:
    """One worker process for the whole bot, started on first use (spawned: the bot's threads are not
    copied into it), started again if it dies, and joined when the interpreter exits."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        pool = self._executor()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise


worker = Worker()
