"""A rep's session against CRMs that behave as their vendor pages say: slow, asynchronous, strict.

The clock stands at Tuesday 4 March 2025, 10:15 in Los Angeles.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.sandbox import leadsquared as lsq_sandbox
from bot.sandbox.faults import Fault
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.slack_helpers import block, create_task, eventually, has_block, initial, words

LA = ZoneInfo("America/Los_Angeles")
MARIA = "maria@acme-sales.test"


def only(stack: SandboxStack, name: str) -> dict:
    [task] = stack.lsq.tasks_named(name)
    return task


def lsq_calls(stack: SandboxStack) -> int:
    return len(stack.lsq.calls)


def test_a_double_click_on_complete_writes_once_and_posts_one_note(stack: SandboxStack, maria: VirtualUser):
    confirmation = create_task(maria, "/todo call Priya re pricing tmrw 3pm")
    stack.lsq.inject("Retrieve.GetById", Fault(latency=0.1))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        acks = list(pool.map(lambda _: maria.click("Complete", message=confirmation), range(2)))
    assert [ack.status for ack in acks] == [200, 200]
    maria.wait_for_reply(confirmation, lambda m: "completed this" in m.text)
    stack.slack.wait_for(lambda: len(stack.lsq.calls_to("Retrieve.GetById")) >= 2)
    eventually(lambda: any("already completed" in e.text for e in maria.ephemerals()))
    assert len(stack.lsq.calls_to("Task.svc/MarkComplete")) == 1
    notes = [m for m in stack.slack.replies(confirmation.channel, confirmation.ts) if "completed this" in m.text]
    assert len(notes) == 1


def test_a_complete_click_costs_two_calls_and_the_list_redraws_from_its_cache(stack: SandboxStack,
                                                                               maria: VirtualUser):
    create_task(maria, "/todo send deck tmrw 3pm")
    maria.command("/tasks")
    listing = maria.wait_for_ephemeral(lambda e: "send deck" in words(e.blocks))
    before = lsq_calls(stack)
    crm_id = only(stack, "send deck")["UserTaskId"]
    maria.click("Complete", ephemeral=listing, value=f"{crm_id}|all:UMARIA:0")
    maria.wait_for_ephemeral(lambda e: "open tasks" in e.text and "send deck" not in words(e.blocks))
    assert [call.path for call in stack.lsq.calls[before:]] == ["Task.svc/Retrieve.GetById", "Task.svc/MarkComplete"]


def forged(message, action_id: str, value: str):
    """The message as a tampered client would send it back: one button's value replaced."""
    blocks = copy.deepcopy(message.blocks)
    for each in blocks:
        for element in each.get("elements") or []:
            if element.get("action_id") == action_id:
                element["value"] = value
    return dataclasses.replace(message, blocks=blocks)


def test_forged_button_values_are_refused_in_plain_words_and_reach_no_crm(stack: SandboxStack, maria: VirtualUser):
    confirmation = create_task(maria, "/todo send deck tmrw 3pm")
    open_meet(maria, "/meet Priya demo tmrw 2pm")
    maria.submit()
    meeting = maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    before, seen_before = lsq_calls(stack), len(stack.ghl.requests)
    for value in ("../../UserManagement.svc/Users.Get", "..%2F..%2Fx", "a" * 80):
        maria.click("Complete", message=forged(confirmation, "task_complete", value), value=value)
        maria.wait_for_ephemeral(lambda e: "is not a LeadSquared id Taskbot can use" in e.text)
    for value in ("", "../x", "evt%2F..%2Fcontacts"):
        maria.click("Showed", message=forged(meeting, "meet_showed", value), value=value)
    eventually(lambda: sum("is not a HighLevel id Taskbot can use" in e.text for e in maria.ephemerals()) == 3)
    assert lsq_calls(stack) == before
    assert [seen.path for seen in stack.ghl.requests[seen_before:]] == []


