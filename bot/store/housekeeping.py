"""What keeps the store small and observable: Slack request keys, retention and the figures for /metrics."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.bulk import FINISHED_RUN
from bot.store.database import Database, iso


class HousekeepingQueries(Database):
    def first_time(self, key: str) -> bool:
        """Remember `key`; False when it was already remembered (a Slack retry or a double submit, on any
        replica)."""
        return self._write("INSERT INTO seen (key, at) VALUES (:key, :at) ON CONFLICT (key) DO NOTHING", key=key,
                           at=self.now()) == 1

    def forget_seen_before(self, cutoff: timedelta) -> int:
        return self._write("DELETE FROM seen WHERE at < :cutoff", cutoff=iso(self.clock.now() - cutoff))

    def prune(self, older_than: timedelta) -> dict[str, int]:
        """Delete finished work older than the cutoff: request keys, finished CRM writes, reminders that
        were sent, cancelled or skipped, and finished bulk runs with their rows. Open work is never touched."""
        cutoff = iso(self.clock.now() - older_than)
        removed = {"seen": self.forget_seen_before(older_than)}
        finished = "SELECT id FROM bulk_runs WHERE status IN :finished AND updated_at < :cutoff"
        with self.transaction():
            removed["operations"] = self._write(
                "DELETE FROM operations WHERE status IN ('done', 'replaced', 'failed') AND updated_at < :cutoff",
                cutoff=cutoff)
            removed["reminders"] = self._write(
                "DELETE FROM reminders WHERE status IN ('sent', 'cancelled', 'skipped') AND fire_at < :cutoff",
                cutoff=cutoff)
            for table in ("bulk_rows", "bulk_results"):
                removed[table] = self._write(f"DELETE FROM {table} WHERE run_id IN ({finished})",
                                             expanding=("finished",), finished=list(FINISHED_RUN), cutoff=cutoff)
            removed["bulk_runs"] = self._write(f"DELETE FROM bulk_runs WHERE id IN ({finished})",
                                               expanding=("finished",), finished=list(FINISHED_RUN), cutoff=cutoff)
        return removed

    def count_by_status(self, table: str) -> list[tuple[str, int]]:
        assert table in ("operations", "reminders", "bulk_runs")
        return [(row["status"], int(row["count"])) for row in
                self._all(f"SELECT status, COUNT(*) AS count FROM {table} GROUP BY status")]

    def reminder_lateness(self) -> tuple[float, float]:
        """Seconds: the latest reminder sent in the past hour was this late; the oldest still waiting past
        its time is this late (0 when none)."""
        now = self.clock.now()
        sent = self._all("SELECT fire_at, sent_at FROM reminders WHERE status = 'sent' AND sent_at >= :since",
                         since=iso(now - timedelta(hours=1)))
        latest = max(((datetime.fromisoformat(row["sent_at"]) - datetime.fromisoformat(row["fire_at"])).total_seconds()
                      for row in sent), default=0.0)
        oldest = self._scalar("SELECT MIN(fire_at) FROM reminders WHERE status IN ('pending', 'claimed') "
                              "AND fire_at < :now", now=iso(now))
        waiting = (now - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0.0
        return max(0.0, latest), waiting
