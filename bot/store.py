"""The SQLite file: schema, migrations and the few queries the services share.

One file in WAL mode holds everything that must survive a restart: people, tasks, the outbox of CRM
writes, reminders, bulk runs and the keys of Slack requests already handled.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from bot.clock import Clock

Migration = Callable[[sqlite_utils.Database], None]


def _initial_schema(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE users (
            slack_id TEXT PRIMARY KEY,
            team_id TEXT,
            name TEXT,
            tz TEXT,
            email TEXT,
            lsq_user_id TEXT,
            lsq_email TEXT,
            lsq_name TEXT,
            ghl_user_id TEXT,
            email_override TEXT,
            reminder_appt_minutes INTEGER,
            reminder_todo_time TEXT,
            digest_enabled INTEGER NOT NULL DEFAULT 0,
            home_seen INTEGER NOT NULL DEFAULT 0,
            digest_last_sent TEXT,
            refreshed_at TEXT
        );
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            backend TEXT NOT NULL,
            crm_id TEXT,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            due_utc TEXT,
            end_utc TEXT,
            owner_slack_id TEXT,
            creator_slack_id TEXT,
            lead_id TEXT,
            lead_name TEXT,
            channel_id TEXT,
            confirmation_ts TEXT,
            thread_ts TEXT,
            status TEXT NOT NULL DEFAULT 'open',
            details TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (backend, crm_id)
        );
        CREATE TABLE operations (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            crm_id TEXT,
            error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX operations_status ON operations (status);
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            task_id INTEGER NOT NULL REFERENCES tasks (id),
            fire_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            claimed_by TEXT,
            claimed_at TEXT,
            sent_at TEXT,
            dm_channel TEXT,
            dm_ts TEXT
        );
        CREATE INDEX reminders_due ON reminders (status, fire_at);
        CREATE TABLE bulk_runs (
            id INTEGER PRIMARY KEY,
            submitter_slack_id TEXT NOT NULL,
            channel_id TEXT,
            progress_ts TEXT,
            status TEXT NOT NULL,
            secret TEXT NOT NULL,
            total INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE bulk_rows (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES bulk_runs (id),
            row_number INTEGER NOT NULL,
            chunk INTEGER,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            crm_id TEXT,
            request_id TEXT,
            error TEXT
        );
        CREATE INDEX bulk_rows_run ON bulk_rows (run_id, chunk);
        CREATE TABLE seen (
            key TEXT PRIMARY KEY,
            at TEXT NOT NULL
        );
        """
    )


def _bulk_runs_keep_their_paste(db: sqlite_utils.Database) -> None:
    """"Fix first" reopens the form with what was pasted, so nothing has to be pasted again."""
    db.execute("ALTER TABLE bulk_runs ADD COLUMN pasted TEXT")


