"""What a real workspace would do to the bot: strict Block Kit, triggers that expire, slow CRMs, refusals."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.outbox import CONFIRM_BACKOFF
from bot.sandbox.faults import Fault
from bot.sandbox.highlevel import LOCATION_ID
from bot.sandbox.slack import DROPPED, Channel
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.slack_helpers import create_task, eventually, has_block, words
from tests.store_helpers import sql

MARIA = "maria@acme-sales.test"
LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2025, 3, 4, 18, 15, tzinfo=UTC)
SLOW = 3.2


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LA)


def move_to(stack: SandboxStack, clock, when: datetime) -> int:
    clock.advance(when - clock.now())
    return stack.bot_server.run_coroutine(stack.bot.services.reminders.run_due())


def reminders(stack: SandboxStack) -> list[dict]:
    return stack.bot_server.call(sql, stack.bot.services.store, "SELECT * FROM reminders ORDER BY id")


def reminder_dms(rep: VirtualUser) -> list:
    return [m for m in rep.dms() if m.text.startswith(("Reminder:", "Overdue:"))]


# ----- reminders -------------------------------------------------------------------------------------


def test_a_reminder_reaches_the_rep_and_each_snooze_is_its_own_button(stack, maria, clock):
    create_task(maria, "/todo call <!channel> & Priya tmrw 3pm")
    assert move_to(stack, clock, at("2025-03-05 09:00")) == 1
    dm = reminder_dms(maria)[-1]
    assert dm.text.startswith("Reminder: call &lt;!channel&gt; &amp; Priya"), "the notification text is escaped"
    [buttons] = [b for b in dm.blocks if b["type"] == "actions"]
    ids = [e["action_id"] for e in buttons["elements"]]
    assert len(set(ids)) == len(ids) == 5
    maria.click("Snooze 1 hour", message=dm)
    stack.slack.wait_for(lambda: "Snoozed" in stack.slack.find_message(dm.channel, dm.ts).text)
    assert move_to(stack, clock, at("2025-03-05 10:00")) == 1


def test_a_sent_reminder_is_not_sent_again_when_the_task_is_synced_or_edited(stack, maria, clock):
    confirmation = create_task(maria, "/todo renewal prep tmrw 3pm")
    assert move_to(stack, clock, at("2025-03-05 09:00")) == 1
    [task] = stack.lsq.tasks_named("renewal prep")
    changes = stack.bot.services.changes
    stack.bot_server.run_coroutine(changes.sync_from_crm(task["UserTaskId"]))
    maria.click("Edit", message=confirmation)
    maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    maria.submit(title="renewal prep for Acme")
    maria.wait_for_reply(confirmation, lambda m: "edited this" in m.text)
    assert move_to(stack, clock, at("2025-03-05 09:05")) == 0, "same due time, same owner: once"
    maria.click("Reschedule", message=confirmation)
    maria.wait_for_modal("reschedule_modal")
    maria.submit(when="thu 3pm")
    maria.wait_for_reply(confirmation, lambda m: "moved this" in m.text)
    assert move_to(stack, clock, at("2025-03-06 09:00")) == 1, "a new due time: a new reminder"


def test_a_dm_refused_for_good_marks_the_reminder_failed_and_the_loop_waits(stack, maria, clock, caplog):
    create_task(maria, "/todo handover tmrw 3pm")
    stack.slack.users["UMARIA"].deleted = True
    with caplog.at_level(logging.WARNING, logger="taskbot.reminders"):
        assert move_to(stack, clock, at("2025-03-05 09:00")) == 0
    assert "refused by Slack for good (user_disabled)" in caplog.text
    assert [r["status"] for r in reminders(stack) if r["kind"] == "before"] == ["failed"]
    lsq_calls = len(stack.lsq.calls)
    assert move_to(stack, clock, at("2025-03-05 09:01")) == 0
    assert len(stack.lsq.calls) == lsq_calls, "a failed reminder costs nothing more"
    assert stack.bot_server.call(stack.bot.services.reminders._seconds_to_next) >= 1.0


def test_a_dm_refused_for_now_is_tried_again_later_not_at_once(stack, maria, clock):
    create_task(maria, "/todo quarterly plan tmrw 3pm")
    stack.slack.fail_next("chat.postMessage", "service_unavailable")
    assert move_to(stack, clock, at("2025-03-05 09:00")) == 0
    assert stack.bot_server.call(stack.bot.services.reminders._seconds_to_next) >= 29
    assert move_to(stack, clock, at("2025-03-05 09:00:20")) == 0, "not before its back-off"
    assert move_to(stack, clock, at("2025-03-05 09:00:31")) == 1
    assert len([m for m in reminder_dms(maria) if "quarterly plan" in m.text]) == 1


def test_a_confirmation_whose_connection_dropped_is_posted_again(stack, maria):
    stack.slack.fail_next("chat.postMessage", DROPPED)
    confirmation = create_task(maria, "/todo call Priya about the renewal tmrw 3pm")
    assert "call Priya about the renewal" in confirmation.text
    assert [call.error for call in stack.slack.calls if call.method == "chat.postMessage"] == [DROPPED, None]
    assert [row["status"] for row in sql(stack.bot.services.store, "SELECT status FROM operations")] == ["done"]


def test_a_confirmation_slack_never_took_is_let_go_for_any_replica_to_post(stack, maria):
    stack.slack.fail_next("chat.postMessage", DROPPED, times=len(CONFIRM_BACKOFF))
    maria.command("/todo call Tom about the renewal tmrw 3pm")
    maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    maria.submit()
    store = stack.bot.services.store
    given_up = {"status": "created", "lease_owner": None}
    eventually(lambda: sql(store, "SELECT status, lease_owner FROM operations") == [given_up])
    assert stack.bot_server.run_coroutine(stack.bot.services.outbox.resume()) == 1
    assert "call Tom about the renewal" in maria.wait_for_confirmation().text
    assert [row["status"] for row in sql(store, "SELECT status FROM operations")] == ["done"]


# ----- lists -----------------------------------------------------------------------------------------


def test_a_busy_rep_sees_tasks_and_meetings_page_by_page(stack, maria):
    for i in range(20):
        stack.lsq.add_task(f"call #{i:02d}", NOW + timedelta(hours=i + 1), MARIA)
    for i in range(4):
        stack.ghl.book("calDemo00000000001", "conPriya0000000001", NOW + timedelta(days=1, hours=i), 30,
                       f"demo #{i}", "usrMaria0000000001")
    maria.command("/tasks")
    first = maria.wait_for_ephemeral(lambda e: "20 tasks" in e.text, timeout=10)
    assert len(first.blocks) <= 50 and "page 1 of 2" in words(first.blocks)
    assert "demo #0" in words(first.blocks) and "call #15" in words(first.blocks)
    maria.click("Next 4", ephemeral=first)
    second = maria.wait_for_ephemeral(lambda e: "page 2 of 2" in words(e.blocks), timeout=10)
    assert "call #19" in words(second.blocks) and "demo #0" not in words(second.blocks)
    maria.click("Previous", ephemeral=second)
    maria.wait_for_ephemeral(lambda e: "page 1 of 2" in words(e.blocks), timeout=10)


def test_a_reply_slack_refuses_is_logged_and_told_by_dm(stack, maria, caplog):
    stack.lsq.add_task("one call", NOW + timedelta(hours=2), MARIA)
    stack.slack.fail_next("response_url", "expired_url")
    with caplog.at_level(logging.WARNING, logger="taskbot.slack_client"):
        maria.command("/tasks")
        dm = maria.wait_for_dm(lambda m: "couldn't show this" in m.text, timeout=10)
    assert "expired_url" in dm.text and "1 task" in dm.text
    assert "response_url post refused (404 expired_url)" in caplog.text


# ----- modals under slow CRMs ------------------------------------------------------------------------


def test_reschedule_and_edit_open_although_leadsquared_outlasts_the_trigger(stack, maria):
    confirmation = create_task(maria, "/todo slow crm call tmrw 3pm")
    stack.lsq.inject("", Fault(latency=SLOW, times=1))
    maria.click("Reschedule", message=confirmation)
    modal = maria.wait_for_modal("reschedule_modal", timeout=15)
    assert "slow crm call" in words(modal.view["blocks"])
    maria.close_modal()
    stack.lsq.inject("", Fault(latency=SLOW, times=1))
    maria.click("Edit", message=confirmation)
    modal = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"), timeout=15)
    assert modal.view["title"]["text"] == "Edit to-do"


def test_a_meetings_reschedule_opens_although_highlevel_outlasts_the_trigger(stack, maria):
    start = datetime(2025, 3, 5, 18, 0, tzinfo=UTC)
    meeting = stack.ghl.book("calDemo00000000001", "conPriya0000000001", start, 30, "slow demo", "usrMaria0000000001")
    maria.open_home()
    stack.slack.wait_for(lambda: maria.home and "slow demo" in words(maria.home["blocks"]), timeout=15)
    stack.ghl.inject("", Fault(latency=SLOW, times=1))
    maria.click("Reschedule", in_home=True, value=meeting["id"] + "|home")
    modal = maria.wait_for_modal("meet_reschedule_modal", timeout=15)
    assert "slow demo" in words(modal.view["blocks"])


def test_a_task_with_a_long_description_can_be_edited(stack, maria):
    long_text = "Notes from the call: " + "pricing, volumes and timing. " * 100
    message = maria.say(long_text[:2900])
    maria.message_shortcut("create_task_from_message", message)
    maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    maria.submit(due="tmrw 3pm")
    confirmation = maria.wait_for_reply(message, lambda m: "created" in m.text)
    maria.click("Edit", message=confirmation)
    modal = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"), timeout=10)
    assert len(modal.view["private_metadata"]) < 3000
    maria.submit(title="pricing follow-up")
    maria.wait_for_reply(message, lambda m: m.text.endswith("edited this: subject"))
    [task] = stack.lsq.tasks_named("pricing follow-up")
    assert task["Description"].startswith("Notes from the call")


def test_a_calendar_with_a_hundred_people_fits_the_meet_modal(stack, maria):
    team = stack.ghl.state.calendars[0]["teamMembers"]
    for i in range(100):
        user_id = f"usrBig{i:012d}"
        stack.ghl.state.users.append({
            "id": user_id, "name": f"Person Number{i}", "firstName": "Person", "lastName": f"Number{i}",
            "email": f"person.number{i}@a-rather-long-company-domain.test", "phone": None,
            "roles": {"type": "account", "role": "user", "locationIds": [LOCATION_ID]}})
        team.append({"userId": user_id, "priority": 0.5, "isPrimary": False})
    maria.command("/meet Priya demo tmrw 2pm")
    modal = maria.wait_for_modal("meet_modal", where=lambda v: has_block(v.view, "meet_calendar"), timeout=15)
    assert len(modal.view["private_metadata"]) < 3000
    assert maria.submit().errors == {}
    maria.wait_for_message(lambda m: "Meeting booked" in m.text, timeout=10)


# ----- /bulktasks ------------------------------------------------------------------------------------


def test_bulk_lines_may_name_owners_with_at_names(stack):
    ops = stack.user("UOPS")
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    ops.submit(bulk_lines="call Priya | tmrw 3pm | @maria\ncall Tom | tmrw 4pm | @Sam Carter\n"
                          "call Ann | tmrw 5pm | @nobody\n")
    summary = ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"), timeout=30)
    shown = words(summary.blocks)
    assert "2 valid" in shown and "no active LeadSquared user called @nobody" in shown
    ops.click("bulk_create", message=summary)
    ops.wait_for_message(lambda m: m.text.startswith("Bulk tasks done"), timeout=60)
    assert stack.lsq.tasks_named("call Priya")[0]["OwnerEmailAddress"] == MARIA
    assert stack.lsq.tasks_named("call Tom")[0]["OwnerEmailAddress"] == "sam@acme-sales.test"


# ----- the main flows on slow CRMs and a far-away Slack ----------------------------------------------


def test_the_main_flows_hold_up_with_slow_crms_and_a_slow_slack(stack):
    """Five reps at once while LeadSquared and HighLevel take 1-3 s a call and Slack 200 ms: every ack
    inside 3 s, every modal opened before its trigger expired (the fixture checks), every flow done."""
    people = {"UMARIA": "CDEAL1", "UDEV": "CDEAL2", "USAM": "CDEAL3", "UOPS": "CDEAL4"}
    for user_id, channel_id in people.items():
        stack.slack.add_channel(Channel(channel_id, channel_id.lower(), members={user_id, stack.slack.bot_user_id}))
    maria, dev, sam, olivia = (stack.user(user_id, channel_id) for user_id, channel_id in people.items())
    to_complete = create_task(dev, "/todo close the Acme deal tmrw 3pm")
    to_move = create_task(sam, "/todo send the Globex quote tmrw 3pm")
    to_edit = create_task(olivia, "/todo check Initech docs tmrw 3pm")
    stack.lsq.inject("", Fault(latency=1.0, jitter=2.0))
    stack.ghl.inject("", Fault(latency=1.0, jitter=2.0))
    stack.slack.latency = 0.2
    wait = {"timeout": 60}

    def create() -> list:
        acks = [maria.command("/todo call Priya about pricing tmrw 11am")]
        maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"), **wait)
        typed = time.perf_counter()
        maria.suggest("lead", "Priya")
        assert time.perf_counter() - typed < 3, "the lead typeahead answers inside 3 s, found or not"
        acks.append(maria.submit())
        maria.wait_for_message(lambda m: "call Priya about pricing" in m.text, **wait)
        return acks

    def complete_then_meet() -> list:
        acks = [dev.click("Complete", message=to_complete)]
        dev.wait_for_reply(to_complete, lambda m: "completed this" in m.text, **wait)
        acks.append(dev.command("/meet Priya slow demo tmrw 11:30pm"))  # Dev is in India: 10 AM in LA
        dev.wait_for_modal("meet_modal", where=lambda v: has_block(v.view, "meet_calendar"), **wait)
        acks.append(dev.submit())
        dev.wait_for_message(lambda m: "Meeting booked" in m.text, **wait)
        return acks

    def reschedule() -> list:
        acks = [sam.click("Reschedule", message=to_move)]
        sam.wait_for_modal("reschedule_modal", **wait)
        acks.append(sam.submit(when="fri 11am"))
        sam.wait_for_reply(to_move, lambda m: "moved this" in m.text, **wait)
        return acks

    def edit_then_bulk() -> list:
        acks = [olivia.click("Edit", message=to_edit)]
        olivia.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"), **wait)
        acks.append(olivia.submit(title="check Initech's signed docs"))
        olivia.wait_for_reply(to_edit, lambda m: "edited this" in m.text, **wait)
        acks.append(olivia.command("/bulktasks"))
        olivia.wait_for_modal("bulk_modal", **wait)
        acks.append(olivia.submit(bulk_lines="call Anita | tmrw 1pm | @maria\ncall May | tmrw 2pm | @sam\n"))
        summary = olivia.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"), **wait)
        acks.append(olivia.click("bulk_create", message=summary))
        olivia.wait_for_message(lambda m: m.text.startswith("Bulk tasks done"), **wait)
        return acks

    def tasks() -> list:
        acks = [maria.in_channel("CSALES").command("/tasks week")]
        maria.wait_for_ephemeral(lambda e: "The next 7 days" in e.text, **wait)
        return acks

    with ThreadPoolExecutor(5) as pool:
        flows = [pool.submit(flow) for flow in (create, complete_then_meet, reschedule, edit_then_bulk, tasks)]
        acks = [ack for flow in flows for ack in flow.result()]
    assert all(ack.status == 200 and not ack.refused and not ack.errors for ack in acks)
    assert max(ack.latency_ms for ack in acks) < 3000, sorted(ack.latency_ms for ack in acks)[-3:]
    assert stack.lsq.tasks_named("call Anita")[0]["OwnerEmailAddress"] == MARIA
