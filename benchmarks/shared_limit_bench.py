"""The shared CRM rate limit: what it costs per call, and what two replicas achieve against one limit.

Part 1 times one call's limiter slot (taken and handed back, nothing sent) with the slots kept in the store
and without (the process's limiter alone), on SQLite and on PostgreSQL, at LeadSquared's 25 calls in 5 s with
the window kept full, and prints the difference: the ledger's overhead per CRM call.

Part 2 runs two replicas (each its own thread, event loop, store and LeadSquared client; one database)
marking tasks complete as fast as they may against the LeadSquared sandbox, once sharing the limit through
the store and once each with its own limiter, and prints the calls the sandbox saw per window, the most in
any window, and how many it refused as over the limit.

PostgreSQL is a throwaway server (tests/postgres.py), or TASKBOT_TEST_POSTGRES_URL's.

    .venv/bin/python benchmarks/shared_limit_bench.py [--calls 2000] [--limit 10/1s] [--seconds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import ManualClock, SystemClock  # noqa: E402
from bot.config import RateLimit  # noqa: E402
from bot.crm.errors import CRMError  # noqa: E402
from bot.crm.leadsquared import LeadSquared  # noqa: E402
from bot.crm.ratelimit import Limiter  # noqa: E402
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox, RateLimitRule  # noqa: E402
from bot.serving import BackgroundServer  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402

LSQ = RateLimit(25, 5)


async def slot_times(store: Store | None, clock: ManualClock, calls: int) -> list[float]:
    """Milliseconds per slot taken and handed back, one call every window/limit (the window stays full)."""
    limiter = Limiter(LSQ, clock, name="bench", shared=store, key="LeadSquared/bench/calls")
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        async with limiter.slot():
            pass
        samples.append((time.perf_counter() - started) * 1000)
        clock.advance(LSQ.seconds / LSQ.calls)
    return samples


def overhead(name: str, database: str, calls: int) -> None:
    clock = ManualClock(datetime(2025, 3, 4, 18, 0, tzinfo=UTC))
    store = Store(database, clock)
    try:
        local = asyncio.run(slot_times(None, clock, calls))
        shared = asyncio.run(slot_times(store, clock, calls))
    finally:
        store.close()
    local_median, shared_median = statistics.median(local), statistics.median(shared)
    p95 = sorted(shared)[int(0.95 * len(shared))]
    print(f"{name:<11} per call: local only {local_median:6.3f} ms   shared median {shared_median:6.3f} ms"
          f"   p95 {p95:6.3f} ms   overhead {shared_median - local_median:6.3f} ms   (n={calls})")


def two_replicas(name: str, database: str, limit: RateLimit, seconds: float, shared: bool) -> None:
    sandbox = LeadSquaredSandbox(rate_limit=RateLimitRule(limit.calls, limit.seconds))
    server = BackgroundServer(sandbox.asgi()).start()
    sandbox.base_url = server.url
    due = datetime.now(UTC) + timedelta(days=1)
    task_id = sandbox.add_task("Bench", due, "maria@acme-sales.test")["UserTaskId"]
    Store(database, SystemClock()).close()
    stop_at = time.monotonic() + seconds

    def replica() -> None:
        clock = SystemClock()
        store = Store(database, clock)
        client = LeadSquared(server.url + "/v2/", ACCESS_KEY, SECRET_KEY, clock, limit=limit, attempts=1)
        client.transport.shared_slots = store if shared else None
        client.transport.interactive_deadline = seconds

        async def caller() -> None:
            while time.monotonic() < stop_at:
                try:
                    await client.mark_complete(task_id)
                except CRMError:
                    await asyncio.sleep(0.01)

        async def run() -> None:
            try:
                await asyncio.gather(*[caller() for _ in range(8)])
            finally:
                await client.aclose()

        try:
            asyncio.run(run())
        finally:
            store.close()

    threads = [threading.Thread(target=replica) for _ in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    server.stop()
    windows = elapsed / limit.seconds
    answered = [call for call in sandbox.calls if call.outcome != "rate limited"]
    how = "one shared limit" if shared else "a limiter each"
    print(f"{name:<11} two replicas, {how:<16}: sent {len(sandbox.calls) / windows:5.1f} and answered "
          f"{len(answered) / windows:5.1f} calls per window (limit {limit.calls}), most answered in any window "
          f"{sandbox.max_in_any_window()}, refused as over the limit {len(sandbox.calls) - len(answered)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--limit", type=RateLimit.parse, default=RateLimit(10, 1))
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, PostgresServer.from_environment() as postgres:
        databases = {"SQLite": lambda: str(Path(folder) / f"bench-{time.monotonic_ns()}.db"),
                     "PostgreSQL": postgres.new_database}
        for name, database in databases.items():
            overhead(name, database(), args.calls)
        for name, database in databases.items():
            for shared in (True, False):
                two_replicas(name, database(), args.limit, args.seconds, shared)


if __name__ == "__main__":
    main()
