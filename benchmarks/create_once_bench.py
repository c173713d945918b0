"""Create-once measured from outside: N LeadSquared creates with 20% injected faults, then every task counted.

The faults are every kind the sandbox injects: errors before any work, hangs, rate-limit replies,
slow creates that land after the client gave up, answers held or dropped after the work was done.
Times are scaled down (the client gives up after 0.2 s where it waits 15 s in production; a late create
lands 0.8 s after it was sent). A fifth of the tasks have an identical twin the rep made by hand.
The run is made twice: as the bot runs (look up at once and again after a grace period, then sweep
for late copies) and, for comparison, with no grace period (look up at once, send again if absent).

    .venv/bin/python benchmarks/create_once_bench.py [--creates 1000] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import SystemClock  # noqa: E402
from bot.config import RateLimit  # noqa: E402
from bot.crm.errors import CRMError  # noqa: E402
from bot.crm.leadsquared import LeadSquared, create_once, sweep_copies  # noqa: E402
from bot.crm.leadsquared_models import TaskCreate, TaskTypeRef, reference, with_ref  # noqa: E402
from bot.crm.ratelimit import background  # noqa: E402
from bot.sandbox.faults import Fault  # noqa: E402
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox, RateLimitRule  # noqa: E402
from bot.serving import BackgroundServer  # noqa: E402

MARIA = "maria@acme-sales.test"
MARIA_ID = "a1b2c3d4-0000-4000-8000-000000000002"
FAULTS = Fault(error_rate=0.04, hang_rate=0.03, rate_limit_rate=0.03, land_late=0.04, timeout_after_processing=0.03,
               drop_after_processing=0.03, land_after=0.8, hold=0.3)


async def run(creates: int, concurrency: int, grace: float) -> None:
    sandbox = LeadSquaredSandbox(seed=42, rate_limit=RateLimitRule(100_000, 5))
    server = BackgroundServer(sandbox.asgi()).start()
    client = LeadSquared(server.url + "/v2/", ACCESS_KEY, SECRET_KEY, SystemClock(), limit=RateLimit(100_000, 5),
                         timeout=0.2, grace=grace)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    tasks = {f"bench-{i}": TaskCreate(Name=f"Bench {i}", DueDate=due + timedelta(minutes=i), OwnerId=MARIA_ID,
                                      Description=with_ref(None, reference(f"bench-{i}")),
                                      TaskType=TaskTypeRef(Name="Follow Up")) for i in range(creates)}
    for i, task in enumerate(tasks.values()):
        if i % 5 == 0:
            sandbox.add_task(task.Name, task.DueDate, MARIA)
    sandbox.inject("Task.svc/Create", FAULTS)
    gate = asyncio.Semaphore(concurrency)
    refused: list[str] = []
    swept: list[str] = []

    async def one(key: str, task: TaskCreate) -> None:
        ref = reference(key)
        async with gate:
            try:
                created = await create_once(client, task, ref)
            except CRMError as error:
                refused.append(f"{key}: {error}")
                print(refused[-1], file=sys.stderr)
                return
        if created.uncertain and grace:
            await client.clock.sleep(grace)
            swept.extend(await sweep_copies(client, task, ref, created.record))

    started = time.perf_counter()
    try:
        with background():
            await asyncio.gather(*[one(key, task) for key, task in tasks.items()])
    finally:
        await client.aclose()
        server.stop()
    elapsed = time.perf_counter() - started
    await asyncio.sleep(FAULTS.land_after)
    copies = Counter()
    for task in sandbox.state.tasks.values():
        for key in tasks:
            if reference(key) in (task["Description"] or ""):
                copies[key] += 1
    lost = sum(1 for key in tasks if copies[key] == 0)
    doubled = sum(copies[key] - 1 for key in tasks if copies[key] > 1)
    calls = sandbox.calls_to("Task.svc/Create")
    befell = Counter(call.befell for call in calls)
    faulty = sum(count for kind, count in befell.items() if kind != "nothing")
    how = f"grace {grace:g} s + sweep" if grace else "no grace (look up at once only)"
    print(f"{creates} creates, {how}: {lost} lost, {doubled} duplicated, {len(refused)} refused to the rep; "
          f"{len(calls)} Create calls, {faulty} faulted ({faulty / len(calls):.0%}): "
          + ", ".join(f"{kind} {count}" for kind, count in sorted(befell.items()) if kind != "nothing")
          + f"; rep's identical tasks kept: {creates // 5}; {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(run(args.creates, args.concurrency, grace=1.0))
    asyncio.run(run(args.creates, args.concurrency, grace=0.0))


if __name__ == "__main__":
    main()
