"""One limiter per CRM account, shared by every caller in the process, with two lanes.

A call holds its slot from the moment it is sent until its answer comes back, and the window is
counted from the answer: the server counts arrivals, and an arrival is never later than its answer,
so the server never sees more than `calls` in any window, however long requests take.

Lanes: interactive calls (a click, a typeahead, a modal's check) go first; background work (bulk
runs, webhook syncs, reminders) waits while any interactive call waits, and never takes the last
`reserve` slots of a window, so a click finds room at once even while a bulk run fills the window.

Replicas: with SharedSlots (the store) attached, each call also takes one of the limiter's slots there, so
all replicas on one database keep one limit, one reserve, one pause and one adopted limit together; the
process's limiter stays the local queue that orders its own callers by lane.
"""

from __future__ import annotations

import asyncio
import logging
import math
import weakref
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum
from functools import partial
from typing import Protocol

from bot.clock import Clock
from bot.config import RateLimit


class Lane(IntEnum):
    INTERACTIVE = 0
    BACKGROUND = 1


_lane: ContextVar[Lane] = ContextVar("crm_lane", default=Lane.INTERACTIVE)


def current_lane() -> Lane:
    return _lane.get()


@contextmanager
def background() -> Iterator[None]:
    """CRM calls made inside this block (and tasks started from it) queue behind interactive ones."""
    token = _lane.set(Lane.BACKGROUND)
    try:
        yield
    finally:
        _lane.reset(token)


_patient: ContextVar[bool] = ContextVar("crm_patient", default=False)


def is_patient() -> bool:
    return _patient.get()


@contextmanager
def patient() -> Iterator[None]:
    """CRM calls made inside this block keep their lane but wait for a slot as long as it takes: no form is
    waiting on them (an outbox write after the ack), so giving up would only turn a busy limit into a failure."""
    token = _patient.set(True)
    try:
        yield
    finally:
        _patient.reset(token)


class NoSlotInTime(Exception):
    """No slot could be had before the caller's deadline."""


log = logging.getLogger("taskbot.crm")
HOLD = 30.0
"""Seconds a shared slot stays with a call at most (a replica that dies holding one frees it after this)."""


@dataclass(frozen=True)
class Claim:
    """SharedSlots' answer: the slot taken (its holder's token), or else the seconds until one may be; and the
    limit every replica keeps to."""

    holder: str | None
    wait: float
    limit: RateLimit


class SharedSlots(Protocol):
    """Where the replicas sharing a CRM account keep its limiters' slots, pauses and adopted limits."""

    def join_limit(self, limiter: str, configured: RateLimit) -> RateLimit:
        """Register `limiter` with this process's configured limit; the limit in force."""

    def take_slot(self, limiter: str, room: Callable[[RateLimit], int], hold: float) -> Claim:
        """A slot, held at most `hold` seconds, if fewer than `room(limit in force)` count in the window."""

    def slot_wait(self, limiter: str, room: Callable[[RateLimit], int]) -> Claim:
        """How long until a slot may be taken, taking none."""

    def release_slot(self, limiter: str, holder: str) -> None:
        """The call answered now."""

    def pause_limit(self, limiter: str, seconds: float) -> None:
        """Nobody takes a slot for `seconds`."""

    def adopt_limit(self, limiter: str, limit: RateLimit) -> bool:
        """Every replica keeps to `limit`; True if it changed the limit in force."""