def _reminder_basis_and_modal_state(db: sqlite_utils.Database) -> None:
    """Reminders remember the due time and owner they were planned for (so one already sent is not sent
    again for the same ones) and how often delivery failed; modals keep what outgrows private_metadata."""
    db.executescript(
        """
        ALTER TABLE reminders ADD COLUMN due_utc TEXT;
        ALTER TABLE reminders ADD COLUMN owner_slack_id TEXT;
        ALTER TABLE reminders ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE reminders ADD COLUMN retry_at TEXT;
        ALTER TABLE reminders ADD COLUMN error TEXT;
        UPDATE reminders SET due_utc = (SELECT due_utc FROM tasks WHERE tasks.id = reminders.task_id),
                             owner_slack_id = (SELECT owner_slack_id FROM tasks WHERE tasks.id = reminders.task_id);
        CREATE TABLE modal_state (
            key TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


def _guests(db: sqlite_utils.Database) -> None:
    """Guests may not search or create: remembered from their Slack profile like their zone."""
    db.execute("ALTER TABLE users ADD COLUMN guest INTEGER NOT NULL DEFAULT 0")


def _date_order(db: sqlite_utils.Database) -> None:
    """How a person writes numeric dates (MDY or DMY); NULL follows the workspace, then their zone."""
    db.execute("ALTER TABLE users ADD COLUMN date_order TEXT")


MIGRATIONS: list[Migration] = [_initial_schema, _bulk_runs_keep_their_paste, _reminder_basis_and_modal_state, _guests,
                               _date_order]
MODAL_STATE_KEPT = timedelta(days=7)


def iso(instant: datetime) -> str:
    """Instants are stored as sortable UTC ISO text."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Store:
    """Owns the connection; every query the services need goes through here."""

    def __init__(self, path: Path | str, clock: Clock):
        self.path = Path(path)
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(connection)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply each migration newer than the file's `user_version`, so old files upgrade in place."""
        for version, migration in enumerate(MIGRATIONS, start=1):
            if version <= self.schema_version:
                continue
            with self.transaction():
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All of the block's writes or none of them (the connection autocommits otherwise)."""
        with self.db.conn:
            self.db.execute("BEGIN IMMEDIATE")
            yield

    def close(self) -> None:
        self.db.close()

    def healthy(self) -> bool:
        try:
            self.db.execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def first_time(self, key: str) -> bool:
        """Remember `key`; False when it was already remembered (a Slack retry or a double submit)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO seen (key, at) VALUES (?, ?)", [key, iso(self.clock.now())]
        )
        return cursor.rowcount == 1

    def forget_seen_before(self, cutoff: timedelta) -> int:
        cursor = self.db.execute("DELETE FROM seen WHERE at < ?", [iso(self.clock.now() - cutoff)])
        return cursor.rowcount

    def running_bulk_run(self, slack_id: str) -> int | None:
        row = self.db.execute("SELECT id FROM bulk_runs WHERE submitter_slack_id = ? AND status = 'running'",
                              [slack_id]).fetchone()
        return int(row[0]) if row else None

    # ----- retention and metrics ----------------------------------------------------------------

    def prune(self, older_than: timedelta) -> dict[str, int]:
        """Delete finished work older than the cutoff: request keys, finished CRM writes, reminders that
        were sent, cancelled or skipped, and finished bulk runs with their rows. Open work is never touched."""
        cutoff = iso(self.clock.now() - older_than)
        removed = {"seen": self.forget_seen_before(older_than)}
        with self.db.conn:
            removed["operations"] = self.db.execute(
                "DELETE FROM operations WHERE status IN ('done', 'replaced', 'failed') AND updated_at < ?",
                [cutoff]).rowcount
            removed["reminders"] = self.db.execute(
                "DELETE FROM reminders WHERE status IN ('sent', 'cancelled', 'skipped') AND fire_at < ?",
                [cutoff]).rowcount
            finished = "SELECT id FROM bulk_runs WHERE status IN ('done', 'cancelled', 'checked') AND updated_at < ?"
            removed["bulk_rows"] = self.db.execute(f"DELETE FROM bulk_rows WHERE run_id IN ({finished})",
                                                   [cutoff]).rowcount
            removed["bulk_runs"] = self.db.execute(f"DELETE FROM bulk_runs WHERE id IN ({finished})",
                                                   [cutoff]).rowcount
        return removed

    def count_by_status(self, table: str) -> list[tuple[str, int]]:
        assert table in ("operations", "reminders", "bulk_runs")
        return [(row[0], int(row[1])) for row in
                self.db.execute(f"SELECT status, COUNT(*) FROM {table} GROUP BY status")]

    def reminder_lateness(self) -> tuple[float, float]:
        """Seconds: the latest reminder sent in the past hour was this late; the oldest still waiting past
        its time is this late (0 when none)."""
        now = self.clock.now()
        sent = self.db.execute("SELECT MAX(julianday(sent_at) - julianday(fire_at)) FROM reminders "
                               "WHERE status = 'sent' AND sent_at >= ?", [iso(now - timedelta(hours=1))]).fetchone()[0]
        oldest = self.db.execute("SELECT MIN(fire_at) FROM reminders WHERE status IN ('pending', 'claimed') "
                                 "AND fire_at < ?", [iso(now)]).fetchone()[0]
        waiting = (now - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0.0
        return max(0.0, (sent or 0.0) * 86400), waiting

    # ----- the outbox ---------------------------------------------------------------------------

    def add_operation(self, kind: str, key: str, payload: dict) -> tuple[int, bool]:
        """Store a CRM write before it is sent; (id, True) if new, (existing id, False) if the key was seen."""
        now = iso(self.clock.now())
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO operations (kind, idempotency_key, payload, status, created_at, updated_at) "
            "VALUES (?, ?, ?, 'pending', ?, ?)", [kind, key, json.dumps(payload), now, now])
        if cursor.rowcount == 1:
            return int(cursor.lastrowid), True
        row = self.db.execute("SELECT id FROM operations WHERE idempotency_key = ?", [key]).fetchone()
        return int(row[0]), False

    def operation(self, operation_id: int) -> dict | None:
        rows = list(self.db["operations"].rows_where("id = ?", [operation_id]))
        if not rows:
            return None
        row = rows[0]
        row["payload"] = json.loads(row["payload"])
        return row

    def update_operation(self, operation_id: int, **changes: object) -> None:
        if "payload" in changes:
            changes["payload"] = json.dumps(changes["payload"])
        changes["updated_at"] = iso(self.clock.now())
        self.db["operations"].update(operation_id, changes)

    def claim_operation(self, operation_id: int, from_statuses: tuple[str, ...], to_status: str) -> bool:
        """Move an operation between states only if nobody else already did (a double click, a restart)."""
        marks = ",".join("?" * len(from_statuses))
        cursor = self.db.execute(
            f"UPDATE operations SET status = ?, attempts = attempts + 1, updated_at = ? "
            f"WHERE id = ? AND status IN ({marks})", [to_status, iso(self.clock.now()), operation_id, *from_statuses])
        return cursor.rowcount == 1

    def unfinished_operations(self) -> list[int]:
        return [row[0] for row in self.db.execute(
            "SELECT id FROM operations WHERE status IN ('pending', 'sending', 'created', 'failing', 'verifying') "
            "ORDER BY id")]

    # ----- modal state ----------------------------------------------------------------------------

    def keep_modal_state(self, data: dict, key: str | None = None) -> str:
        """Keep (or replace, under `key`) what a modal must remember but private_metadata (3,000
        characters) cannot hold; returns its key."""
        key = key or secrets.token_urlsafe(12)
        now = self.clock.now()
        self.db.execute("DELETE FROM modal_state WHERE created_at < ?", [iso(now - MODAL_STATE_KEPT)])
        self.db.execute("INSERT OR REPLACE INTO modal_state (key, data, created_at) VALUES (?, ?, ?)",
                        [key, json.dumps(data), iso(now)])
        return key

    def modal_state(self, key: str | None) -> dict:
        row = self.db.execute("SELECT data FROM modal_state WHERE key = ?", [key]).fetchone() if key else None
        return json.loads(row[0]) if row else {}

    # ----- tasks --------------------------------------------------------------------------------

    def add_task(self, **fields: object) -> int:
        now = iso(self.clock.now())
        fields = {key: (iso(value) if isinstance(value, datetime) else value) for key, value in fields.items()}
        if isinstance(fields.get("details"), dict):
            fields["details"] = json.dumps(fields["details"])
        existing = self.db.execute("SELECT id FROM tasks WHERE backend = ? AND crm_id = ?",
                                   [fields["backend"], fields["crm_id"]]).fetchone()
        if existing:
            return int(existing[0])
        return int(self.db["tasks"].insert({**fields, "created_at": now, "updated_at": now}).last_pk)

    def update_task(self, task_id: int, **changes: object) -> None:
        changes = {key: (iso(value) if isinstance(value, datetime) else value) for key, value in changes.items()}
        if isinstance(changes.get("details"), dict):
            changes["details"] = json.dumps(changes["details"])
        changes["updated_at"] = iso(self.clock.now())
        self.db["tasks"].update(task_id, changes)

    def reminder(self, reminder_id: int) -> dict | None:
        rows = list(self.db["reminders"].rows_where("id = ?", [reminder_id]))
        return rows[0] if rows else None

    def task(self, task_id: int) -> dict | None:
        rows = list(self.db["tasks"].rows_where("id = ?", [task_id]))
        return _task_row(rows[0]) if rows else None

    def task_by_crm_id(self, backend: str, crm_id: str) -> dict | None:
        rows = list(self.db["tasks"].rows_where("backend = ? AND crm_id = ?", [backend, crm_id]))
        return _task_row(rows[0]) if rows else None

    def task_by_confirmation(self, channel_id: str, ts: str) -> dict | None:
        rows = list(self.db["tasks"].rows_where("channel_id = ? AND confirmation_ts = ?", [channel_id, ts]))
        return _task_row(rows[0]) if rows else None


def _task_row(row: dict) -> dict:
    row = dict(row)
    row["details"] = json.loads(row.get("details") or "{}")
    row["due_utc"] = parse_iso(row.get("due_utc"))
    row["end_utc"] = parse_iso(row.get("end_utc"))
    return row
