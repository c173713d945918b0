"""Reminder DMs at the right moment, in the owner's zone, never twice and never lost (injected clock)."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.models import Kind
from bot.reminders import Reminders, before_time
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from bot.store import Store, iso
from bot.store.leases import LEASE
from tests.slack_helpers import create_task, eventually, has_block, words
from tests.store_helpers import sql

LA = ZoneInfo("America/Los_Angeles")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LA)


def move_to(stack: SandboxStack, clock: ManualClock, when: datetime) -> int:
    """Let time pass to `when` and give the scheduler its turn; returns how many DMs went out."""
    clock.advance(when - clock.now())
    return stack.bot_server.run_coroutine(stack.bot.services.reminders.run_due())


def reminder_dms(rep: VirtualUser) -> list:
    return [m for m in rep.dms() if "Reminder:" in m.text or "Overdue:" in m.text]


def test_when_the_before_reminder_is_due():
    due = at("2025-03-05 15:00")
    assert before_time(Kind.APPOINTMENT, due, "America/Los_Angeles", 30, None, None, {}) == due - timedelta(minutes=30)
    assert before_time(Kind.APPOINTMENT, due, "America/Los_Angeles", None, None, None, {}) == due - timedelta(minutes=15)
    assert before_time(Kind.APPOINTMENT, due, "UTC", None, None, None,
                       {"reminder_appt_minutes": 60}) == due - timedelta(hours=1)
    assert before_time(Kind.TODO, due, "America/Los_Angeles", None, 1, "10:30", {}) == at("2025-03-04 10:30")
    assert before_time(Kind.TODO, due, "America/Los_Angeles", None, None, None, {}) == at("2025-03-05 09:00")
    evening_in_india = datetime(2025, 3, 6, 12, 0, tzinfo=UTC)
    assert before_time(Kind.TODO, evening_in_india, "Asia/Kolkata", None, 0, "09:00", {}) == datetime(
        2025, 3, 6, 3, 30, tzinfo=UTC), "the due day is the owner's day"
    assert before_time(Kind.TODO, due, "Asia/Kolkata", None, 0, "09:00", {}) == due, "never after the due time"
    spring = datetime(2025, 3, 10, 16, 0, tzinfo=UTC)
    assert before_time(Kind.TODO, spring, "America/New_York", None, 2, "09:00", {}) == datetime(
        2025, 3, 8, 14, 0, tzinfo=UTC), "09:00 EST on the Saturday before the change"


def test_an_appointment_reminder_arrives_before_it_not_earlier(stack: SandboxStack, maria: VirtualUser, clock):
    create_task(maria, "/appt demo with Acme tmrw 3pm", task_type="Demo")
    assert move_to(stack, clock, at("2025-03-05 14:44")) == 0
    assert move_to(stack, clock, at("2025-03-05 14:45")) == 1
    dm = reminder_dms(maria)[-1]
    assert "demo with Acme" in dm.text and "in 15 min" in words(dm.blocks)
    labels = [e["text"]["text"] for b in dm.blocks if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Complete", "Snooze 15 min", "Snooze 1 hour", "Tomorrow 9:00", "Reschedule"]
    assert move_to(stack, clock, at("2025-03-05 14:50")) == 0, "never twice"


def test_a_todo_reminds_on_its_day_at_its_time_then_says_when_it_is_overdue(stack, maria, clock):
    create_task(maria, "/todo send proposal tmrw 3pm")
    assert move_to(stack, clock, at("2025-03-05 08:59")) == 0
    assert move_to(stack, clock, at("2025-03-05 09:00")) == 1
    assert "send proposal" in reminder_dms(maria)[-1].text
    assert move_to(stack, clock, at("2025-03-05 15:00")) == 1
    overdue = reminder_dms(maria)[-1]
    assert overdue.text == "Overdue: send proposal" and "overdue" in words(overdue.blocks)


def test_snooze_brings_it_back_later(stack: SandboxStack, maria: VirtualUser, clock):
    create_task(maria, "/appt client call tmrw 3pm")
    assert move_to(stack, clock, at("2025-03-05 14:45")) == 1
    dm = reminder_dms(maria)[-1]
    maria.click("Snooze 15 min", message=dm)
    snoozed = stack.slack.wait_for(lambda: (lambda m: "Snoozed" in m.text and m)(
        stack.slack.find_message(dm.channel, dm.ts)))
    assert "{date_short_pretty} at {time}|Wed Mar 5, 3:00 PM PST" in snoozed.text, "the day is said too"
    assert move_to(stack, clock, at("2025-03-05 14:59")) == 0
    assert move_to(stack, clock, at("2025-03-05 15:00")) == 1
    assert "client call" in reminder_dms(maria)[-1].text


def test_completing_from_the_reminder_cancels_what_is_left(stack: SandboxStack, maria: VirtualUser, clock):
    confirmation = create_task(maria, "/todo call Priya tmrw 3pm")
    move_to(stack, clock, at("2025-03-05 09:00"))
    dm = reminder_dms(maria)[-1]
    maria.click("Complete", message=dm)
    maria.wait_for_reply(confirmation, lambda m: "completed this" in m.text)
    stack.slack.wait_for(lambda: "Completed" in stack.slack.find_message(dm.channel, dm.ts).text)
    assert [t for t in stack.lsq.tasks_named("call Priya") if t["StatusCode"] == 1]
    assert move_to(stack, clock, at("2025-03-05 16:00")) == 0, "no overdue DM for a completed task"


def test_a_task_completed_in_leadsquared_gets_no_reminder(stack: SandboxStack, maria: VirtualUser, clock):
    create_task(maria, "/todo renew contract tmrw 3pm")
    stack.lsq.tasks_named("renew contract")[0]["StatusCode"] = 1
    assert move_to(stack, clock, at("2025-03-05 09:00")) == 0


def test_rescheduling_moves_the_reminders(stack: SandboxStack, maria: VirtualUser, clock):
    confirmation = create_task(maria, "/todo prep deck tmrw 3pm")
    maria.click("Reschedule", message=confirmation)
    maria.wait_for_modal("reschedule_modal")
    maria.submit(when="fri 3pm")
    maria.wait_for_reply(confirmation, lambda m: "moved this" in m.text)
    assert move_to(stack, clock, at("2025-03-05 09:00")) == 0
    assert move_to(stack, clock, at("2025-03-07 09:00")) == 1


def test_after_downtime_recent_reminders_go_out_late_and_old_ones_wait_for_the_digest(stack, maria, clock):
    create_task(maria, "/todo small thing tmrw 3pm")
    create_task(maria, "/appt big meeting tmrw 9am")
    stack.bot_server.call(lambda: stack.bot.services.people.set_preferences("UMARIA", digest_enabled=1))
    # the bot was down from 8:30 to 9:20; the meeting's 8:45 reminder is 35 min late, the to-do's 9:00 one 20 min
    assert move_to(stack, clock, at("2025-03-05 09:20")) == 1
    late = reminder_dms(maria)[-1]
    assert "small thing" in late.text and "Sent late" in words(late.blocks)
    digest_count = stack.bot_server.run_coroutine(stack.bot.services.reminders.send_digests())
    digest = [m for m in maria.dms() if m.text.startswith("Your day")][-1]
    assert digest_count == 1 and "missed while Taskbot was offline: big meeting" in words(digest.blocks)
    assert stack.bot_server.run_coroutine(stack.bot.services.reminders.send_digests()) == 0, "once a day"


def test_the_daily_digest_lists_today_and_overdue_for_those_who_opted_in(stack, maria, clock):
    stack.lsq.add_task("yesterday's call", at("2025-03-04 08:00"), "maria@acme-sales.test")
    stack.lsq.add_task("lunch follow-up", at("2025-03-05 13:00"), "maria@acme-sales.test")
    reminders = stack.bot.services.reminders
    clock.advance(at("2025-03-05 09:00") - clock.now())
    assert stack.bot_server.run_coroutine(reminders.send_digests()) == 0, "opt-in only"
    maria.open_home()
    stack.slack.wait_for(lambda: maria.home)
    maria.click("Turn on", in_home=True)
    stack.slack.wait_for(lambda: "on" in words(maria.home["blocks"]).split("Daily digest")[1][:60])
    assert stack.bot_server.run_coroutine(reminders.send_digests()) == 1
    digest = [m for m in maria.dms() if m.text.startswith("Your day")][-1]
    shown = words(digest.blocks)
    assert shown.index("Overdue") < shown.index("yesterday's call") < shown.index("Today") < shown.index(
        "lunch follow-up")


def test_two_schedulers_on_one_database_send_each_reminder_once(stack: SandboxStack, maria: VirtualUser, clock):
    create_task(maria, "/todo shared db task tmrw 3pm")
    services = stack.bot.services
    second = stack.bot_server.call(lambda: Reminders(Store(stack.settings.database, clock), services.people,
                                                     services.slack, services.settings, clock, services.changes,
                                                     services.meetings))
    clock.advance(at("2025-03-05 09:00") - clock.now())

    async def both() -> list[int]:
        return list(await asyncio.gather(services.reminders.run_due(), second.run_due()))

    assert sorted(stack.bot_server.run_coroutine(both())) == [0, 1]
    assert len([m for m in reminder_dms(maria) if "shared db task" in m.text]) == 1


@pytest.mark.refusals_expected
def test_a_reminder_that_breaks_on_the_way_waits_and_goes_out_later_once(stack: SandboxStack, maria: VirtualUser,
                                                                          clock):
    create_task(maria, "/todo profile hiccup tmrw 3pm")
    stack.slack.fail_next("users.info", "internal_error", times=1)
    assert move_to(stack, clock, at("2025-03-05 09:00")) == 0, "Slack could not say who the owner is"
    [waiting] = [r for r in stack.bot_server.call(stack.bot.services.reminders.pending) if r["kind"] == "before"]
    assert waiting["attempts"] == 1 and waiting["retry_at"], "back to wait, not stranded as claimed"
    assert move_to(stack, clock, at("2025-03-05 09:01")) == 1
    assert len([m for m in reminder_dms(maria) if "profile hiccup" in m.text]) == 1


def test_a_crash_loses_nothing_and_repeats_only_if_it_fell_between_send_and_commit(stack, maria, clock):
    create_task(maria, "/todo crash before send tmrw 3pm")
    create_task(maria, "/todo crash after send tmrw 3pm")
    reminders = stack.bot.services.reminders
    store = stack.bot.services.store
    clock.advance(at("2025-03-05 09:00") - clock.now())
    pending = stack.bot_server.call(reminders.pending)
    due = {stack.bot_server.call(store.task, r["task_id"])["title"]: r["id"] for r in pending if r["kind"] == "before"}
    # Another replica claimed the first and stopped before sending it ...
    stack.bot_server.call(lambda: sql(
        store, "UPDATE reminders SET status = 'claimed', claimed_by = :me, lease_until = :until WHERE id = :id",
        me=store.owner, until=iso(clock.now() + LEASE), id=due["crash after send"]))
    assert stack.bot_server.run_coroutine(reminders._send_one(due["crash after send"], clock.now()))
    # ... and sent the second, then stopped before its "sent" was committed.
    for reminder_id in due.values():
        stack.bot_server.call(lambda reminder_id=reminder_id: sql(
            store, "UPDATE reminders SET status = 'claimed', claimed_by = 'elsewhere:1:gone', claimed_at = :now, "
            "lease_until = :until WHERE id = :id", now=iso(clock.now()), until=iso(clock.now() + LEASE), id=reminder_id))

    assert move_to(stack, clock, at("2025-03-05 09:00:59")) == 0, "a claim under a live lease is not taken over"
    assert move_to(stack, clock, at("2025-03-05 09:01:01")) == 2, "claims whose lease ran out are sent"
    assert len([m for m in reminder_dms(maria) if "crash before send" in m.text]) == 1, "nothing lost"
    assert len([m for m in reminder_dms(maria) if "crash after send" in m.text]) == 2, (
        "the one window: sent, then the crash came before the commit")


def test_the_scheduler_loop_sends_on_time_by_itself(tmp_path):
    from bot.clock import ScaledClock, SystemClock

    clock = ScaledClock(600, start=datetime(2025, 3, 4, 18, 15, tzinfo=UTC))
    with SandboxStack(tmp_path / "loop.db", clock=clock, slack_clock=SystemClock()) as stack:
        rep = stack.user()
        rep.command("/appt quick sync in 20 mins")
        rep.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
        rep.submit()
        dm = rep.wait_for_dm(lambda m: m.text.startswith("Reminder: quick sync"), timeout=10)
        [sent] = eventually(lambda: stack.bot_server.call(sql, stack.bot.services.store,
                                                          "SELECT * FROM reminders WHERE status = 'sent'"))
        lateness = (datetime.fromisoformat(sent["sent_at"]) - datetime.fromisoformat(sent["fire_at"]))
        assert timedelta(0) <= lateness < timedelta(minutes=1)
        assert "in 15 min" in words(dm.blocks) or "in 14 min" in words(dm.blocks)


def test_tasks_made_in_leadsquared_get_reminders_through_the_webhook(tmp_path, clock):
    import httpx

    with SandboxStack(tmp_path / "hooks.db", clock=clock, reminder_loop=False,
                      public_url="https://taskbot.example.test", taskbot_webhook_secret="hook-secret") as stack:
        maria = stack.user()
        maria.command("/taskbot whoami")
        maria.wait_for_ephemeral(lambda e: "Maria Lopez" in e.text)
        task = stack.lsq.add_task("made in LeadSquared", at("2025-03-05 15:00"), "maria@acme-sales.test")
        url = f"{stack.bot_url}/webhooks/leadsquared/tasks/hook-secret"
        assert httpx.post(url.replace("hook-secret", "wrong"), json={}).status_code == 404
        answer = httpx.post(url, json={"WebhookEvent": 7, "Data": {"UserTaskId": task["UserTaskId"]}})
        assert answer.json() == {"accepted": 1}
        reminders = stack.bot.services.reminders
        eventually(lambda: stack.bot_server.call(reminders.pending))
        assert move_to(stack, clock, at("2025-03-05 09:00")) == 1
        assert "made in LeadSquared" in reminder_dms(maria)[-1].text

        task["StatusCode"] = 1
        httpx.post(url, json={"WebhookEvent": 16, "UserTaskId": task["UserTaskId"]})
        eventually(lambda: not stack.bot_server.call(reminders.pending))
        assert move_to(stack, clock, at("2025-03-05 16:00")) == 0


def test_a_reminder_that_goes_out_late_is_worded_for_when_it_is_read(stack, maria, clock):
    create_task(maria, "/appt client call tmrw 3pm")
    assert move_to(stack, clock, at("2025-03-05 15:11")) == 1
    dm = reminder_dms(maria)[-1]
    assert dm.text == "Reminder: client call was due 11 min ago"
    assert "in 15 min" not in words(dm.blocks) and "Sent late" in words(dm.blocks)