class Limiter:
    def __init__(self, limit: RateLimit, clock: Clock, reserve: int | None = None, name: str = "",
                 shared: SharedSlots | None = None, key: str = "", hold: float = HOLD):
        """`shared`: the slots of every replica, under `key`; a call holds one at most `hold` seconds."""
        self.limit = limit
        self.clock = clock
        self.name = name
        self.reserve = reserve if reserve is not None else limit.calls // 5
        self.shared, self.key, self.hold = shared, key, hold
        self._joined = shared is None
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._blocked_until = -math.inf
        self._waiting: Counter[Lane] = Counter()
        self._changed = asyncio.Condition()
        self.calls = 0
        self.waits: Counter[Lane] = Counter()
        self.waited: Counter[Lane] = Counter()
        """Calls that had to wait for a slot, and the seconds they waited, by lane (for /metrics)."""

    def adopt(self, limit: RateLimit) -> bool:
        """The CRM said its limit differs from the configured one: believe the CRM (every replica does). True
        if it changed."""
        if self.shared is None:
            return self._follow(limit)
        self._join()
        changed = self.shared.adopt_limit(self.key, limit)
        self._follow(limit)
        return changed

    def pause(self, seconds: float) -> None:
        """The CRM said "slow down": nobody (on any replica) sends until `seconds` have passed."""
        self._blocked_until = max(self._blocked_until, self.clock.monotonic() + seconds)
        if self.shared is not None:
            self._join()
            self.shared.pause_limit(self.key, seconds)

    def has_room(self, lane: Lane | None = None) -> bool:
        """Whether a call could start now without waiting (for work that must not wait, like an ack)."""
        lane = lane or current_lane()
        if self._wait(lane, self.clock.monotonic()) > 0:
            return False
        return self.shared is None or self._shared_wait(lane, take=False)[1] <= 0

    def room(self, lane: Lane, limit: RateLimit | None = None) -> int:
        """How many calls may count in a window of `limit` when one of `lane` starts: background work leaves
        the reserve to clicks (a limit another replica adopted keeps the usual fifth)."""
        limit = limit or self.limit
        if lane is Lane.INTERACTIVE:
            return limit.calls
        return max(1, limit.calls - (self.reserve if limit == self.limit else limit.calls // 5))

    @asynccontextmanager
    async def slot(self, lane: Lane | None = None, deadline: float | None = None) -> AsyncIterator[None]:
        """Hold one call's slot; `deadline` (on the clock's monotonic scale) raises NoSlotInTime when the
        slot could not be had before it."""
        holder = await self._acquire(lane or current_lane(), deadline)
        try:
            yield
        finally:
            await self._release(holder)

    def _follow(self, limit: RateLimit) -> bool:
        changed, self.limit = limit != self.limit, limit
        if changed:
            self.reserve = limit.calls // 5
        return changed

    def _join(self) -> None:
        if not self._joined and self.shared is not None:
            self._follow(self.shared.join_limit(self.key, self.limit))
            self._joined = True

    def _shared_wait(self, lane: Lane, take: bool) -> tuple[str | None, float]:
        """The shared slot taken (when `take`), or the seconds until one may be."""
        assert self.shared is not None
        self._join()
        room = partial(self.room, lane)
        claim = self.shared.take_slot(self.key, room, self.hold) if take else self.shared.slot_wait(self.key, room)
        self._follow(claim.limit)
        return claim.holder, claim.wait

    def _wait(self, lane: Lane, now: float) -> float:
        """0 when a call of `lane` may start now; else seconds until it may (inf: until a call finishes)."""
        while self._finished and self._finished[0] <= now - self.limit.seconds:
            self._finished.popleft()
        if now < self._blocked_until:
            return self._blocked_until - now
        if lane is Lane.BACKGROUND and self._waiting[Lane.INTERACTIVE]:
            return math.inf
        cap = self.room(lane)
        used = len(self._finished) + self._in_flight
        if used < cap:
            return 0.0
        expiring = used - cap
        if expiring < len(self._finished):
            return self._finished[expiring] + self.limit.seconds - now
        return math.inf

    async def _acquire(self, lane: Lane, deadline: float | None) -> str | None:
        """The shared slot's holder token (None without SharedSlots) once this call may start."""
        async with self._changed:
            self._waiting[lane] += 1
            asked = self.clock.monotonic()
            try:
                while True:
                    now = self.clock.monotonic()
                    delay, holder = self._wait(lane, now), None
                    if delay <= 0 and self.shared is not None:
                        holder, delay = self._shared_wait(lane, take=True)
                    if delay <= 0:
                        self._in_flight += 1
                        self.calls += 1
                        if now > asked:
                            self.waits[lane] += 1
                            self.waited[lane] += now - asked
                        return holder
                    left = None if deadline is None else deadline - now
                    if left is not None and (left <= 0 or (not math.isinf(delay) and delay > left)):
                        raise NoSlotInTime()
                    await self._pause_until_changed(delay, left)
            finally:
                self._waiting[lane] -= 1
                self._changed.notify_all()

    async def _pause_until_changed(self, delay: float, left: float | None) -> None:
        """Wait `delay` on the clock, or (when only a finishing call can help) until one finishes."""
        if math.isinf(delay):
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                raise NoSlotInTime() from None
            return
        self._changed.release()
        try:
            await self.clock.sleep(delay)
        finally:
            await self._changed.acquire()

    async def _release(self, holder: str | None) -> None:
        async with self._changed:
            self._in_flight -= 1
            self._finished.append(self.clock.monotonic())
            if holder is not None and self.shared is not None:
                try:
                    self.shared.release_slot(self.key, holder)
                except Exception:  # noqa: BLE001 - the call is done; its slot frees itself when its hold ends
                    log.warning("could not hand back a %s rate-limit slot; it frees itself in %gs", self.name,
                                self.hold + self.limit.seconds, exc_info=True)
            self._changed.notify_all()


_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, Limiter]] = weakref.WeakKeyDictionary()


def shared_limiter(account: str, kind: str, limit: RateLimit, clock: Clock, crm: str = "",
                   shared: SharedSlots | None = None, hold: float = HOLD) -> Limiter:
    """The process-wide limiter of one CRM account on the running loop (`kind`: bulk or calls); with `shared`,
    one limit with every replica on the same store."""
    on_loop = _limiters.setdefault(asyncio.get_running_loop(), {})
    key = (account, kind, id(shared))
    limiter = on_loop.get(key)
    if limiter is None or limiter.clock is not clock:
        limiter = on_loop[key] = Limiter(limit, clock, name=f"{crm} {kind}".strip(), shared=shared,
                                         key=f"{crm}/{account}/{kind}", hold=hold)
    return limiter


def limiters() -> list[Limiter]:
    """Every shared limiter of this process, for /metrics."""
    return [limiter for on_loop in list(_limiters.values()) for limiter in on_loop.values()]
