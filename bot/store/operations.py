"""The outbox: every CRM write is stored before it is sent, and worked on by one replica at a time."""

from __future__ import annotations

import json

from bot.store.database import Database
from bot.store.leases import LeaseQueries

UNFINISHED = ("pending", "sending", "created", "failing", "verifying")
RESTING = ("done", "failed", "replaced")
"""States no one works on: their lease is let go, so a Retry click is taken by whichever replica gets it."""


def _operation_row(row: dict) -> dict:
    row = dict(row)
    row["payload"] = json.loads(row["payload"])
    return row


class OperationQueries(LeaseQueries, Database):
    def add_operation(self, kind: str, key: str, payload: dict) -> tuple[int, bool]:
        """Store a CRM write before it is sent, leased to this process; (id, True) if new, (existing id,
        False) if the key was seen."""
        now = self.now()
        inserted = self._scalar(
            "INSERT INTO operations (kind, idempotency_key, payload, status, created_at, updated_at, lease_owner, "
            "lease_until) VALUES (:kind, :key, :payload, 'pending', :now, :now, :me, :until) "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            kind=kind, key=key, payload=json.dumps(payload), now=now, me=self.owner, until=self.lease_until())
        if inserted is not None:
            return int(inserted), True
        return int(self._scalar("SELECT id FROM operations WHERE idempotency_key = :key", key=key)), False

    def operation(self, operation_id: int) -> dict | None:
        row = self._one("SELECT * FROM operations WHERE id = :id", id=operation_id)
        return _operation_row(row) if row else None

    def update_operation(self, operation_id: int, **changes: object) -> None:
        if "payload" in changes:
            changes["payload"] = json.dumps(changes["payload"])
        if changes.get("status") in RESTING:
            changes.update(lease_owner=None, lease_until=None)
        self._update("operations", "id", operation_id, {**changes, "updated_at": self.now()})

    def claim_operation(self, operation_id: int, from_statuses: tuple[str, ...], to_status: str) -> bool:
        """Move an operation between states only if nobody else already did (a double click, a restart,
        another replica); this process then holds it, unless it came to rest."""
        resting = to_status in RESTING
        return self._write(
            "UPDATE operations SET status = :to_status, attempts = attempts + 1, updated_at = :now, "
            "lease_owner = :owner, lease_until = :until WHERE id = :id AND status IN :from_statuses "
            "AND (lease_owner IS NULL OR lease_owner = :me OR lease_until < :now)",
            expanding=("from_statuses",), to_status=to_status, now=self.now(), id=operation_id,
            from_statuses=list(from_statuses), me=self.owner, owner=None if resting else self.owner,
            until=None if resting else self.lease_until()) == 1

    def let_go_operation(self, operation_id: int) -> None:
        """This process stops working on it for now: the next lease turn of any replica takes it up again."""
        self._write("UPDATE operations SET lease_owner = NULL, lease_until = NULL WHERE id = :id AND lease_owner = :me",
                    id=operation_id, me=self.owner)

    def take_operation(self, operation_id: int) -> dict | None:
        """Hold an unfinished operation to work on it; None when another replica holds it or it is at rest."""
        row = self._one(
            "UPDATE operations SET lease_owner = :me, lease_until = :until WHERE id = :id AND status IN :unfinished "
            "AND (lease_owner IS NULL OR lease_owner = :me OR lease_until < :now) RETURNING *",
            expanding=("unfinished",), me=self.owner, until=self.lease_until(), id=operation_id,
            unfinished=list(UNFINISHED), now=self.now())
        return _operation_row(row) if row else None

    def take_abandoned_operations(self, limit: int = 200) -> list[dict]:
        """Unfinished operations nobody holds any more (their holder stopped), now held by this process;
        one caught mid-send is marked as maybe sent, so it is looked up before it could be sent again."""
        gone = self.gone_owners("lease_owner", "operations") or [""]
        with self.transaction():
            rows = self._all(
                "SELECT id FROM operations WHERE status IN :unfinished AND (lease_owner IS NULL OR "
                "lease_until < :now OR lease_owner IN :gone) ORDER BY id LIMIT :limit" + self.skip_locked(),
                expanding=("unfinished", "gone"), unfinished=list(UNFINISHED), now=self.now(), gone=gone,
                limit=limit)
            taken = []
            for row in rows:
                self._write("UPDATE operations SET lease_owner = :me, lease_until = :until WHERE id = :id",
                            me=self.owner, until=self.lease_until(), id=row["id"])
                operation = self.operation(row["id"])
                assert operation is not None
                if operation["status"] == "sending":
                    self.update_operation(row["id"], status="pending",
                                          payload={**operation["payload"], "maybe_sent": True})
                    operation = self.operation(row["id"])
                taken.append(operation)
        return taken
