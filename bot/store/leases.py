"""Leases: who is working on a piece of work, and until when, so replicas never do it twice.

Work is taken with a conditional UPDATE (PostgreSQL skips rows another replica has locked), held only
while a coroutine works on it (renewed meanwhile, let go when it stops, whatever the outcome), and taken
over by anyone once its lease has run out. A holder that was a process in this same machine and pid
namespace and no longer runs (a crash, a restart) has let go at once.
"""

from __future__ import annotations

import os
from datetime import timedelta

from bot.store.database import Database, iso, machine

LEASE = timedelta(seconds=60)
"""How long work stays with a replica that stops renewing it (renewed every third of it)."""
LEASED_TABLES = ("operations", "bulk_runs")
HELD = {"operations": "status IN ('pending', 'sending', 'created', 'failing', 'verifying')",
        "bulk_runs": "status = 'running'", "reminders": "status = 'claimed'", "crm_slots": "holder IS NOT NULL"}
"""Where a lease can still matter: rows at rest are never taken over, so their holders are not looked at."""


class LeaseQueries(Database):
    def lease_until(self) -> str:
        return iso(self.clock.now() + LEASE)

    def renew_leases(self) -> int:
        """Extend every lease this process holds (operations, bulk runs, claimed reminders): only work a
        coroutine is on, since each lets go when it stops."""
        until, count = self.lease_until(), 0
        with self.transaction():
            for table in LEASED_TABLES:
                count += self._write(f"UPDATE {table} SET lease_until = :until WHERE lease_owner = :me",
                                     until=until, me=self.owner)
            count += self._write("UPDATE reminders SET lease_until = :until WHERE claimed_by = :me "
                                 "AND status = 'claimed'", until=until, me=self.owner)
        return count

    def release_leases(self) -> None:
        """On a clean stop with nothing in flight: what this process still holds may be taken over at once."""
        with self.transaction():
            for table in LEASED_TABLES:
                self._write(f"UPDATE {table} SET lease_until = NULL, lease_owner = NULL WHERE lease_owner = :me",
                            me=self.owner)
            self._write("UPDATE reminders SET status = 'pending', claimed_by = NULL, lease_until = NULL "
                        "WHERE claimed_by = :me AND status = 'claimed'", me=self.owner)

    def let_go(self, table: str, row_id: int) -> None:
        """Stop holding one operation or bulk run (its work ended, or broke off): if it is not at rest, the
        next resume, here or on any replica, takes it up."""
        assert table in LEASED_TABLES
        self._write(f"UPDATE {table} SET lease_owner = NULL, lease_until = NULL WHERE id = :id AND lease_owner = :me",
                    id=row_id, me=self.owner)

    def gone_owners(self, column: str, table: str) -> list[str]:
        """Holders of live leases in `table` that were processes in this machine and pid namespace and no
        longer run."""
        here = machine()
        owners = [row["owner"] for row in self._all(
            f"SELECT DISTINCT {column} AS owner FROM {table} WHERE {HELD[table]} AND {column} IS NOT NULL")]
        gone = []
        for owner in owners:
            place, _, rest = owner.partition(":")
            pid = rest.partition(":")[0]
            if owner != self.owner and place == here and not _running(pid):
                gone.append(owner)
        return gone

    def skip_locked(self) -> str:
        return " FOR UPDATE SKIP LOCKED" if self.postgres else ""


def _running(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