def test_a_misrouted_call_is_not_taken_for_a_deleted_task(stack: SandboxStack, maria: VirtualUser, monkeypatch):
    confirmation = create_task(maria, "/todo send deck tmrw 3pm")
    monkeypatch.delitem(lsq_sandbox.ROUTES, ("GET", "Task.svc/Retrieve.GetById"))
    maria.click("Complete", message=confirmation)
    told = maria.wait_for_ephemeral(lambda e: "Nothing was changed" in e.text)
    assert "check LSQ_API_URL" in told.text
    shown = stack.slack.find_message(confirmation.channel, confirmation.ts)
    assert "Deleted in LeadSquared" not in words(shown.blocks) and only(stack, "send deck")["StatusCode"] == 0


def test_a_todo_carries_the_todo_pages_end_and_an_appointment_its_types_length(stack: SandboxStack,
                                                                              maria: VirtualUser):
    create_task(maria, "/todo send deck tmrw 3pm")
    todo = only(stack, "send deck")
    assert (todo["DueDate"], todo["EndDate"]) == ("2025-03-05 23:00:00.000", "2025-03-06 22:59:00.000")
    confirmation = create_task(maria, "/appt site visit tmrw 11am", task_type="Demo")
    sent = stack.lsq.calls_to("Task.svc/Create")[-1].body
    assert "EndDate" not in sent, "no invented length: LeadSquared applies the type's own"
    assert only(stack, "site visit")["EndDate"] == "2025-03-05 19:45:00.000"
    assert str(int(datetime(2025, 3, 5, 11, 45, tzinfo=LA).timestamp())) in words(confirmation.blocks)


def test_the_reps_identical_task_is_never_taken_for_ours(stack: SandboxStack, maria: VirtualUser):
    """Maria made "call Priya" at 3pm herself; the bot's own create of the same loses its answer."""
    stack.lsq.add_task("call Priya", datetime(2025, 3, 5, 15, 0, tzinfo=LA), MARIA)
    stack.lsq.inject("Task.svc/Create", Fault(drop_after_processing=1.0, times=1))
    create_task(maria, "/todo call Priya tmrw 3pm")
    hers, ours = sorted(stack.lsq.tasks_named("call Priya"), key=lambda task: bool(task["Description"]))
    assert hers["Description"] == "" and "Taskbot ref: tb-" in ours["Description"]
    row = stack.bot_server.call(stack.bot.services.store.task_by_crm_id, "leadsquared", ours["UserTaskId"])
    assert row is not None and len(stack.lsq.calls_to("Task.svc/Create")) == 1


def test_an_error_inside_taskbot_still_ends_in_a_retry_dm(stack: SandboxStack, maria: VirtualUser, monkeypatch):
    tasks = stack.bot.services.tasks
    real = tasks._create_body

    async def broken(*args, **kwargs):
        raise ValueError("a draft Taskbot cannot read")

    monkeypatch.setattr(tasks, "_create_body", broken)
    maria.command("/todo send deck tmrw 3pm")
    maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    maria.submit()
    failure = maria.wait_for_dm(lambda m: "couldn't create" in m.text)
    assert "something went wrong inside Taskbot" in failure.text
    monkeypatch.setattr(tasks, "_create_body", real)
    maria.click("Retry", message=failure)
    maria.wait_for_message(lambda m: "send deck" in m.text and "created" in m.text)
    assert len(stack.lsq.tasks_named("send deck")) == 1


def paste_and_create(stack: SandboxStack, lines: str):
    ops = stack.user("UOPS")
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    ops.submit(bulk_lines=lines)
    summary = ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"), timeout=30)
    ops.click("bulk_create", message=summary)
    return ops, ops.wait_for_message(lambda m: m.text.startswith("Bulk tasks done"), timeout=60)


def test_bulk_rows_leadsquared_processes_after_minutes_are_created_not_failed(stack: SandboxStack):
    stack.lsq.bulk_delay = 150.0
    _, report = paste_and_create(stack, "\n".join(f"slow {i} | tmrw 3pm | {MARIA}" for i in range(3)))
    assert "3 created, 0 failed" in report.text
    assert len(stack.lsq.calls_to("Task.svc/Bulk/Create")) == 1


