"""Bulk rows are read, checked and stored in a worker process, so the bot's own loop keeps answering."""

import asyncio
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from bot import bulk_worker
from bot.bulk_rows import TooManyRows
from bot.bulk_worker import Worker, keys_of
from bot.sandbox.stack import SandboxStack
from tests.slack_helpers import words


def test_the_work_runs_in_another_process():
    assert asyncio.run(Worker().run(os.getpid)) != os.getpid()


def test_a_refusal_comes_back_with_its_reason():
    worker = Worker()
    with pytest.raises(TooManyRows, match="5,001 rows: at most 5,000"):
        asyncio.run(worker.run(keys_of, "call | tmrw | maria@acme.test\n" * 5001))
    keys = asyncio.run(worker.run(keys_of, "call | tmrw | <@UDEV|dev> | priya@acme.test\n"))
    assert keys.leads == {"priya@acme.test"} and keys.mentions == {"UDEV"}


def test_a_worker_that_died_is_replaced():
    worker = Worker()
    first = asyncio.run(worker.run(os.getpid))
    with pytest.raises(BrokenProcessPool):
        asyncio.run(worker.run(os._exit, 3))
    second = asyncio.run(worker.run(os.getpid))
    assert second not in (first, os.getpid())


def test_a_checker_that_stops_is_told_and_the_rep_can_run_it_again(stack: SandboxStack, monkeypatch):
    async def stopped(*_args):
        raise BrokenProcessPool("killed")

    ops = stack.user("UOPS")
    monkeypatch.setattr(bulk_worker.worker, "run", stopped)
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    ops.submit(bulk_lines="call Priya | tmrw 3pm | maria@acme-sales.test")
    note = ops.wait_for_dm(lambda m: m.text.startswith("The row checker stopped"))
    assert "Run /bulktasks again" in words(note.blocks)
    monkeypatch.undo()
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    ops.submit(bulk_lines="call Priya | tmrw 3pm | maria@acme-sales.test")
    assert "1 valid row" in ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked")).text
