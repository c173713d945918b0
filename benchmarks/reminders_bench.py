"""Reminders: lateness against due instants with 10,000 pending, idle scheduler CPU, database size.

Real time, real parts: the bot in this process with its scheduler loop, the Slack and LeadSquared
sandboxes on loopback. 10,000 reminders are pending; `--due` of them fall within the next few
seconds, spread over `--people` owners (Slack paces DMs per conversation, so one owner would measure
Slack's pacing, not the scheduler).

    .venv/bin/python benchmarks/reminders_bench.py [--pending 10000] [--due 200] [--people 100] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.sandbox.leadsquared import RateLimitRule  # noqa: E402
from bot.sandbox.slack import SlackUser  # noqa: E402
from bot.sandbox.stack import SandboxStack  # noqa: E402
from bot.store import iso  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--horizon", type=float, default=5.0, help="seconds over which the due ones fall")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL instead of SQLite")
    parser.add_argument("--lead", type=float, default=15.0,
                        help="seconds before the first falls due (seeding must be over by then)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as cleanup:
        database = {}
        if args.postgres:
            server = cleanup.enter_context(PostgresServer())
            database = {"database_url": server.new_database()}
        stack = SandboxStack(Path(folder) / "bench.db", lsq_rate_limit="1000/5s", **database)
        stack.lsq.rate = RateLimitRule(1000, 5.0)
        stack.start()
        try:
            run(stack, args)
        finally:
            stack.stop()


def run(stack: SandboxStack, args: argparse.Namespace) -> None:
    services = stack.bot.services
    store = services.store
    now = datetime.now(UTC)
    people = [f"UOWN{i:03d}" for i in range(args.people)]
    for person in people:
        stack.slack.add_user(SlackUser(person, person.lower(), person, f"{person.lower()}@acme-sales.test",
                                       "America/Chicago"))

    def seed() -> dict[str, float]:
        fire_times: dict[str, float] = {}
        with store.transaction():
            for person in people:
                store.keep_profile(person, {"name": person, "tz": "America/Chicago", "refreshed_at": iso(now),
                                            "guest": 0}, forget_crm_user=False)
            for i in range(args.pending):
                owner = people[i % len(people)]
                soon = i < args.due
                fire = now + timedelta(seconds=args.lead + args.horizon * i / max(args.due, 1)) if soon else (
                    now + timedelta(days=1, minutes=i))
                crm_id = None
                if soon:
                    crm_id = stack.lsq.add_task(f"bench {i}", fire + timedelta(minutes=15),
                                                "maria@acme-sales.test")["UserTaskId"]
                    fire_times[f"bench {i}"] = fire.timestamp()
                due = fire + timedelta(minutes=15)
                task_id = store.add_task(backend="leadsquared", crm_id=crm_id or f"far-{i}", kind="appointment",
                                         title=f"bench {i}", due_utc=due, end_utc=fire + timedelta(minutes=45),
                                         owner_slack_id=owner, status="open", details={})
                store.add_reminder(task_id, fire, "before", (iso(due), owner))
        services.reminders.wake()
        return fire_times

    started = time.time()
    fire_times = stack.bot_server.call(seed, timeout=120)
    print(f"seeded {args.pending} pending reminders in {time.time() - started:.1f} s "
          f"({args.due} due within {args.horizon:g} s, {args.people} owners)")
    wall_origin = time.time() - time.perf_counter()
    deadline = time.time() + args.lead + args.horizon + 30
    while time.time() < deadline:
        sent = [c for c in stack.slack.calls if c.method == "chat.postMessage" and "Reminder: bench" in str(c.args)]
        if len(sent) >= args.due:
            break
        time.sleep(0.1)
    lateness = []
    for call in sent:
        title = str(call.args.get("text")).split("Reminder: ")[1].rsplit(" in ", 1)[0]
        lateness.append(wall_origin + call.at - fire_times[title])
    print(f"sent {len(sent)}/{args.due}: lateness p50 {statistics.median(lateness) * 1000:.0f} ms, "
          f"p99 {p(lateness, 0.99) * 1000:.0f} ms, max {max(lateness) * 1000:.0f} ms")

    cpu_before, wall_before = time.process_time(), time.time()
    time.sleep(10)
    idle = (time.process_time() - cpu_before) / (time.time() - wall_before)
    pending = len(stack.bot_server.call(store.pending_reminders))
    print(f"idle with {pending} pending: {idle * 100:.2f}% of one core (whole process: bot and sandboxes)")
    if not stack.settings.database_url:
        size = sum(os.path.getsize(str(path)) for path in Path(stack.settings.taskbot_db).parent.glob("bench.db*"))
        print(f"database size: {size / 1024 / 1024:.1f} MiB for {args.pending} tasks and reminders")


if __name__ == "__main__":
    main()
