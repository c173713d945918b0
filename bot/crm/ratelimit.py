"""One limiter per CRM account, shared by every caller in the process, plus the retry policy.

A call holds its slot from the moment it is sent until its answer comes back, and the window is
counted from the answer: the server counts arrivals, and an arrival is never later than its answer,
so the server never sees more than `calls` in any window, however long requests take.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from bot.clock import Clock
from bot.config import RateLimit


class Limiter:
    def __init__(self, limit: RateLimit, clock: Clock):
        self.limit = limit
        self.clock = clock
        self._finished: deque[float] = deque()
        self._in_flight = 0
        self._blocked_until = -math.inf
        self._changed = asyncio.Condition()
        self.calls = 0

    def adopt(self, limit: RateLimit) -> bool:
        """The CRM said its limit differs from the configured one: believe the CRM. True if it changed."""
        changed, self.limit = limit != self.limit, limit
        return changed

    def pause(self, seconds: float) -> None:
        """The CRM said "slow down": nobody sends until `seconds` have passed."""
        self._blocked_until = max(self._blocked_until, self.clock.monotonic() + seconds)

    def has_room(self) -> bool:
        """Whether a call could start now without waiting (for work that must not wait, like an ack)."""
        now = self.clock.monotonic()
        recent = sum(1 for finished in self._finished if finished > now - self.limit.seconds)
        return now >= self._blocked_until and recent + self._in_flight < self.limit.calls

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self._acquire()
        try:
            yield
        finally:
            await self._release()

    async def _acquire(self) -> None:
        async with self._changed:
            while True:
                now = self.clock.monotonic()
                while self._finished and self._finished[0] <= now - self.limit.seconds:
                    self._finished.popleft()
                if now >= self._blocked_until and len(self._finished) + self._in_flight < self.limit.calls:
                    self._in_flight += 1
                    self.calls += 1
                    return
                if now < self._blocked_until:
                    delay = self._blocked_until - now
                elif self._finished:
                    delay = self._finished[0] + self.limit.seconds - now
                else:
                    await self._changed.wait()
                    continue
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


def shared_limiter(account: str, kind: str, limit: RateLimit, clock: Clock) -> Limiter:
    """The process-wide limiter of one CRM account on the running loop (`kind`: bulk or ordinary)."""
    key = (account, kind, id(asyncio.get_running_loop()))
    limiter = _limiters.get(key)
    if limiter is None or limiter.clock is not clock:
        limiter = _limiters[key] = Limiter(limit, clock)
    return limiter


def retrying(clock: Clock, should_retry: Callable[[BaseException], bool], attempts: int = 4,
             max_wait: float = 8.0) -> AsyncRetrying:
    """Backoff with jitter on the given failures; sleeps on the injected clock."""
    return AsyncRetrying(retry=retry_if_exception(should_retry), stop=stop_after_attempt(attempts),
                         wait=wait_random_exponential(multiplier=0.25, max=max_wait), sleep=clock.sleep,
                         reraise=True)
