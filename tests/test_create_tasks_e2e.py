"""A rep creates LeadSquared to-dos and appointments from Slack, end to end through the sandboxes."""

from datetime import UTC, datetime

from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.slack_helpers import block, has_block, initial, options, words

MARIA_LSQ = "a1b2c3d4-0000-4000-8000-000000000002"


def open_modal(rep: VirtualUser, line: str):
    rep.command(line)
    return rep.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))


def only_task(stack: SandboxStack, name: str) -> dict:
    tasks = stack.lsq.tasks_named(name)
    assert len(tasks) == 1, f"{len(tasks)} tasks named {name!r}"
    return tasks[0]


def test_a_todo_from_one_line(stack: SandboxStack, maria: VirtualUser):
    modal = open_modal(maria, "/todo call Priya re pricing tmrw 3pm")
    assert initial(modal.view, "title") == "call Priya re pricing"
    assert initial(modal.view, "due") == "tmrw 3pm"
    assert "Wed Mar 5, 3:00 PM PST" in words([block(modal.view, "due_preview")])
    assert initial(modal.view, "task_type") == "Follow Up"
    assert options(modal.view, "task_type") == ["Follow Up", "Send Proposal", "Document Collection"]
    assert initial(modal.view, "owner") == "UMARIA"

    assert maria.submit().status == 200
    confirmation = maria.wait_for_message(lambda m: "To-do created" in m.text)
    shown = words(confirmation.blocks)
    assert "call Priya re pricing" in shown and "Follow Up" in shown and "<@UMARIA>" in shown
    assert f"<!date^{int(datetime(2025, 3, 5, 23, 0, tzinfo=UTC).timestamp())}^" in shown
    task = only_task(stack, "call Priya re pricing")
    assert task["DueDate"] == "2025-03-05 23:00:00.000" and task["OwnerId"] == MARIA_LSQ
    assert task["TaskType"]["Name"] == "Follow Up" and task["ReminderBeforeDays"] == "0"
    assert task["ReminderTime"] == "09:00:00" and task["NotifyBy"] == "1000"


def test_an_appointment_with_its_length(stack: SandboxStack, maria: VirtualUser):
    modal = open_modal(maria, "/appt demo with Acme fri 2pm for 45m")
    assert (initial(modal.view, "title"), initial(modal.view, "due"), initial(modal.view, "end")) == (
        "demo with Acme", "fri 2pm", "for 45m")
    assert initial(modal.view, "reminder") == "15 minutes before"
    maria.submit(task_type="Demo", location="Zoom", notify=["email"])
    confirmation = maria.wait_for_message(lambda m: "Appointment booked" in m.text)
    assert "Zoom" in words(confirmation.blocks) and "15 min before" in words(confirmation.blocks)
    task = only_task(stack, "demo with Acme")
    assert (task["DueDate"], task["EndDate"]) == ("2025-03-07 22:00:00.000", "2025-03-07 22:45:00.000")
    assert task["Reminder"] == 15 and task["NotifyBy"] == "1100" and task["Location"] == "Zoom"


def test_an_appointment_without_a_length_takes_the_types_usual_length(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/appt site visit next tue 10am")
    maria.choose("task_type", "Site Visit")
    maria.wait_for_modal(where=lambda v: has_block(v.view, "cf:mx_Custom_2"))
    maria.submit(**{"cf:mx_Custom_2": "12 Main St"})
    maria.wait_for_message(lambda m: "Appointment booked" in m.text)
    task = only_task(stack, "site visit")
    assert (task["DueDate"], task["EndDate"]) == ("2025-03-11 17:00:00.000", "2025-03-11 18:00:00.000")
    assert task["CustomFields"] == {"mx_Custom_2": "12 Main St"}


def test_an_email_in_the_text_is_looked_up_as_the_lead(stack: SandboxStack, maria: VirtualUser):
    maria.command("/todo send contract to priya@acme.test by fri")
    modal = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "lead") and initial(v.view, "lead"))
    assert initial(modal.view, "lead") == "Priya Sharma · priya@acme.test · Acme Corp"
    assert initial(modal.view, "title") == "send contract to"
    maria.submit(title="send contract to Priya")
    confirmation = maria.wait_for_message(lambda m: "To-do created" in m.text)
    assert "LeadDetails?LeadID=7e5b7380-4295-4af2-9706-000000000001|Priya Sharma>" in words(confirmation.blocks)
    task = only_task(stack, "send contract to Priya")
    assert (task["RelatedEntity"], task["RelatedEntityIdName"]) == (1, "Priya Sharma")


def test_a_phone_that_matches_no_lead_stays_in_the_subject(stack: SandboxStack, maria: VirtualUser):
    maria.command("/todo call +1 415 555 0100 tmrw 10am")
    modal = maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title")
                                 and initial(v.view, "title") == "call +1 415 555 0100")
    assert not initial(modal.view, "lead"), "no lead has that number"
    maria.submit()
    maria.wait_for_message(lambda m: "To-do created" in m.text)
    assert only_task(stack, "call +1 415 555 0100")["DueDate"] == "2025-03-05 18:00:00.000"