def test_bulk_rows_leadsquared_never_confirms_are_unconfirmed_and_kept_out_of_the_fix_csv(stack: SandboxStack):
    stack.lsq.bulk_delay = 24 * 3600.0
    ops, report = paste_and_create(stack, f"never {0} | tmrw 3pm | {MARIA}\nbad | tmrw | ghost@acme-sales.test")
    assert "0 created, 0 failed, 1 invalid row not sent, 1 not confirmed by LeadSquared" in report.text
    stack.slack.wait_for(lambda: len([r for r in stack.slack.replies(report.channel, report.ts) if r.files]) == 2)
    files = [stack.slack.files[reply.files[0]] for reply in stack.slack.replies(report.channel, report.ts)
             if reply.files]
    fix = next(f for f in files if "to-fix" in f.name).content.decode()
    unconfirmed = next(f for f in files if "unconfirmed" in f.name).content.decode()
    assert "never 0" not in fix and "never 0" in unconfirmed and "Request History" in unconfirmed
    assert len(stack.lsq.calls_to("Task.svc/Bulk/Create")) == 1


def test_a_bulk_csv_in_leadsquareds_own_date_format_is_read_as_utc(stack: SandboxStack):
    ops = stack.user("UOPS")
    upload = stack.slack.add_file("tasks.csv", (
        "Name,DueDate,OwnerEmailAddress\nCall Priya,2025-03-12 14:00:00,maria@acme-sales.test\n").encode())
    ops.command("/bulktasks")
    ops.wait_for_modal("bulk_modal")
    ops.submit(bulk_file=[{"id": upload.id, "name": upload.name}])
    summary = ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"))
    assert "1 valid" in words(summary.blocks)
    ops.click("bulk_create", message=summary)
    ops.wait_for_message(lambda m: m.text.startswith("Bulk tasks done"), timeout=60)
    assert only(stack, "Call Priya")["DueDate"] == "2025-03-12 14:00:00.000"


def open_meet(rep: VirtualUser, line: str):
    rep.command(line)
    return rep.wait_for_modal("meet_modal", where=lambda v: has_block(v.view, "meet_calendar"))


def test_every_weekday_ends_said_with_its_year_and_a_later_clash_is_listed_before_booking(stack: SandboxStack,
                                                                                         maria: VirtualUser):
    view = open_meet(maria, "/meet Priya standup tmrw 9am every weekday").view
    shown = words([block(view, "meet_repeat_preview")])
    assert "20 meetings, from Wed Mar 5, 2025, 9:00 AM PST to Tue Apr 1, 2025, 9:00 AM PDT" in shown
    assert "ends after 4 weeks" in shown
    stack.ghl.book("calDemo00000000001", "conTom000000000002", datetime(2025, 3, 13, 9, tzinfo=LA), 30,
                   title="Existing call", user_id="usrMaria0000000001")
    errors = maria.submit().errors
    assert errors["meet_repeat"].startswith("1 of the 20 meetings clash with the calendar: Thu Mar 13, 2025, 9:00 AM")
    assert stack.ghl.appointments("Priya standup") == []


def test_showed_on_a_series_asks_which_meeting_and_marks_only_that_one(stack: SandboxStack, maria: VirtualUser,
                                                                        clock):
    open_meet(maria, "/meet Priya standup tmrw 9am every weekday for 1 week")
    assert maria.submit().errors == {}
    confirmation = maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    [series] = stack.ghl.appointments("Priya standup")
    maria.click("Showed", message=confirmation)
    assert "No meeting of this series has started yet" in maria.wait_for_ephemeral().text

    clock.advance(datetime(2025, 3, 6, 9, 5, tzinfo=LA) - clock.now())
    maria.click("Showed", message=confirmation)
    modal = maria.wait_for_modal("meet_series_modal").view
    assert [o["text"]["text"] for o in block(modal, "series_which")["element"]["options"]] == [
        "Thu Mar 6, 2025, 9:00 AM PST", "Wed Mar 5, 2025, 9:00 AM PST"]
    assert initial(modal, "series_which") == "Thu Mar 6, 2025, 9:00 AM PST"
    assert maria.submit().errors == {}
    maria.wait_for_reply(confirmation, lambda m: "marked the meeting of Thu Mar 6, 2025" in m.text)
    statuses = [meeting["appointmentStatus"] for meeting in stack.ghl.meetings_of(series["id"])]
    assert statuses == ["confirmed", "showed", "confirmed", "confirmed", "confirmed"]


