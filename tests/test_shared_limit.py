"""Replicas on one database keep one CRM rate limit: together they never exceed it in any window, a click on
one finds the reserve another's bulk run left, a dead replica's slot comes free after its lease, and a pause
or an adopted limit holds every replica."""

from __future__ import annotations

import asyncio
import random
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from bot.clock import Clock, ManualClock, ScaledClock
from bot.config import RateLimit
from bot.crm.leadsquared import LeadSquared
from bot.crm.ratelimit import Lane, Limiter, NoSlotInTime, background
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox, RateLimitRule
from bot.serving import BackgroundServer
from bot.store import Store
from bot.store.database import machine
from tests.store_helpers import sql

NOW = datetime(2025, 3, 4, 18, 0, tzinfo=UTC)
KEY = "LeadSquared/account/calls"
T = TypeVar("T")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def stores(database: str, clock: ManualClock) -> Iterator[tuple[Store, Store]]:
    """Two replicas' stores on one database."""
    first, second = Store(database, clock), Store(database, clock)
    yield first, second
    first.close()
    second.close()


def replica(store: Store, limit: RateLimit, clock: Clock, hold: float = 4.0) -> Limiter:
    """One replica's limiter of the account, sharing its slots through `store`."""
    return Limiter(limit, clock, name="LeadSquared calls", shared=store, key=KEY, hold=hold)


def on_threads(database: str, work: Callable[[T], None], *each: T) -> None:
    """`work` once for each argument, at the same time, each on its own thread (as separate processes would),
    once the database exists (a new SQLite file turns to WAL on its first connection, alone)."""
    Store(database, ManualClock(NOW)).close()
    failures: list[BaseException] = []

    def guarded(argument: T) -> None:
        try:
            work(argument)
        except BaseException as failure:  # noqa: BLE001 - reported on the test's thread
            failures.append(failure)

    threads = [threading.Thread(target=guarded, args=(argument,)) for argument in each]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures


def most_in_any_window(arrivals: list[float], seconds: float) -> int:
    ordered, best, start = sorted(arrivals), 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_two_replicas_under_load_never_exceed_the_limit_in_any_window(database: str):
    """Each replica runs on its own thread and event loop with its own store, as two processes would: clicks
    and background work at once, calls of varying length. Together they fill the window exactly."""
    limit = RateLimit(4, 10)
    clock = ScaledClock(50)
    arrivals: list[float] = []

    def run(seed: int) -> None:
        store = Store(database, clock)
        limiter = replica(store, limit, clock)
        pick = random.Random(seed)

        async def call(lane: Lane) -> None:
            async with limiter.slot(lane):
                arrivals.append(clock.monotonic())
                await clock.sleep(pick.uniform(0, 3))

        async def load() -> None:
            await asyncio.gather(*[call(pick.choice(list(Lane))) for _ in range(16)])

        try:
            asyncio.run(load())
        finally:
            store.close()

    on_threads(database, run, 1, 2)
    assert len(arrivals) == 32
    assert most_in_any_window(arrivals, limit.seconds) == limit.calls


async def test_a_click_on_one_replica_finds_the_reserve_another_replicas_bulk_run_left(stores, clock):
    first, second = stores
    bulk, clicks = replica(first, RateLimit(25, 5), clock), replica(second, RateLimit(25, 5), clock)
    with background():
        for _ in range(20):
            async with bulk.slot():
                pass
        assert not bulk.has_room() and not clicks.has_room(), "the bulk run filled all but the reserve"
    assert clicks.has_room(Lane.INTERACTIVE)
    for _ in range(5):
        async with clicks.slot(Lane.INTERACTIVE, deadline=clock.monotonic() + 2):
            assert clock.monotonic() == 0.0, "each click started at once"
    with pytest.raises(NoSlotInTime):
        async with clicks.slot(Lane.INTERACTIVE, deadline=clock.monotonic() + 2):
            pass


