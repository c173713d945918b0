"""The largest input each path accepts, and how long it stalls the bot's event loop (p99 and max).

A probe on the bot's own loop wakes every millisecond and records how late it woke; the input is
sent while it runs, and the bot's follow-up work (modal, checks, DMs) is waited for before the
figures are read. Inputs one step over each cap are sent too, to show the refusal costs nothing.

    .venv/bin/python benchmarks/limits_bench.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import SystemClock  # noqa: E402
from bot.limits import (  # noqa: E402
    COMMAND_TEXT_MAX,
    FIELD_TEXT_MAX,
    SLACK_BODY_MAX,
    UPLOAD_BYTES_MAX,
    WEBHOOK_BODY_MAX,
)
from bot.sandbox.stack import SandboxStack  # noqa: E402


class LoopProbe:
    """Lateness of 1 ms sleeps on the bot's loop: how long anything there held it."""

    def __init__(self, stack: SandboxStack):
        self.loop = stack.bot_server.loop
        self.lags: list[float] = []
        self.running = False

    async def _watch(self) -> None:
        while self.running:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            self.lags.append((time.perf_counter() - before - 0.001) * 1000)

    def __enter__(self) -> LoopProbe:
        self.running = True
        self.future = asyncio.run_coroutine_threadsafe(self._watch(), self.loop)
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.future.result(5)

    def figures(self) -> str:
        lags = sorted(self.lags)
        p99 = lags[int(len(lags) * 0.99) - 1] if len(lags) >= 100 else lags[-1]
        return f"loop stall p99 {p99:.1f} ms, max {lags[-1]:.1f} ms ({len(lags)} samples)"


def measure(stack: SandboxStack, label: str, action: Callable[[], object], settle: float = 0.5) -> None:
    with LoopProbe(stack) as probe:
        started = time.perf_counter()
        outcome = action()
        took = time.perf_counter() - started
        time.sleep(settle)
    print(f"{label}: {outcome}; answered in {took * 1000:.0f} ms; {probe.figures()}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        stack = SandboxStack(Path(folder) / "limits.db", clock=SystemClock(), reminder_loop=False,
                             taskbot_admins="UOPS", taskbot_webhook_secret="bench-secret",
                             taskbot_user_rate="1000/1s").start()
        try:
            run(stack)
        finally:
            stack.stop()


def run(stack: SandboxStack) -> None:
    maria, ops = stack.user("UMARIA", "CSALES"), stack.user("UOPS", "CSALES")
    maria.command("/taskbot whoami")
    maria.wait_for_ephemeral()

    def todo(length: int) -> Callable[[], str]:
        def send() -> str:
            ack = maria.command("/todo call " + "w" * (length - 5))
            if isinstance(ack.body, dict):
                return f"refused ({ack.body['text'][:40]}...)"
            maria.wait_for_modal("task_modal", timeout=30)
            maria.close_modal()
            return "modal opened"
        return send

    measure(stack, f"/todo text {COMMAND_TEXT_MAX:,} characters (the cap)", todo(COMMAND_TEXT_MAX), settle=1.0)
    measure(stack, f"/todo text {1_000_000:,} characters", todo(1_000_000))

    def submit_description(length: int) -> Callable[[], str]:
        def send() -> str:
            maria.command("/todo call Priya tmrw 3pm")
            maria.wait_for_modal("task_modal", where=lambda v: any(b.get("block_id") == "title"
                                                                   for b in v.view["blocks"]))
            errors = maria.submit(description="d" * length).errors
            maria.close_modal()
            return f"inline error on {sorted(errors)}" if errors else "accepted"
        return send

    measure(stack, f"task modal description {FIELD_TEXT_MAX:,} characters (Slack's cap)",
            submit_description(FIELD_TEXT_MAX), settle=1.0)

    def paste() -> Callable[[], str]:
        def send() -> str:
            rows = (f"follow-up {i:02d} | fri {1 + i % 8}pm | maria@acme-sales.test" for i in range(1000))
            lines = ""
            for row in rows:
                if len(lines) + len(row) + 1 > FIELD_TEXT_MAX:
                    break
                lines += ("\n" if lines else "") + row
            ops.command("/bulktasks")
            ops.wait_for_modal("bulk_modal")
            ops.submit(bulk_lines=lines)
            note = ops.wait_for_dm(lambda m: m.text.startswith(("Bulk tasks checked", ":warning:")) or
                                   "at most" in m.text, timeout=120)
            return f"{len(lines):,} characters: {note.text[:60]}"
        return send

    measure(stack, f"/bulktasks pasted lines, {FIELD_TEXT_MAX:,} characters at most (what Slack lets through)",
            paste(), settle=0.2)

    def upload(rows: int) -> Callable[[], str]:
        def send() -> str:
            content = b"Name,DueDate,OwnerEmailAddress\n" + b"follow-up,fri 3pm,maria@acme-sales.test\n" * rows
            stored = stack.slack.add_file("upload.csv", content)
            ops.command("/bulktasks")
            ops.wait_for_modal("bulk_modal")
            before = len(ops.dms())
            ops.submit(bulk_file=[{"id": stored.id, "name": stored.name}])
            note = stack.slack.wait_for(lambda: next((m for m in ops.dms()[before:] if "Checking" not in m.text
                                                      and ("checked" in m.text or "at most" in m.text)), None),
                                        timeout=120)
            return f"{len(content):,} bytes: {note.text[:70]}"
        return send

    measure(stack, "CSV upload 5,000 rows (the row cap)", upload(5000), settle=0.2)
    measure(stack, "CSV upload 5,001 rows", upload(5001), settle=0.2)
    measure(stack, f"CSV upload just under {UPLOAD_BYTES_MAX // 1024 // 1024} MB (the size cap)",
            upload(UPLOAD_BYTES_MAX // 40 - 1), settle=0.2)
    measure(stack, "CSV upload 6 MB", upload(6 * 1024 * 1024 // 40), settle=0.2)

    def post(path: str, size: int, headers: dict[str, str]) -> Callable[[], str]:
        def send() -> str:
            body = b'{"TaskId": "t1", "pad": "' + b"x" * max(0, size - 27) + b'"}'
            answer = httpx.post(stack.bot_url + path, content=body, headers=headers, timeout=30)
            return f"{len(body):,} bytes -> HTTP {answer.status_code}"
        return send

    secret = {"X-Taskbot-Webhook-Secret": "bench-secret"}
    measure(stack, "task webhook at the cap", post("/webhooks/leadsquared/tasks", WEBHOOK_BODY_MAX, secret))
    measure(stack, "task webhook over the cap", post("/webhooks/leadsquared/tasks", WEBHOOK_BODY_MAX + 1, secret))
    measure(stack, "Slack request over the cap", post("/slack/events", SLACK_BODY_MAX + 1, {}))

    with LoopProbe(stack) as probe:
        started = time.perf_counter()
        for _ in range(200):
            maria.command("/taskbot help")
        took = time.perf_counter() - started
    print(f"200 x /taskbot help: {took / 200 * 1000:.1f} ms each; {probe.figures()}")
    print(f"(median loop lag while idle-ish: {statistics.median(probe.lags):.2f} ms)")


if __name__ == "__main__":
    main()
