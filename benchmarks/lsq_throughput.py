"""LeadSquared client throughput against the sandbox at the configured limit.

Prints calls/s and tasks/s beside the ceiling the limit allows. By default the limit is 25/5s and
the run takes about 20 s of real time; `--limit 10/1s --calls 100` for a quicker look.

    .venv/bin/python benchmarks/lsq_throughput.py [--limit 25/5s] [--calls 125]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import SystemClock  # noqa: E402
from bot.config import RateLimit  # noqa: E402
from bot.crm.leadsquared import LeadSquared  # noqa: E402
from bot.crm.leadsquared_models import TaskCreate, TaskTypeRef  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", default="25/5s")
    parser.add_argument("--calls", type=int, default=125)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(RateLimit.parse(args.limit), args.calls, args.concurrency))


if __name__ == "__main__":
    main()
