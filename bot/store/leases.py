"""Leases: who is working on a piece of work, and until when, so replicas never do it twice.

A lease is taken with one conditional UPDATE that also returns the rows (PostgreSQL skips rows another
replica has locked), renewed by its holder while the work runs, and taken over only once it has expired.
A holder on this same machine that no longer runs (a crash, a restart) has let go at once.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from bot.store.database import Database, iso

LEASE = timedelta(seconds=60)
"""How long work stays with a replica that stops renewing it (renewed every third of it)."""
LEASED_TABLES = ("operations", "bulk_runs")


class LeaseQueries(Database):
    def lease_until(self) -> str:
        return iso(self.clock.now() + LEASE)

    def renew_leases(self) -> int:
        """Extend every lease this process holds (operations, bulk runs, claimed reminders)."""
        until, count = self.lease_until(), 0
        with self.transaction():
            for table in LEASED_TABLES:
                count += self._write(f"UPDATE {table} SET lease_until = :until WHERE lease_owner = :me",
                                     until=until, me=self.owner)
            count += self._write("UPDATE reminders SET lease_until = :until WHERE claimed_by = :me "
                                 "AND status = 'claimed'", until=until, me=self.owner)
        return count

    def release_leases(self) -> None:
        """On a clean stop: what this process still holds may be taken over at once."""
        with self.transaction():
            for table in LEASED_TABLES:
                self._write(f"UPDATE {table} SET lease_until = NULL, lease_owner = NULL WHERE lease_owner = :me",
                            me=self.owner)
            self._write("UPDATE reminders SET status = 'pending', claimed_by = NULL, lease_until = NULL "
                        "WHERE claimed_by = :me AND status = 'claimed'", me=self.owner)

    def gone_owners(self, column: str, table: str) -> list[str]:
        """Holders of leases in `table` that were processes on this machine and no longer run."""
        prefix = f"{socket.gethostname()}:"
        owners = [row["owner"] for row in self._all(
            f"SELECT DISTINCT {column} AS owner FROM {table} WHERE {column} LIKE :prefix", prefix=prefix + "%")]
        return [owner for owner in owners if owner != self.owner and not _running(owner.split(":")[1])]

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
