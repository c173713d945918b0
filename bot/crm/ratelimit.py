"""One limiter per CRM account, shared by every caller in the process, with two lanes.

A call holds its slot from the moment it is sent until its answer comes back, and the window is
counted from the answer: the server counts arrivals, and an arrival is never later than its answer,
so the server never sees more than `calls` in any window, however long requests take.

Lanes: interactive calls (a click, a typeahead, a modal's check) go first; background work (bulk
runs, webhook syncs, reminders) waits while any interactive call waits, and never takes the last
`reserve` slots of a window, so a click finds room at once even while a bulk run fills the window.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from enum import IntEnum

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


class NoSlotInTime(Exception):
    """No slot could be had before the caller's deadline."""


class Limiter:
    def __init__(self, limit: RateLimit, clock: Clock, reserve: int | None = None, name: str = ""):
        self.limit = limit
        self.clock = clock
        self.name = name
        self.reserve = reserve if reserve is not None else limit.calls // 5
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
        """The CRM said its limit differs from the configured one: believe the CRM. True if it changed."""
        changed, self.limit = limit != self.limit, limit
        if changed:
            self.reserve = limit.calls // 5
        return changed

    def pause(self, seconds: float) -> None:
        """The CRM said "slow down": nobody sends until `seconds` have passed."""
        self._blocked_until = max(self._blocked_until, self.clock.monotonic() + seconds)

    def has_room(self, lane: Lane | None = None) -> bool:
        """Whether a call could start now without waiting (for work that must not wait, like an ack)."""
        return self._wait(lane or current_lane(), self.clock.monotonic()) <= 0

    @asynccontextmanager
    async def slot(self, lane: Lane | None = None, deadline: float | None = None) -> AsyncIterator[None]:
        """Hold one call's slot; `deadline` (on the clock's monotonic scale) raises NoSlotInTime when the
        slot could not be had before it."""
        await self._acquire(lane or current_lane(), deadline)
        try:
            yield
        finally:
            await self._release()

    def _wait(self, lane: Lane, now: float) -> float:
        """0 when a call of `lane` may start now; else seconds until it may (inf: until a call finishes)."""
        while self._finished and self._finished[0] <= now - self.limit.seconds:
            self._finished.popleft()
        if now < self._blocked_until:
            return self._blocked_until - now
        if lane is Lane.BACKGROUND and self._waiting[Lane.INTERACTIVE]:
            return math.inf
        cap = self.limit.calls if lane is Lane.INTERACTIVE else max(1, self.limit.calls - self.reserve)
        used = len(self._finished) + self._in_flight
        if used < cap:
            return 0.0
        expiring = used - cap
        if expiring < len(self._finished):
            return self._finished[expiring] + self.limit.seconds - now
        return math.inf

    async def _acquire(self, lane: Lane, deadline: float | None) -> None:
        async with self._changed:
            self._waiting[lane] += 1
            asked = self.clock.monotonic()
            try:
                while True:
                    now = self.clock.monotonic()
                    delay = self._wait(lane, now)
                    if delay <= 0:
                        self._in_flight += 1
                        self.calls += 1
                        if now > asked:
                            self.waits[lane] += 1
                            self.waited[lane] += now - asked
                        return
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

    async def _release(self) -> None:
        async with self._changed:
            self._in_flight -= 1
            self._finished.append(self.clock.monotonic())
            self._changed.notify_all()


_limiters: dict[tuple[str, str, int], Limiter] = {}


def shared_limiter(account: str, kind: str, limit: RateLimit, clock: Clock, crm: str = "") -> Limiter:
    """The process-wide limiter of one CRM account on the running loop (`kind`: bulk or calls)."""
    key = (account, kind, id(asyncio.get_running_loop()))
    limiter = _limiters.get(key)
    if limiter is None or limiter.clock is not clock:
        limiter = _limiters[key] = Limiter(limit, clock, name=f"{crm} {kind}".strip())
    return limiter


def limiters() -> list[Limiter]:
    """Every shared limiter of this process, for /metrics."""
    return list(_limiters.values())
