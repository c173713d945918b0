"""The shared limiter: calls count from their answers, a pause holds everyone, and `has_room` never waits."""

from __future__ import annotations

import asyncio

from bot.clock import ManualClock
from bot.config import RateLimit
from bot.crm.ratelimit import Limiter
from tests.conftest import NOW


async def test_room_is_counted_from_each_answer_and_in_flight_calls():
    clock = ManualClock(NOW)
    limiter = Limiter(RateLimit(2, 10), clock)
    assert limiter.has_room()
    async with limiter.slot():
        async with limiter.slot():
            assert not limiter.has_room()
    clock.advance(9.9)
    assert not limiter.has_room()
    clock.advance(0.2)
    assert limiter.has_room()


async def test_a_pause_holds_every_caller_until_it_ends():
    clock = ManualClock(NOW)
    limiter = Limiter(RateLimit(100, 10), clock)
    limiter.pause(5)
    assert not limiter.has_room()
    async with limiter.slot():
        assert clock.monotonic() >= 5
    assert limiter.has_room()


async def test_a_third_call_waits_for_the_window_of_the_first_answer():
    clock = ManualClock(NOW)
    limiter = Limiter(RateLimit(2, 10), clock)
    started = []

    async def call() -> None:
        async with limiter.slot():
            started.append(clock.monotonic())

    await asyncio.gather(call(), call(), call())
    assert started == [0.0, 0.0, 10.0]
