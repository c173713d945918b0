"""The SQLite file: schema, migrations and the few queries the services share.

One file in WAL mode holds everything that must survive a restart: people, tasks, the outbox of CRM
writes, reminders, bulk runs and the keys of Slack requests already handled.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
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
            ghl_user_id TEXT,
            email_override TEXT,
            reminder_appt_minutes INTEGER,
            reminder_todo_time TEXT,
            digest_enabled INTEGER NOT NULL DEFAULT 0,
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
            sent_at TEXT
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
            error TEXT
        );
        CREATE INDEX bulk_rows_run ON bulk_rows (run_id, chunk);
        CREATE TABLE seen (
            key TEXT PRIMARY KEY,
            at TEXT NOT NULL
        );
        """
    )


MIGRATIONS: list[Migration] = [_initial_schema]


def iso(instant: datetime) -> str:
    """Instants are stored as sortable UTC ISO text."""
    return instant.astimezone(UTC).isoformat(timespec="seconds")


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
            with self.db.conn:
                self.db.execute("BEGIN IMMEDIATE")
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {version}")

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