def test_lead_typeahead_and_the_leads_opportunities(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/todo renewal call tmrw 11am")
    found = maria.suggest("lead", "priya")
    assert [o["text"]["text"] for o in found] == ["Priya Sharma · priya@acme.test · Acme Corp",
                                                  "Priya Natarajan · pn@umbrella.test · Umbrella"]
    assert maria.suggest("lead", "+91 99887 76655")[0]["text"]["text"].startswith("Anita Rao")
    assert maria.suggest("opportunity", "") == []
    maria.fill(lead=found[0]["value"])
    deals = maria.suggest("opportunity", "")
    assert [o["text"]["text"] for o in deals] == ["Acme renewal 2025", "Acme upsell: analytics"]
    maria.submit(opportunity=deals[0]["value"])
    maria.wait_for_message(lambda m: "To-do created" in m.text)
    task = only_task(stack, "renewal call")
    assert (task["RelatedEntity"], task["RelatedEntityId"]) == (5, "op-0001")


def test_the_reading_is_shown_live_as_the_rep_types(maria: VirtualUser):
    open_modal(maria, "/todo call Priya")
    assert "Type a time" in words([block(maria.modal.view, "due_preview")])
    maria.type_into("due", "next thu at 10")
    modal = maria.wait_for_modal(where=lambda v: "Thu Mar 13" in words([block(v.view, "due_preview")]))
    assert "Thu Mar 13, 10:00 AM PDT" in words([block(modal.view, "due_preview")])
    maria.type_into("due", "whenever")
    modal = maria.wait_for_modal(where=lambda v: "couldn't read" in words([block(v.view, "due_preview")]))
    assert modal.state["due"]["due"]["value"] == "whenever"


def test_validation_errors_appear_under_their_fields_and_nothing_is_lost(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/todo whenever")
    ack = maria.submit(title="", description="notes I typed")
    assert set(ack.errors) == {"title", "due"}
    assert "tmrw 3pm" in ack.errors["due"]
    assert maria.modal is not None and maria.modal.state["description"]["description"]["value"] == "notes I typed"

    ack = maria.submit(title="Call Priya", due="today 9am")
    assert ack.errors == {"due": "That's in the past: I read it as Tue Mar 4, 9:00 AM PST."}

    ack = maria.submit(due="Thursday, March 12th")
    assert "could mean" in ack.errors["due"]

    assert stack.lsq.tasks_named("Call Priya") == []
    assert maria.submit(due="tmrw 3pm").errors == {}
    maria.wait_for_message(lambda m: "Call Priya" in m.text)
    assert only_task(stack, "Call Priya")["Description"].startswith("notes I typed\n\nTaskbot ref: tb-")


def test_a_refusal_shows_until_the_live_reading_updates_the_view(maria: VirtualUser):
    open_modal(maria, "/todo call Priya")
    ack = maria.submit(due="today 9am")
    assert maria.modal.errors == ack.errors and "in the past" in maria.modal.errors["due"]
    maria.type_into("due", "tmrw 3pm")
    modal = maria.wait_for_modal(where=lambda v: "Wed Mar 5" in words([block(v.view, "due_preview")]))
    assert modal.errors == {}, "the update that shows the new reading clears the stale error"


def test_a_mandatory_custom_field_and_an_end_before_the_start(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/todo collect KYC docs tmrw")
    maria.choose("task_type", "Document Collection")
    modal = maria.wait_for_modal(where=lambda v: has_block(v.view, "cf:mx_Custom_1"))
    ack = maria.submit()
    assert ack.errors == {"cf:mx_Custom_1": "Document Collection needs “Documents needed”."}
    assert initial(modal.view, "title") == "collect KYC docs"

    maria.close_modal()
    open_modal(maria, "/appt demo tmrw 3pm")
    ack = maria.submit(end="2pm")
    assert "end must come after the start" in ack.errors["end"]


def test_an_owner_with_no_leadsquared_user_is_refused_in_the_modal(maria: VirtualUser):
    open_modal(maria, "/todo intro call tmrw 10am")
    ack = maria.submit(owner="UNOCRM")
    assert ack.errors == {"owner": "no active LeadSquared user with email noah@elsewhere.test: "
                                   "an admin can /taskbot link them"}


def test_a_task_for_a_colleague_goes_to_their_leadsquared_user(stack: SandboxStack, maria: VirtualUser):
    open_modal(maria, "/todo call Tom back tmrw 4pm")
    maria.submit(owner="UDEV")
    maria.wait_for_message(lambda m: "To-do created" in m.text)
    assert only_task(stack, "call Tom back")["OwnerEmailAddress"] == "dev@acme-sales.test"
