"""CRM rate limits shared by every replica: a row per limiter (the limit in force, any pause) and a row per
slot of its window.

A call holds a slot from send to answer, and the slot stays counted for one window after the answer (the
CRM counts arrivals, and an arrival is never later than its answer), so however many replicas send, the CRM
never sees more than the limit in any window. A taker locks its limiter's row first (a row lock on
PostgreSQL; SQLite's transactions take the write lock at once), so counting the counted slots and taking a
free one is one step for every replica.

While a call runs, its slot reads as answered at the end of the holder's lease: a replica that dies holding
a slot frees it one window after its lease ran out, or at once (counted from now) when it was a process on
this machine that no longer runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.config import RateLimit
from bot.crm.ratelimit import Claim
from bot.store.database import Database, iso, parse_iso
from bot.store.leases import LeaseQueries

RETRY = 0.1
"""Seconds before trying again when no slot could be taken though the count said one could (never expected)."""


class LimitQueries(LeaseQueries, Database):
    _calls = itertools.count(1)

    def join_limit(self, limiter: str, configured: RateLimit) -> RateLimit:
        """Register `limiter` with this process's configured limit; the limit in force. A configured limit
        that changed (the setting was edited) replaces one adopted from the CRM before."""
        with self.transaction():
            self._write("INSERT INTO crm_limits (limiter, configured_calls, configured_seconds, calls, seconds) "
                        "VALUES (:limiter, :calls, :seconds, :calls, :seconds) ON CONFLICT (limiter) DO NOTHING",
                        limiter=limiter, calls=configured.calls, seconds=configured.seconds)
            self._write("UPDATE crm_limits SET configured_calls = :calls, configured_seconds = :seconds, "
                        "calls = :calls, seconds = :seconds WHERE limiter = :limiter "
                        "AND (configured_calls != :calls OR configured_seconds != :seconds)",
                        limiter=limiter, calls=configured.calls, seconds=configured.seconds)
            limit, _ = self._limit(limiter)
            self._add_slots(limiter, limit.calls)
        return limit

    def take_slot(self, limiter: str, room: Callable[[RateLimit], int], hold: float) -> Claim:
        """A slot of `limiter`, held at most `hold` seconds, if fewer than `room(limit in force)` are counted in
        the window and no pause runs; else how long until one may be free."""
        with self.transaction():
            limit, paused = self._limit(limiter, lock=True)
            now = self.clock.now()
            if paused and paused > now:
                return Claim(None, (paused - now).total_seconds(), limit)
            holder = f"{self.owner}/{next(self._calls)}"
            taken = self._one(
                "UPDATE crm_slots SET holder = :holder, answered_at = :lease_end WHERE limiter = :limiter AND slot = "
                "(SELECT slot FROM crm_slots WHERE limiter = :limiter AND slot < :calls "
                "AND (answered_at IS NULL OR answered_at <= :cutoff) ORDER BY slot LIMIT 1) "
                "AND (SELECT COUNT(*) FROM crm_slots WHERE limiter = :limiter AND answered_at > :cutoff) < :room "
                "RETURNING slot", holder=holder, lease_end=iso(now + timedelta(seconds=hold)), limiter=limiter,
                calls=limit.calls, cutoff=iso(now - timedelta(seconds=limit.seconds)), room=room(limit))
            if taken is not None:
                return Claim(holder, 0.0, limit)
            return Claim(None, self._wait(limiter, limit, room(limit), now) or RETRY, limit)

    def slot_wait(self, limiter: str, room: Callable[[RateLimit], int]) -> Claim:
        """How long until a slot of `limiter` may be taken (0: now), taking none."""
        with self.transaction():
            limit, paused = self._limit(limiter)
            now = self.clock.now()
            if paused and paused > now:
                return Claim(None, (paused - now).total_seconds(), limit)
            return Claim(None, self._wait(limiter, limit, room(limit), now), limit)

    def release_slot(self, limiter: str, holder: str) -> None:
        """The call answered now: its slot counts for one more window, then is free."""
        self._write("UPDATE crm_slots SET holder = NULL, answered_at = :now WHERE limiter = :limiter "
                    "AND holder = :holder", now=self.now(), limiter=limiter, holder=holder)

    def pause_limit(self, limiter: str, seconds: float) -> None:
        """The CRM said "slow down": no replica takes a slot of `limiter` for `seconds`."""
        until = iso(self.clock.now() + timedelta(seconds=seconds))
        self._write("UPDATE crm_limits SET paused_until = :until WHERE limiter = :limiter "
                    "AND (paused_until IS NULL OR paused_until < :until)", until=until, limiter=limiter)

    def adopt_limit(self, limiter: str, limit: RateLimit) -> bool:
        """The CRM stated its limit: every replica keeps to it. True if that changed the limit in force."""
        with self.transaction():
            changed = self._write("UPDATE crm_limits SET calls = :calls, seconds = :seconds WHERE limiter = :limiter "
                                  "AND (calls != :calls OR seconds != :seconds)", limiter=limiter, calls=limit.calls,
                                  seconds=limit.seconds) == 1
            self._add_slots(limiter, limit.calls)
        return changed

    def _limit(self, limiter: str, lock: bool = False) -> tuple[RateLimit, datetime | None]:
        row = self._one("SELECT calls, seconds, paused_until FROM crm_limits WHERE limiter = :limiter"
                        + (" FOR UPDATE" if lock and self.postgres else ""), limiter=limiter)
        if row is None:
            raise LookupError(f"the rate limit {limiter!r} was never joined")
        return RateLimit(row["calls"], row["seconds"]), parse_iso(row["paused_until"])

    def _add_slots(self, limiter: str, calls: int) -> None:
        self._write_many("INSERT INTO crm_slots (limiter, slot) VALUES (:limiter, :slot) "
                         "ON CONFLICT (limiter, slot) DO NOTHING",
                         [{"limiter": limiter, "slot": slot} for slot in range(calls)])

    def _wait(self, limiter: str, limit: RateLimit, room: int, now: datetime) -> float:
        """Seconds until enough counted slots are free for one more call within `room`. A running call frees
        its slot a window after it answers, so not before a window from now; a holder on this machine that no
        longer runs answered, at the latest, now."""
        gone = self.gone_owners("holder", "crm_slots")
        if gone:
            self._write("UPDATE crm_slots SET holder = NULL, answered_at = :now WHERE limiter = :limiter "
                        "AND holder IN :gone", expanding=("gone",), now=iso(now), limiter=limiter, gone=gone)
        counted = self._all("SELECT answered_at FROM crm_slots WHERE limiter = :limiter AND answered_at > :cutoff",
                            limiter=limiter, cutoff=iso(now - timedelta(seconds=limit.seconds)))
        frees = sorted(min(datetime.fromisoformat(row["answered_at"]), now) for row in counted)
        needed = len(frees) - room
        if needed < 0:
            return 0.0
        return (frees[needed] - now).total_seconds() + limit.seconds
