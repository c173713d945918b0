"""The SQLite file: versioned migrations and the de-duplication keys."""

import sqlite3
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.store import MIGRATIONS, Store


def test_a_new_file_gets_every_migration_and_reopening_changes_nothing(tmp_path):
    clock = ManualClock(datetime(2025, 3, 4, tzinfo=UTC))
    store = Store(tmp_path / "t.db", clock)
    assert store.schema_version == len(MIGRATIONS)
    assert {"users", "tasks", "operations", "reminders", "bulk_runs", "bulk_rows", "seen"} <= set(
        store.db.table_names())
    store.close()
    again = Store(tmp_path / "t.db", clock)
    assert again.schema_version == len(MIGRATIONS)
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_old_file_upgrades_in_place_keeping_its_rows(tmp_path):
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE keep_me (x INTEGER)")
    connection.execute("INSERT INTO keep_me VALUES (42)")
    connection.commit()
    connection.close()
    store = Store(path, ManualClock(datetime(2025, 3, 4, tzinfo=UTC)))
    assert store.schema_version == len(MIGRATIONS)
    assert store.db.execute("SELECT x FROM keep_me").fetchone()[0] == 42


def test_first_time_is_true_once_per_key_and_old_keys_are_forgotten(tmp_path):
    clock = ManualClock(datetime(2025, 3, 4, tzinfo=UTC))
    store = Store(tmp_path / "t.db", clock)
    assert store.first_time("trigger:1") is True
    assert store.first_time("trigger:1") is False
    clock.advance(timedelta(days=2))
    store.first_time("trigger:2")
    assert store.forget_seen_before(timedelta(days=1)) == 1
    assert store.first_time("trigger:1") is True