async def test_a_slot_held_by_a_replica_that_died_is_free_a_window_after_its_lease(stores, clock):
    first, second = stores
    died, survivor = replica(first, RateLimit(1, 5), clock, hold=4), replica(second, RateLimit(1, 5), clock)
    dying = died.slot(Lane.BACKGROUND)
    await dying.__aenter__()  # sent, and never answered: the replica died
    with pytest.raises(NoSlotInTime):
        async with survivor.slot(Lane.INTERACTIVE, deadline=clock.monotonic() + 2):
            pass
    async with survivor.slot(Lane.BACKGROUND):
        assert clock.monotonic() == 4 + 5, "free once its answer, however late, would have left the window"
    assert survivor.waits[Lane.BACKGROUND] == 1 and survivor.waited[Lane.BACKGROUND] == 9


async def test_a_slot_held_by_a_process_of_this_machine_that_stopped_counts_from_now(stores, clock):
    first, second = stores
    gone = subprocess.Popen(["true"])
    gone.wait()
    stopped, survivor = replica(first, RateLimit(1, 5), clock, hold=30), replica(second, RateLimit(1, 5), clock)
    stopping = stopped.slot(Lane.BACKGROUND)
    await stopping.__aenter__()
    sql(first, "UPDATE crm_slots SET holder = :holder WHERE holder IS NOT NULL",
        holder=f"{machine()}:{gone.pid}:abcdef/1")
    async with survivor.slot(Lane.BACKGROUND):
        assert clock.monotonic() == 5, "not its 30 s lease: the process is known to be gone"


async def test_a_pause_and_an_adopted_limit_on_one_replica_hold_back_the_other(stores, clock):
    first, second = stores
    told, other = replica(first, RateLimit(25, 5), clock), replica(second, RateLimit(25, 5), clock)
    async with other.slot():
        pass
    told.pause(3)
    assert not other.has_room()
    async with other.slot(Lane.BACKGROUND):
        assert clock.monotonic() == 3
    assert told.adopt(RateLimit(2, 10)) is True
    assert other.adopt(RateLimit(2, 10)) is False, "already adopted by the first replica"
    async with other.slot():
        assert other.limit == RateLimit(2, 10)
    async with other.slot():
        assert clock.monotonic() == 3 + 10, "two calls in the window already: the third of the window waits"


def test_a_changed_setting_replaces_a_limit_adopted_before(stores, clock):
    first, second = stores
    replica(first, RateLimit(25, 5), clock).adopt(RateLimit(10, 5))
    assert second.join_limit(KEY, RateLimit(25, 5)) == RateLimit(10, 5), "the same setting keeps what the CRM said"
    assert second.join_limit(KEY, RateLimit(40, 5)) == RateLimit(40, 5), "a new setting replaces it"


def test_two_processes_transports_never_make_the_sandbox_see_more_than_the_limit(database: str):
    """Two LeadSquared clients, each on its own thread and event loop with its own store on one database (two
    replicas' worth of limiters), mark tasks complete at once, clicks and background work mixed: LeadSquared
    never sees more than its limit in any window and never answers "slow down"."""
    clock = ScaledClock(25, NOW)
    limit = RateLimit(5, 5)
    sandbox = LeadSquaredSandbox(clock=clock, rate_limit=RateLimitRule(limit.calls, limit.seconds))
    server = BackgroundServer(sandbox.asgi()).start()
    sandbox.base_url = server.url
    tasks = [sandbox.add_task(f"Call {n}", NOW + timedelta(days=1), "maria@acme-sales.test")["UserTaskId"]
             for n in range(40)]

    async def complete(client: LeadSquared, task_id: str, lane: Lane) -> None:
        if lane is Lane.BACKGROUND:
            with background():
                await client.mark_complete(task_id)
        else:
            await client.mark_complete(task_id)

    def run(mine: list[str]) -> None:
        store = Store(database, clock)
        client = LeadSquared(server.url + "/v2/", ACCESS_KEY, SECRET_KEY, clock, limit=limit, timeout=200)
        client.transport.shared_slots = store
        client.transport.interactive_deadline = 10_000

        async def work() -> None:
            try:
                await asyncio.gather(*[complete(client, task_id, Lane(n % 2)) for n, task_id in enumerate(mine)])
            finally:
                await client.aclose()

        try:
            asyncio.run(work())
        finally:
            store.close()

    try:
        on_threads(database, run, tasks[::2], tasks[1::2])
    finally:
        server.stop()
    completions = sandbox.calls_to("Task.svc/MarkComplete")
    assert len(completions) == 40
    assert [call for call in sandbox.calls if call.outcome == "rate limited"] == []
    assert sandbox.max_in_any_window() == limit.calls
