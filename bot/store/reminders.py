"""Reminders and the daily digest: planned per task, claimed in batches with a lease, each sent once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.database import Database, iso, parse_iso
from bot.store.leases import LeaseQueries

DEALT_WITH = ("claimed", "sent", "failed", "skipped", "skipped-listed")


class ReminderQueries(LeaseQueries, Database):
    def reminder(self, reminder_id: int) -> dict | None:
        return self._one("SELECT * FROM reminders WHERE id = :id", id=reminder_id)

    def add_reminder(self, task_id: int, fire_at: datetime, kind: str, basis: tuple[str, str]) -> None:
        self._write("INSERT INTO reminders (task_id, fire_at, kind, due_utc, owner_slack_id) "
                    "VALUES (:task_id, :fire_at, :kind, :due, :owner)",
                    task_id=task_id, fire_at=iso(fire_at), kind=kind, due=basis[0], owner=basis[1])

    def cancel_replanned_reminders(self, task_id: int, basis: tuple[str, str], snooze: str) -> None:
        """A task's due time or owner changed: what is pending is planned afresh, but a snooze for the same
        due time and owner stands."""
        differs = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        self._write("UPDATE reminders SET status = 'cancelled' WHERE task_id = :task_id AND status = 'pending' "
                    f"AND (kind != :snooze OR due_utc {differs} :due OR owner_slack_id {differs} :owner)",
                    task_id=task_id, snooze=snooze, due=basis[0], owner=basis[1])

    def cancel_pending_reminders(self, task_id: int, kinds: tuple[str, ...]) -> None:
        self._write("UPDATE reminders SET status = 'cancelled' WHERE task_id = :task_id AND status = 'pending' "
                    "AND kind IN :kinds", expanding=("kinds",), task_id=task_id, kinds=list(kinds))

    def reminder_dealt_with(self, task_id: int, kind: str, basis: tuple[str, str]) -> bool:
        """Whether this reminder was already sent (or otherwise dealt with) for the same due time and owner."""
        return self._one("SELECT 1 FROM reminders WHERE task_id = :task_id AND kind = :kind AND due_utc = :due "
                         "AND owner_slack_id = :owner AND status IN :dealt", expanding=("dealt",), task_id=task_id,
                         kind=kind, due=basis[0], owner=basis[1], dealt=list(DEALT_WITH)) is not None

    def pending_reminders(self, task_id: int | None = None) -> list[dict]:
        if task_id is None:
            return self._all("SELECT * FROM reminders WHERE status = 'pending' ORDER BY fire_at")
        return self._all("SELECT * FROM reminders WHERE status = 'pending' AND task_id = :task_id ORDER BY fire_at",
                         task_id=task_id)

    def claim_due_reminders(self, limit: int) -> list[int]:
        """Take up to `limit` reminders whose time has come, oldest first, leased to this process; claims of
        a holder that stopped (or from before leases existed) go back to pending first."""
        now = self.now()
        gone = self.gone_owners("claimed_by", "reminders") or [""]
        with self.transaction():
            self._write("UPDATE reminders SET status = 'pending', claimed_by = NULL, lease_until = NULL "
                        "WHERE status = 'claimed' AND (lease_until IS NULL OR lease_until < :now OR claimed_by IN :gone)",
                        expanding=("gone",), now=now, gone=gone)
            return [row["id"] for row in self._all(
                "UPDATE reminders SET status = 'claimed', claimed_by = :me, claimed_at = :now, lease_until = :until "
                "WHERE id IN (SELECT id FROM reminders WHERE status = 'pending' AND coalesce(retry_at, fire_at) <= :now "
                "ORDER BY fire_at LIMIT :limit" + self.skip_locked() + ") AND status = 'pending' RETURNING id",
                me=self.owner, now=now, until=self.lease_until(), limit=limit)]

    def still_claimed(self, reminder_id: int) -> bool:
        """Renew this process's claim right before the DM goes out; False when it ran out and another replica
        may have taken the reminder (then this one is not sent)."""
        return self._write("UPDATE reminders SET lease_until = :until WHERE id = :id AND status = 'claimed' "
                           "AND claimed_by = :me AND lease_until >= :now", until=self.lease_until(), id=reminder_id,
                           me=self.owner, now=self.now()) == 1

    def finish_reminder(self, reminder_id: int, status: str, error: str | None = None) -> None:
        self._write("UPDATE reminders SET status = :status, error = coalesce(:error, error), lease_until = NULL "
                    "WHERE id = :id", status=status, error=error, id=reminder_id)

    def reminder_sent(self, reminder_id: int, channel: str, ts: str) -> None:
        self._write("UPDATE reminders SET status = 'sent', sent_at = :now, dm_channel = :channel, dm_ts = :ts, "
                    "lease_until = NULL WHERE id = :id", now=self.now(), channel=channel, ts=ts, id=reminder_id)

    def retry_reminder(self, reminder_id: int, waits: tuple[float, ...], reason: str) -> float:
        """Back to pending, to be tried after the next wait of `waits`; returns that wait in seconds."""
        attempts = int(self._scalar("SELECT attempts FROM reminders WHERE id = :id", id=reminder_id) or 0)
        wait = waits[min(attempts, len(waits) - 1)]
        self._write("UPDATE reminders SET status = 'pending', claimed_by = NULL, lease_until = NULL, "
                    "attempts = attempts + 1, retry_at = :retry_at, error = :reason WHERE id = :id",
                    retry_at=iso(self.clock.now() + timedelta(seconds=wait)), reason=reason, id=reminder_id)
        return wait

    def next_reminder_at(self) -> datetime | None:
        return parse_iso(self._scalar("SELECT MIN(coalesce(retry_at, fire_at)) FROM reminders "
                                      "WHERE status = 'pending'"))

    # ----- the digest ---------------------------------------------------------------------------

    def digest_subscribers(self) -> list[str]:
        return [row["slack_id"] for row in self._all("SELECT slack_id FROM users WHERE digest_enabled = 1")]

    def claim_digest(self, slack_id: str, day: str) -> bool:
        """This person's digest for `day` (their local date) is this process's to send; False when it was
        already sent today, by any replica."""
        return self._write("UPDATE users SET digest_last_sent = :day WHERE slack_id = :slack_id "
                           "AND (digest_last_sent IS NULL OR digest_last_sent != :day)", day=day,
                           slack_id=slack_id) == 1

    def take_missed_reminders(self, slack_id: str) -> list[str]:
        """Titles of this person's reminders skipped as too late, now listed in a digest (so only once)."""
        with self.transaction():
            rows = self._all("UPDATE reminders SET status = 'skipped-listed' WHERE status = 'skipped' AND task_id IN "
                             "(SELECT id FROM tasks WHERE owner_slack_id = :owner) RETURNING task_id", owner=slack_id)
            ids = sorted({row["task_id"] for row in rows}) or [0]
            return [row["title"] for row in self._all("SELECT title FROM tasks WHERE id IN :ids ORDER BY id",
                                                      expanding=("ids",), ids=ids)]
