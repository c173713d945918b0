"""The shared limiter: calls count from their answers, a pause holds everyone, `has_room` never waits, and
interactive calls go before background work, which never takes the last slots of a window."""

from __future__ import annotations

import asyncio

import pytest

from bot.clock import ManualClock
from bot.config import RateLimit
from bot.crm.ratelimit import Lane, Limiter, NoSlotInTime, background
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


async def test_background_work_leaves_room_for_a_click():
    """A bulk run may fill the window only up to the reserve; a click then starts at once."""
    clock = ManualClock(NOW)
    limiter = Limiter(RateLimit(25, 5), clock)
    with background():
        for _ in range(20):
            async with limiter.slot():
                pass
        assert not limiter.has_room()
    assert limiter.has_room(Lane.INTERACTIVE)
    async with limiter.slot(Lane.INTERACTIVE, deadline=clock.monotonic() + 2):
        assert clock.monotonic() == 0.0


async def test_background_waits_while_a_click_waits():
    clock = ManualClock(NOW)
    limiter = Limiter(RateLimit(1, 10), clock, reserve=0)
    order = []

    async def call(lane: Lane, name: str) -> None:
        async with limiter.slot(lane):
            order.append(name)
            await asyncio.sleep(0)

    async with limiter.slot(Lane.INTERACTIVE):
        waiting = [asyncio.ensure_future(call(Lane.BACKGROUND, "bulk")),
                   asyncio.ensure_future(call(Lane.INTERACTIVE, "click"))]
        await asyncio.sleep(0)
    await asyncio.gather(*waiting)
    assert order == ["click", "bulk"]


async def test_a_slot_that_cannot_come_before_the_deadline_is_refused_at_once():
    clock = ManualClock(NOW)
    limiter = Limiter(RateLimit(1, 10), clock)
    async with limiter.slot():
        pass
    with pytest.raises(NoSlotInTime):
        async with limiter.slot(Lane.INTERACTIVE, deadline=clock.monotonic() + 2):
            pass
    assert clock.monotonic() == 0.0, "nothing was waited for"


async def test_waits_for_the_limit_are_counted_by_lane_for_metrics():
    from bot.crm.ratelimit import shared_limiter
    from bot.metrics import CrmLimiterCollector

    clock = ManualClock(NOW)
    limiter = shared_limiter("metrics-test", "calls", RateLimit(1, 10), clock, "LeadSquared")
    async with limiter.slot():
        pass
    with background():
        async with limiter.slot():
            assert clock.monotonic() >= 10
    assert (limiter.waits[Lane.BACKGROUND], limiter.waits[Lane.INTERACTIVE]) == (1, 0)
    assert limiter.waited[Lane.BACKGROUND] >= 10
    samples = [s for f in CrmLimiterCollector().collect() for s in f.samples
               if s.name == "taskbot_crm_limiter_wait_seconds_total" and s.labels["limiter"] == "LeadSquared calls"]
    assert {s.labels["lane"]: s.value for s in samples}["background"] >= 10
