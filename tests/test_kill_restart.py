"""`taskbot run` killed with SIGKILL mid-work, then started again on the same database: nothing lost, nothing twice.

The bot runs as its own process, as in production, against the Slack, LeadSquared and HighLevel sandboxes
served from this process. LeadSquared is slowed so that work is in flight when the process dies: a burst of
/todo submissions, and a bulk run. After the restart every task exists exactly once in LeadSquared and
every confirmation (or the bulk report) reaches Slack.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import SystemClock
from bot.sandbox.faults import Fault
from bot.sandbox.highlevel import TOKEN as GHL_TOKEN
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY
from bot.sandbox.stack import BOT_TOKEN, SIGNING_SECRET, SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.bot_process import BotProcess
from tests.slack_helpers import bulk_csv

OPS = "UOPS"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, ACCESS_KEY, SECRET_KEY, GHL_TOKEN)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[SandboxStack, BotProcess]]:
    stack = SandboxStack(tmp_path / "taskbot.db", clock=SystemClock()).start(with_bot=False)
    # One rep sends the whole burst, faster than a person would: the per-rep limit is raised for it.
    bot = BotProcess(stack, tmp_path, env={"TASKBOT_BULK_USERS": OPS, "TASKBOT_USER_RATE": "100/30s",
                                           "LOG_LEVEL": "DEBUG"})
    try:
        bot.start()
        stack.external_bot_url = bot.url
        yield stack, bot
    finally:
        bot.stop()
        stack.stop()


def lsq_wait(stack: SandboxStack, predicate: Callable[[], Any], timeout: float) -> Any:
    """Block until `predicate()` holds after some change in LeadSquared."""
    with stack.lsq.changed:
        result = stack.lsq.changed.wait_for(predicate, timeout=timeout)
    assert result, "LeadSquared never reached the expected state"
    return result


def statuses(db: Path, query: str) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute(query).fetchall())


def copies(stack: SandboxStack, names: list[str]) -> dict[str, int]:
    with stack.lsq.lock:
        made = [task["Name"] for task in stack.lsq.state.tasks.values()]
    return {name: made.count(name) for name in names}


def test_a_burst_of_todos_killed_mid_flight_is_finished_once_after_restart(running):
    stack, bot = running
    stack.lsq.inject("Task.svc/Create", Fault(latency=0.4, jitter=0.3))
    # Slack takes about one post a second in a channel: the burst is spread over three, to keep the test short.
    reps = [stack.user("UMARIA", channel) for channel in ("CSALES", "CGENERAL", stack.slack.im_channel("UMARIA").id)]
    names = [f"kill burst call {i:02d}" for i in range(30)]
    for i, name in enumerate(names):
        rep = reps[i % len(reps)]
        rep.command(f"/todo {name} tmrw 3pm")
        rep.wait_for_modal("task_modal", where=lambda v: any(b.get("block_id") == "title" for b in v.view["blocks"]))
        assert rep.submit().status == 200
    lsq_wait(stack, lambda: len(stack.lsq.calls_to("Task.svc/Create")) >= 10, timeout=20)
    bot.kill()
    at_kill = statuses(stack.db_path, "SELECT status, COUNT(*) FROM operations GROUP BY status")
    in_flight = sum(count for status, count in at_kill.items() if status != "done")
    assert in_flight > 0, f"the kill came after all the work: {at_kill}"
    stack.lsq.clear_faults()

    bot.start()
    # A draft caught mid-send is looked up, and again after LeadSquared's landing grace (30 s), before it is resent.
    lsq_wait(stack, lambda: all(count >= 1 for count in copies(stack, names).values()), timeout=50)
    confirmed = stack.slack.wait_for(lambda: all(
        any(name in message.text for rep in reps for message in rep.channel_messages()) for name in names), timeout=40)
    assert confirmed
    posted = [message.text for rep in reps for message in rep.channel_messages()]
    repeated = sum(max(0, sum(name in text for text in posted) - 1) for name in names)
    bot.stop()
    assert copies(stack, names) == dict.fromkeys(names, 1), "lost or doubled"
    assert not [secret for secret in SECRETS if secret in bot.logged()], "a secret is in the log"
    print(f"burst: {len(names)} creates, {in_flight} unfinished at the kill {at_kill}, 0 lost, 0 doubled, "
          f"{repeated} confirmation(s) posted twice")


def test_a_bulk_run_killed_mid_run_is_finished_once_after_restart(running):
    stack, bot = running
    ops = stack.user(OPS)
    names = [f"kill bulk row {i:03d}" for i in range(300)]
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    ops.submit(bulk_file=ops.upload("rows.csv", bulk_csv([(name, "tmrw 3pm", "maria@acme-sales.test") for name in names])))
    summary = ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"), timeout=30)
    stack.lsq.inject("Task.svc/Bulk/Create", Fault(latency=1.0))
    ops.click("bulk_create", message=summary)
    lsq_wait(stack, lambda: stack.lsq.calls_to("Task.svc/Bulk/Create"), timeout=30)
    bot.kill()
    at_kill = statuses(stack.db_path, "SELECT status, COUNT(*) FROM bulk_rows GROUP BY status")
    chunks_accepted = len(stack.lsq.calls_to("Task.svc/Bulk/Create"))
    made_at_kill = sum(copies(stack, names).values())
    assert made_at_kill < len(names) and at_kill.get("queued", 0) + at_kill.get("sending", 0) > 0, (
        f"the kill came after all the work: {at_kill}")
    stack.lsq.clear_faults()

    bot.start()
    report = stack.slack.wait_for(lambda: next((m for m in ops_messages(stack, ops) if
                                                m.text.startswith("Bulk tasks done")), None), timeout=40)
    bot.stop()
    assert "300 created, 0 failed" in report.text
    assert copies(stack, names) == dict.fromkeys(names, 1), "lost or doubled"
    assert not [secret for secret in SECRETS if secret in bot.logged()], "a secret is in the log"
    print(f"bulk: {len(names)} rows, {chunks_accepted} chunk(s) accepted by LeadSquared at the kill, rows {at_kill}, "
          "0 lost, 0 doubled")


def ops_messages(stack: SandboxStack, ops: VirtualUser) -> list:
    return ops.dms() + ops.channel_messages()
