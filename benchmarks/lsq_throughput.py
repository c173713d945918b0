"""LeadSquared client throughput against the sandbox at the configured limit, and clicks under load.

Part 1 prints calls/s and tasks/s beside the ceiling the limit allows. Part 2 shares one limiter (and
the sandbox's 25/5s window) between a 5,000-row bulk run (100 Bulk/Create calls and the read-back of
every row), 200 webhook syncs (task fetches, two per task) and a rep clicking once a second (a task
fetch or a lead typeahead, in turn), and prints the clicks' latency: p50, p99, max, and how many were
answered inside 2.5 s (the target: all). By default both parts take about two minutes of real time;
`--speed 10` runs part 2 on a clock ten times faster (HTTP time then counts ten times over).

    .venv/bin/python benchmarks/lsq_throughput.py [--limit 25/5s] [--calls 125] [--speed 1] [--part 1|2]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import ScaledClock, SystemClock  # noqa: E402
from bot.config import RateLimit  # noqa: E402
from bot.crm.errors import CRMError  # noqa: E402
from bot.crm.leadsquared import LeadSquared  # noqa: E402
from bot.crm.leadsquared_models import TaskCreate, TaskTypeRef, reference, with_ref  # noqa: E402
from bot.crm.ratelimit import background  # noqa: E402
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox, RateLimitRule  # noqa: E402
from bot.serving import BackgroundServer  # noqa: E402


async def run(limit: RateLimit, calls: int, concurrency: int) -> None:
    sandbox = LeadSquaredSandbox(rate_limit=RateLimitRule(limit.calls, limit.seconds))
    server = BackgroundServer(sandbox.asgi()).start()
    client = LeadSquared(server.url + "/v2/", ACCESS_KEY, SECRET_KEY, SystemClock(), limit=limit, bulk_limit=limit)
    due = datetime.now(UTC) + timedelta(days=1)

    def task(i: int) -> TaskCreate:
        return TaskCreate(Name=f"Bench {i}", DueDate=due + timedelta(minutes=i % 600),
                          OwnerEmailAddress="maria@acme-sales.test", TaskType=TaskTypeRef(Name="Follow Up"))

    queue = list(range(calls))

    async def worker(create) -> None:
        while queue:
            await create(queue.pop())

    try:
        started = time.perf_counter()
        await asyncio.gather(*[worker(lambda i: client.create_task(task(i))) for _ in range(concurrency)])
        single = time.perf_counter() - started
        queue[:] = list(range(calls))
        started = time.perf_counter()
        await asyncio.gather(*[worker(lambda i: client.bulk_create([task(i * 50 + k) for k in range(50)]))
                               for _ in range(concurrency)])
        bulk = time.perf_counter() - started
    finally:
        await client.aclose()
        server.stop()
    ceiling = limit.calls / limit.seconds
    rejected = sum(1 for call in sandbox.calls if call.outcome == "rate limited")
    print(f"limit {limit} -> ceiling {ceiling:.2f} calls/s (a first burst of {limit.calls} is free)")
    print(f"single creates: {calls} calls in {single:.2f} s = {calls / single:.2f} calls/s = {calls / single:.2f} tasks/s")
    print(f"bulk creates:   {calls} calls in {bulk:.2f} s = {calls / bulk:.2f} calls/s = {calls * 50 / bulk:.1f} tasks/s")
    print(f"sandbox: {len(sandbox.calls)} calls seen, {rejected} rate-limited, "
          f"max {sandbox.max_in_any_window(limit.seconds)} in any {limit.seconds:g} s window (limit {limit.calls})")


MARIA_ID = "a1b2c3d4-0000-4000-8000-000000000002"
ROWS, SYNCS, CLICK_EVERY, TARGET = 5000, 200, 1.0, 2.5


async def under_load(limit: RateLimit, speed: float) -> None:
    """Clicks while a bulk run and webhook syncs share the limiter; latency on the shared clock."""
    clock = SystemClock() if speed == 1 else ScaledClock(speed)
    sandbox = LeadSquaredSandbox(clock=clock, rate_limit=RateLimitRule(limit.calls, limit.seconds), bulk_delay=1.0)
    server = BackgroundServer(sandbox.asgi()).start()
    client = LeadSquared(server.url + "/v2/", ACCESS_KEY, SECRET_KEY, clock, limit=limit, bulk_limit=limit)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    known = [sandbox.add_task(f"Synced {i}", due + timedelta(minutes=i), "maria@acme-sales.test")["UserTaskId"]
             for i in range(SYNCS // 2)]
    rows = [TaskCreate(Name=f"Bulk {i}", DueDate=due + timedelta(minutes=i % 600), OwnerId=MARIA_ID,
                       Description=with_ref(None, reference(f"load-{i}")), TaskType=TaskTypeRef(Name="Follow Up"))
            for i in range(ROWS)]
    latencies: list[float] = []
    refused: list[str] = []
    done = asyncio.Event()

    async def bulk_run() -> None:
        with background():
            chunks = [rows[i:i + 50] for i in range(0, ROWS, 50)]
            gate = asyncio.Semaphore(4)

            async def send(chunk: list[TaskCreate]) -> None:
                async with gate:
                    await client.bulk_create(chunk)

            await asyncio.gather(*[send(chunk) for chunk in chunks])
            await clock.sleep(2.0)
            found = await client.tasks_between(MARIA_ID, due - timedelta(minutes=1), due + timedelta(hours=11))
            assert sum(1 for task in found if task.ref) == ROWS, "the read-back found every row"

    async def webhook_syncs() -> None:
        with background():
            await asyncio.gather(*[client.get_task(known[i % len(known)]) for i in range(SYNCS)])

    async def rep() -> None:
        click = 0
        while not done.is_set():
            started = clock.monotonic()
            try:
                if click % 2:
                    await client.transport.request("GET", "LeadManagement.svc/Leads.GetByQuickSearch",
                                                   params={"key": f"pri{click}"})
                else:
                    await client.get_task(known[click % len(known)])
            except CRMError as error:
                refused.append(type(error).__name__)
            latencies.append(clock.monotonic() - started)
            click += 1
            await clock.sleep(max(0.0, CLICK_EVERY - (clock.monotonic() - started)))

    clicking = asyncio.ensure_future(rep())
    started = clock.monotonic()
    try:
        await asyncio.gather(bulk_run(), webhook_syncs())
        background_seconds = clock.monotonic() - started
    finally:
        done.set()
        await clicking
        await client.aclose()
        server.stop()
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    inside = sum(1 for latency in latencies if latency <= TARGET)
    rejected = sum(1 for call in sandbox.calls if call.outcome == "rate limited")
    print(f"under load at {limit} (clock x{speed:g}): {ROWS:,}-row bulk run and {SYNCS} webhook syncs done in "
          f"{background_seconds:.1f} s ({client.transport.coalesced} syncs shared a fetch in flight)")
    print(f"  {len(latencies)} interactive calls: p50 {ordered[len(ordered) // 2]:.3f} s, p99 {p99:.3f} s, max "
          f"{ordered[-1]:.3f} s; {inside}/{len(latencies)} answered inside {TARGET} s; "
          f"{len(refused)} refused ({', '.join(sorted(set(refused))) or 'none'})")
    print(f"  sandbox: {len(sandbox.calls)} calls, {rejected} rate-limited, max "
          f"{sandbox.max_in_any_window(limit.seconds)} in any {limit.seconds:g} s window")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", default="25/5s")
    parser.add_argument("--calls", type=int, default=125)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--part", choices=["1", "2", "both"], default="both")
    args = parser.parse_args()
    if args.part in ("1", "both"):
        asyncio.run(run(RateLimit.parse(args.limit), args.calls, args.concurrency))
    if args.part in ("2", "both"):
        asyncio.run(under_load(RateLimit.parse(args.limit), args.speed))


if __name__ == "__main__":
    main()