def test_cancel_on_a_series_asks_first_and_can_cancel_the_whole_series(stack: SandboxStack, maria: VirtualUser):
    open_meet(maria, "/meet Priya standup tmrw 9am every weekday for 1 week")
    assert maria.submit().errors == {}
    confirmation = maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    [series] = stack.ghl.appointments("Priya standup")
    maria.click("Cancel", message=confirmation)
    maria.wait_for_modal("meet_series_modal")
    assert series["appointmentStatus"] == "confirmed", "nothing is cancelled before the rep says which"
    assert maria.submit(series_which="series").errors == {}
    maria.wait_for_message(lambda m: m.ts == confirmation.ts and "Cancelled" in m.text)
    assert {m["appointmentStatus"] for m in stack.ghl.meetings_of(series["id"])} == {"cancelled"}


def test_an_edit_leadsquared_refuses_changes_nothing_in_taskbot_either(stack: SandboxStack, maria: VirtualUser):
    confirmation = create_task(maria, "/todo call Tom tmrw 4pm")
    stack.lsq.inject("Task.svc/Update", Fault(error_rate=1.0, error_status=400))
    maria.click("Edit", message=confirmation)
    maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    maria.submit(title="call Tom about the renewal", owner="UDEV")
    assert "Nothing was changed: LeadSquared said" in maria.wait_for_dm(lambda m: "Nothing was changed" in m.text).text
    crm_id = only(stack, "call Tom")["UserTaskId"]
    row = stack.bot_server.call(stack.bot.services.store.task_by_crm_id, "leadsquared", crm_id)
    assert (row["title"], row["owner_slack_id"]) == ("call Tom", "UMARIA")
    assert row["details"]["draft"]["title"] == "call Tom"


def test_a_burst_of_webhooks_for_one_task_makes_at_most_two_fetches(stack: SandboxStack, maria: VirtualUser):
    create_task(maria, "/todo send deck tmrw 3pm")
    crm_id = only(stack, "send deck")["UserTaskId"]
    before = len(stack.lsq.calls_to("Retrieve.GetById"))
    stack.lsq.inject("Retrieve.GetById", Fault(latency=0.1))
    changes = stack.bot.services.changes

    async def burst() -> list[str]:
        return list(await asyncio.gather(*[changes.sync_from_crm(crm_id) for _ in range(10)]))

    outcomes = stack.bot_server.run_coroutine(burst())
    assert outcomes.count("coalesced") == 9 and outcomes.count("open") == 1
    assert len(stack.lsq.calls_to("Retrieve.GetById")) - before == 2


def test_cancel_on_a_series_asks_which_meetings_although_highlevel_outlasts_the_trigger(stack: SandboxStack,
                                                                                       maria: VirtualUser):
    open_meet(maria, "/meet Priya standup tmrw 9am every weekday for 1 week")
    assert maria.submit().errors == {}
    confirmation = maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    stack.ghl.inject("", Fault(latency=1.6, times=3))
    maria.click("Cancel", message=confirmation)
    modal = maria.wait_for_modal("meet_series_modal", timeout=15).view
    assert block(modal, "series_which")
    assert maria.submit(series_which="series").errors == {}
    maria.wait_for_message(lambda m: m.ts == confirmation.ts and "Cancelled" in m.text, timeout=15)
