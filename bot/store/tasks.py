"""Tasks and meetings the bot created or adopted, and what a modal keeps beyond its private_metadata."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from bot.store.database import Database, iso, parse_iso

MODAL_STATE_KEPT = timedelta(days=7)


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    fields = {key: (iso(value) if isinstance(value, datetime) else value) for key, value in fields.items()}
    if isinstance(fields.get("details"), dict):
        fields["details"] = json.dumps(fields["details"])
    return fields


def _task_row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["details"] = json.loads(row.get("details") or "{}")
    row["due_utc"] = parse_iso(row.get("due_utc"))
    row["end_utc"] = parse_iso(row.get("end_utc"))
    return row


class TaskQueries(Database):
    def add_task(self, **fields: object) -> int:
        """Record a task; the id of the one already recorded for the same CRM record, if any."""
        now = self.now()
        values = {**_stored(fields), "created_at": now, "updated_at": now}
        columns = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        inserted = self._scalar(f"INSERT INTO tasks ({columns}) VALUES ({marks}) "
                                "ON CONFLICT (backend, crm_id) DO NOTHING RETURNING id", **values)
        if inserted is not None:
            return int(inserted)
        return int(self._scalar("SELECT id FROM tasks WHERE backend = :backend AND crm_id = :crm_id",
                                backend=fields["backend"], crm_id=fields["crm_id"]))

    def update_task(self, task_id: int, **changes: object) -> None:
        self._update("tasks", "id", task_id, {**_stored(changes), "updated_at": self.now()})

    def task(self, task_id: int) -> dict | None:
        row = self._one("SELECT * FROM tasks WHERE id = :id", id=task_id)
        return _task_row(row) if row else None

    def task_by_crm_id(self, backend: str, crm_id: str) -> dict | None:
        row = self._one("SELECT * FROM tasks WHERE backend = :backend AND crm_id = :crm_id", backend=backend,
                        crm_id=crm_id)
        return _task_row(row) if row else None

    def task_by_confirmation(self, channel_id: str, ts: str) -> dict | None:
        row = self._one("SELECT * FROM tasks WHERE channel_id = :channel AND confirmation_ts = :ts",
                        channel=channel_id, ts=ts)
        return _task_row(row) if row else None

    def keep_modal_state(self, data: dict, key: str | None = None) -> str:
        """Keep (or replace, under `key`) what a modal must remember but private_metadata (3,000 characters)
        cannot hold; returns its key."""
        key = key or secrets.token_urlsafe(12)
        now = self.clock.now()
        with self.transaction():
            self._write("DELETE FROM modal_state WHERE created_at < :cutoff", cutoff=iso(now - MODAL_STATE_KEPT))
            self._write("INSERT INTO modal_state (key, data, created_at) VALUES (:key, :data, :now) "
                        "ON CONFLICT (key) DO UPDATE SET data = excluded.data, created_at = excluded.created_at",
                        key=key, data=json.dumps(data), now=iso(now))
        return key

    def modal_state(self, key: str | None) -> dict:
        data = self._scalar("SELECT data FROM modal_state WHERE key = :key", key=key) if key else None
        return json.loads(data) if data else {}
