"""Slack flows against the sandboxes: modal opening, confirmation, and ack latency under load.

    .venv/bin/python benchmarks/flows_bench.py [--rounds 30] [--reps 20] [--slow-crm]

--slow-crm: LeadSquared and HighLevel take 1-3 s a call and Slack 200 ms, as on a bad day.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bot.meet_forms import start_text  # noqa: E402
from bot.sandbox.faults import Fault  # noqa: E402
from bot.sandbox.slack import Channel, SlackUser  # noqa: E402
from bot.sandbox.stack import SandboxStack  # noqa: E402
from bot.sandbox.virtual_user import VirtualUser  # noqa: E402
from bot.serving import free_port  # noqa: E402


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def first_call_after(stack: SandboxStack, method: str, since: float, match=lambda call: True,
                     timeout: float = 180) -> float:
    def found():
        return next((c.at for c in stack.slack.calls if c.method == method and c.at >= since and not c.error
                     and match(c)), None)
    return stack.slack.wait_for(found, timeout=timeout)


def full_modal(call) -> bool:
    view = call.args.get("view")
    return '"block_id": "title"' in (view if isinstance(view, str) else json.dumps(view))


def has_title(record) -> bool:
    return any(block.get("block_id") == "title" for block in record.view["blocks"])


def one_flow(stack: SandboxStack, rep: VirtualUser, n: int) -> tuple[float, float, list[float]]:
    started = time.perf_counter()
    acks = [rep.command(f"/todo bench call {n} tmrw 3pm")]
    opened = first_call_after(stack, "views.open", started, full_modal)
    rep.wait_for_modal("task_modal", where=has_title)
    acks.append(rep.type_into("due", "tmrw 4pm"))
    submitted = time.perf_counter()
    acks.append(rep.submit(owner="UMARIA"))
    posted = first_call_after(stack, "chat.postMessage", submitted,
                              lambda c: f"bench call {n}" in str(c.args.get("text")))
    return (opened - started) * 1000, (posted - submitted) * 1000, [a.latency_ms for a in acks]


def meet_flow(stack: SandboxStack, rep: VirtualUser, n: int, start: datetime) -> tuple[float, float, float]:
    """/meet: the placeholder opens at once; the form follows once HighLevel answered (calendars, team,
    the contact named, the start's free slots); the booking is checked against free slots again."""
    started = time.perf_counter()
    rep.command(f"/meet Priya bench run{n} {start_text(start, 'America/Los_Angeles')}")
    opened = first_call_after(stack, "views.open", started)
    filled = first_call_after(stack, "views.update", started, lambda c: "meet_calendar" in json.dumps(c.args))
    rep.wait_for_modal("meet_modal", where=lambda r: any(b.get("block_id") == "meet_calendar"
                                                         for b in r.view["blocks"]))
    submitted = time.perf_counter()
    errors = rep.submit().errors
    assert errors == {}, errors
    posted = first_call_after(stack, "chat.postMessage", submitted,
                              lambda c: f"Priya bench run{n}" in str(c.args.get("text")))
    return (opened - started) * 1000, (filled - started) * 1000, (posted - submitted) * 1000


def meet_rounds(stack: SandboxStack, rounds: int) -> None:
    la = ZoneInfo("America/Los_Angeles")
    today = datetime.now(la).date()
    monday = today + timedelta(days=7 - today.weekday())
    opens, fills, confirms = [], [], []
    for n in range(rounds):
        day = monday + timedelta(days=n // 16)
        start = datetime.combine(day, datetime.min.time(), la).replace(hour=9) + timedelta(minutes=30 * (n % 16))
        opened, filled, confirmed = meet_flow(stack, stack.user().in_channel(f"CDEAL{n:02d}"), n, start)
        opens.append(opened)
        fills.append(filled)
        confirms.append(confirmed)
    print(f"/meet -> views.open ({rounds} runs): median {statistics.median(opens):.0f} ms, p95 {p(opens, 0.95):.0f} ms")
    print(f"/meet -> full form with free slots (views.update): median {statistics.median(fills):.0f} ms, "
          f"p95 {p(fills, 0.95):.0f} ms")
    print(f"/meet submit -> confirmation posted: median {statistics.median(confirms):.0f} ms, "
          f"p95 {p(confirms, 0.95):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--slow-crm", action="store_true", help="1-3 s CRM calls and a 200 ms Slack")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stack = SandboxStack(Path(folder) / "bench.db").start(with_bot=False)
        bot = start_bot_process(stack)
        try:
            run(stack, args)
        finally:
            bot.send_signal(signal.SIGTERM)
            bot.wait(timeout=30)
            stack.stop()
        lines = [json.loads(line) for line in
                 Path(stack.settings.taskbot_db).with_suffix(".log").read_text().splitlines()
                 if '"latency_ms"' in line]
        acks = [line["latency_ms"] for line in lines]
        print(f"as the bot measured its own acks ({len(acks)} requests): median {statistics.median(acks):.1f} ms, "
              f"p99 {p(acks, 0.99):.1f} ms, max {max(acks):.1f} ms")
        slowest = sorted(lines, key=lambda line: -line["latency_ms"])[:3]
        print("  slowest: " + ", ".join(f"{line['request_type']} {line['request_name']} {line['latency_ms']:.0f} ms"
                                        for line in slowest))


def start_bot_process(stack: SandboxStack) -> subprocess.Popen:
    """The bot in its own process, as in production, so the sandboxes and virtual users don't share its GIL."""
    port = free_port()
    env = {**os.environ, **stack.bot_env(port), "LOG_FORMAT": "json", "TASKBOT_USER_RATE": "1000/1s"}
    log = open(Path(stack.settings.taskbot_db).with_suffix(".log"), "w")
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stderr=log)
    stack.external_bot_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(stack.external_bot_url + "/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the bot did not start")


def run(stack: SandboxStack, args: argparse.Namespace) -> None:
    for i in range(max(args.reps, args.rounds)):
        stack.slack.add_user(SlackUser(f"UREP{i:02d}", f"rep{i}", f"Rep {i}", f"rep{i}@acme-sales.test",
                                       "America/Chicago"))
        stack.lsq.state.users.append({**stack.lsq.state.users[1], "ID": f"a1b2c3d4-0000-4000-8000-{i + 100:012d}",
                                      "FirstName": "Rep", "LastName": str(i), "EmailAddress": f"rep{i}@acme-sales.test"})
        stack.slack.add_channel(Channel(f"CDEAL{i:02d}", f"deal-{i}",
                                        members={f"UREP{i:02d}", "UMARIA", stack.slack.bot_user_id}))
    maria = stack.user()
    maria.command("/todo warm the caches tmrw")
    maria.wait_for_modal("task_modal", where=has_title)
    maria.close_modal()
    if args.slow_crm:
        stack.lsq.inject("", Fault(latency=1.0, jitter=2.0))
        stack.ghl.inject("", Fault(latency=1.0, jitter=2.0))
        stack.slack.latency = 0.2
        print("slow CRMs: every LeadSquared and HighLevel call takes 1-3 s; Slack answers in 200 ms")
    opens, confirms = [], []
    for n in range(args.rounds):
        opened, confirmed, _ = one_flow(stack, maria.in_channel(f"CDEAL{n:02d}"), n)
        opens.append(opened)
        confirms.append(confirmed)
    print(f"slash command -> views.open (warm caches, {args.rounds} runs): median {statistics.median(opens):.0f} ms"
          f", p95 {p(opens, 0.95):.0f} ms")
    print(f"submit -> confirmation posted (one rep, a channel each time): median {statistics.median(confirms):.0f} ms, "
          f"p95 {p(confirms, 0.95):.0f} ms")
    meet_rounds(stack, args.rounds)

    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {"command": [], "type": [], "submit": []}
    lock = threading.Lock()

    def rep_session(i: int) -> None:
        rep = stack.user(f"UREP{i:02d}", f"CDEAL{i:02d}")
        for n in range(5):
            _, _, acks = one_flow(stack, rep, 1000 * (i + 1) + n)
            with lock:
                latencies.extend(acks)
                for kind, latency in zip(by_kind, acks, strict=False):
                    by_kind[kind].append(latency)

    started = time.perf_counter()
    threads = [threading.Thread(target=rep_session, args=(i,)) for i in range(args.reps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    creates = len(stack.lsq.calls_to("Task.svc/Create"))
    print(f"  ({creates} LeadSquared creates in all, paced by the 25/5s limit)")
    print(f"{args.reps} concurrent reps, {len(latencies)} requests in {elapsed:.1f} s: ack median "
          f"{statistics.median(latencies):.1f} ms, p99 {p(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms")
    for kind, samples in by_kind.items():
        print(f"  {kind:8} median {statistics.median(samples):.1f} ms, p99 {p(samples, 0.99):.1f} ms")



if __name__ == "__main__":
    main()
