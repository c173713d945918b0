"""A rep books HighLevel meetings with /meet, end to end through the Slack and HighLevel sandboxes.

The clock stands at Tuesday 4 March 2025, 10:15 in Los Angeles. The Product demo calendar is open
on weekdays 9:00 to 17:00 in 30-minute slots; Discovery call on weekday mornings in 45-minute slots.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.sandbox.faults import Fault
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.slack_helpers import block, has_block, initial, options, words

LA = ZoneInfo("America/Los_Angeles")
DEMO = "calDemo00000000001"
PRIYA = "conPriya0000000001"
MARIA = "usrMaria0000000001"


def wednesday(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, 5, hour, minute, tzinfo=LA)


def open_meet(rep: VirtualUser, line: str):
    rep.command(line)
    return rep.wait_for_modal("meet_modal", where=lambda v: has_block(v.view, "meet_calendar"))


def start_block(view: dict) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id", "").startswith("meet_start."))


def preview(view: dict) -> str:
    return words([block(view, "meet_start_preview")])


def only_meeting(stack: SandboxStack, title: str) -> dict:
    found = stack.ghl.appointments(title)
    assert len(found) == 1, f"{len(found)} meetings titled {title!r}"
    return found[0]


def booking_request(stack: SandboxStack) -> dict:
    return json.loads(stack.ghl.requests_to("POST", "/calendars/events/appointments")[-1].body)


def book(rep: VirtualUser, line: str, **fields) -> object:
    before = {m.ts for m in rep.channel_messages()}
    open_meet(rep, line)
    assert rep.submit(**fields).errors == {}
    return rep.wait_for_confirmation(lambda m: m.ts not in before and "Meeting booked" in m.text)


def test_a_meeting_from_one_line(stack: SandboxStack, maria: VirtualUser):
    modal = open_meet(maria, "/meet Priya demo tmrw 2pm for 30m on zoom")
    view = modal.view
    assert initial(view, "meet_calendar") == "Product demo"
    assert options(view, "meet_calendar") == ["Product demo", "Discovery call"]
    assert initial(view, "meet_contact") == "Priya Sharma · priya@acme.test · Acme Corp"
    assert initial(view, "meet_title") == "Priya demo"
    assert start_block(view)["element"]["initial_value"] == "tmrw 2pm"
    assert initial(view, "meet_length") == "for 30m"
    assert initial(view, "meet_location_type") == "Zoom"
    assert initial(view, "meet_assigned") == "Maria Lopez · maria@acme-sales.test"
    assert initial(view, "meet_status") == "Confirmed" and initial(view, "meet_notify") == ["notify"]
    assert "Wed Mar 5, 2:00 PM PST* until 2:30 PM PST · free on Product demo" in preview(view)

    assert maria.submit().errors == {}
    confirmation = maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    shown = words(confirmation.blocks)
    assert "Priya demo" in shown and "Product demo" in shown and "Priya Sharma" in shown
    assert "<@UMARIA>" in shown and "Zoom" in shown and "Booked by <@UMARIA> · HighLevel" in shown
    assert f"<!date^{int(wednesday(14).timestamp())}^" in shown
    buttons = block({"blocks": confirmation.blocks}, f"meet:{only_meeting(stack, 'Priya demo')['id']}")
    assert [b["text"]["text"] for b in buttons["elements"]] == ["Reschedule", "Showed", "No-show", "Cancel"]
    meeting = only_meeting(stack, "Priya demo")
    assert (meeting["start"], meeting["end"]) == (wednesday(14), wednesday(14, 30))
    assert (meeting["contactId"], meeting["assignedUserId"], meeting["calendarId"]) == (PRIYA, MARIA, DEMO)
    sent = booking_request(stack)
    assert sent["startTime"] == "2025-03-05T14:00:00-08:00" and sent["endTime"] == "2025-03-05T14:30:00-08:00"
    assert sent["meetingLocationType"] == "zoom" and sent["overrideLocationConfig"] is True
    assert sent["appointmentStatus"] == "confirmed" and sent["toNotify"] is True
    assert "ignoreFreeSlotValidation" not in sent and "rrule" not in sent


def test_a_taken_time_offers_the_nearest_free_ones_and_a_pick_fills_the_start(stack: SandboxStack,
                                                                                maria: VirtualUser):
    stack.ghl.book(DEMO, PRIYA, wednesday(14), 60, user_id=MARIA)
    view = open_meet(maria, "/meet Priya demo tmrw 2pm").view
    assert "is not free on Product demo. Nearest free times:" in preview(view)
    labels = [b["text"]["text"] for b in block(view, "meet_slots")["elements"]]
    assert labels == ["Tomorrow 12:30 PM", "Tomorrow 1:00 PM", "Tomorrow 1:30 PM", "Tomorrow 3:00 PM",
                      "Tomorrow 3:30 PM", "Tomorrow 4:00 PM"]

    maria.click("Tomorrow 3:00 PM", in_modal=True)
    view = maria.wait_for_modal(where=lambda v: start_block(v.view)["block_id"] == "meet_start.1").view
    assert start_block(view)["element"]["initial_value"] == "Wed Mar 5 3:00pm"
    assert "free on Product demo" in preview(view) and not has_block(view, "meet_slots")
    maria.submit()
    maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    assert only_meeting(stack, "Priya demo")["start"] == wednesday(15)


def test_booking_a_taken_time_anyway_is_stopped_under_the_start(stack: SandboxStack, maria: VirtualUser):
    open_meet(maria, "/meet Priya demo tmrw 4:30pm for 1h")
    ack = maria.submit()
    assert ack.errors == {"meet_start.0": "Wed Mar 5, 4:30 PM PST is not free on Product demo. Free nearby: "
                                          "Tomorrow 2:00 PM, Tomorrow 2:30 PM, Tomorrow 3:00 PM, Tomorrow 3:30 PM, "
                                          "Tomorrow 4:00 PM, Tomorrow 4:30 PM. Pick one of the buttons above."}
    assert stack.ghl.appointments() == []


def test_inline_errors_for_each_field(stack: SandboxStack, maria: VirtualUser):
    open_meet(maria, "/meet catch-up")
    maria.fill(meet_location_type="address", meet_repeat="whenever")
    maria.fill(meet_contact=None)
    errors = maria.submit().errors
    assert errors["meet_contact"] == "Pick a contact, or “➕ New contact” to add one."
    assert errors["meet_start.0"].startswith("When does it start? Try")
    assert errors["meet_address"] == "Say where: the address for “In person”, or the details for “Other”."
    assert errors["meet_repeat"] == "I couldn't read a repeat in 'whenever'; try `every weekday at 9`"

    maria.fill(meet_start="someday soon", meet_length="forever", meet_repeat="")
    errors = maria.submit().errors
    assert errors["meet_start.0"].startswith("I couldn't read that as a time.")
    maria.fill(meet_start="yesterday 3pm")
    assert maria.submit().errors["meet_start.0"].startswith("That's in the past: I read it as Mon Mar 3, 3:00 PM PST")
    maria.fill(meet_start="tmrw 10am")
    assert maria.submit().errors["meet_length"].startswith("I couldn't read")
    assert stack.ghl.appointments() == []


def test_a_new_contact_is_added_once_and_booked(stack: SandboxStack, maria: VirtualUser):
    open_meet(maria, "/meet intro call tmrw 11am")
    offered = maria.suggest("meet_contact", "Lena Park")
    assert offered[-1]["text"]["text"] == "➕ New contact: Lena Park" and len(offered) == 1
    maria.choose("meet_contact", "new:Lena Park")
    view = maria.wait_for_modal(where=lambda v: has_block(v.view, "meet_new_name")).view
    assert initial(view, "meet_new_name") == "Lena Park"
    assert maria.submit().errors == {
        "meet_new_email": "Give an email or a phone, so HighLevel can tell this contact apart."}
    maria.fill(meet_new_email="lena@")
    assert "doesn't look like an email" in maria.submit().errors["meet_new_email"]
    maria.fill(meet_new_email="lena@park.test")
    assert maria.submit().errors == {}
    confirmation = maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    assert "*Contact*\nLena Park" in words(confirmation.blocks) and "intro call" in confirmation.text
    lena = [c for c in stack.ghl.state.contacts if c["email"] == "lena@park.test"]
    assert len(lena) == 1 and (lena[0]["firstName"], lena[0]["lastName"]) == ("Lena", "Park")
    assert only_meeting(stack, "intro call")["contactId"] == lena[0]["id"]


def test_contacts_are_found_by_name_email_or_phone(maria: VirtualUser):
    open_meet(maria, "/meet sync tmrw 11am")
    assert [o["text"]["text"] for o in maria.suggest("meet_contact", "becker")][0] == "Tom Becker · tom@globex.test · Globex"
    assert maria.suggest("meet_contact", "anita@initech.test")[0]["value"] == "conAnita0000000003"
    assert maria.suggest("meet_contact", "+1 212 555 0102")[0]["value"] == "conTom000000000002"


def test_a_recurring_meeting_checks_its_first_time_then_books_the_series(stack: SandboxStack, maria: VirtualUser):
    view = open_meet(maria, "/meet Priya weekly sync tmrw 10am every weekday for 2 weeks").view
    assert initial(view, "meet_repeat") == "every weekday for 2 weeks"
    assert initial(view, "meet_title") == "Priya weekly sync"
    assert "10 meetings, from Wed Mar 5, 2025, 10:00 AM PST to Tue Mar 18, 2025, 10:00 AM PDT" in words(
        [block(view, "meet_repeat_preview")])
    stack.ghl.book(DEMO, PRIYA, wednesday(10), 30, user_id=MARIA)
    assert "is not free" in maria.submit().errors["meet_start.0"]

    maria.fill(meet_start="tmrw 11am")
    assert maria.submit().errors == {}
    maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    sent = booking_request(stack)
    assert sent["rrule"] == "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10"
    assert sent["ignoreFreeSlotValidation"] is True and sent["startTime"] == "2025-03-05T11:00:00-08:00"
    assert only_meeting(stack, "Priya weekly sync")["rrule"] == sent["rrule"]


def test_a_series_whose_meeting_was_taken_meanwhile_is_not_booked(stack: SandboxStack, maria: VirtualUser):
    """HighLevel skips slot checks for a series, so the bot checks every meeting even when the modal could
    not (here HighLevel answered the modal's checks too slowly)."""
    open_meet(maria, "/meet Priya weekly sync tmrw 10am every weekday for 2 weeks")
    stack.ghl.book(DEMO, PRIYA, datetime(2025, 3, 12, 10, tzinfo=LA), 30, user_id=MARIA)
    stack.ghl.inject("/free-slots", Fault(latency=2.0, times=2))
    assert maria.submit().errors == {}
    failure = maria.wait_for_dm(lambda m: "couldn't book" in m.text)
    assert "1 of the 10 meetings clash with the calendar: Wed Mar 12, 2025, 10:00 AM PDT" in failure.text
    assert [m["title"] for m in stack.ghl.appointments()] == ["Busy"]


def test_a_calendar_without_recurring_meetings_says_so(stack: SandboxStack, maria: VirtualUser):
    open_meet(maria, "/meet Priya discovery tmrw 9am every monday")
    maria.choose("meet_calendar", "calDiscovery000002")
    view = maria.wait_for_modal(where=lambda v: initial(v.view, "meet_calendar") == "Discovery call").view
    assert block(view, "meet_repeat")["hint"]["text"] == "This calendar does not allow recurring meetings"
    assert "45-minute slot" in block(view, "meet_length")["hint"]["text"]
    assert maria.submit().errors["meet_repeat"].startswith("Discovery call doesn't allow recurring meetings")


def test_someone_outside_the_calendar_team_picks_who_runs_it(stack: SandboxStack, maria: VirtualUser):
    olivia = maria.as_user("UOPS")
    open_meet(olivia, "/meet Priya demo tmrw 2pm")
    assert initial(olivia.modal.view, "meet_assigned") is None
    assert olivia.submit().errors == {"meet_assigned": "Pick who runs it: a member of the Product demo team."}
    olivia.submit(meet_assigned="usrSam00000000003")
    confirmation = olivia.wait_for_message(lambda m: "Meeting booked" in m.text)
    assert "Sam Carter" in words(confirmation.blocks) and "Booked by <@UOPS>" in words(confirmation.blocks)


def test_a_calendar_with_no_team_cannot_be_booked_on(stack: SandboxStack, maria: VirtualUser):
    stack.ghl.state.calendars[1]["teamMembers"] = []
    open_meet(maria, "/meet Priya discovery tmrw 9am")
    maria.choose("meet_calendar", "calDiscovery000002")
    view = maria.wait_for_modal(where=lambda v: initial(v.view, "meet_calendar") == "Discovery call").view
    assert "has no team members in HighLevel" in words([block(view, "meet_assigned")])
    assert maria.submit().errors == {
        "meet_calendar": "Discovery call has no team members in HighLevel; pick another calendar."}


def test_showed_no_show_and_cancel_update_the_message_in_place_and_say_so_in_its_thread(stack: SandboxStack,
                                                                                          maria: VirtualUser, clock):
    """Each step waits out #sales's posting rate (the sandbox's clock only moves when told)."""
    confirmation = book(maria, "/meet Priya demo today 11am")
    clock.advance(5)
    second = book(maria, "/meet Tom follow-up today 1pm")
    clock.advance(5)
    third = book(maria, "/meet May check-in tmrw 4pm")
    maria.click("Showed", message=confirmation)
    assert maria.wait_for_ephemeral().text == ("That meeting hasn't started yet (it starts Tue Mar 4, 11:00 AM PST): "
                                               "mark it showed once it has.")
    assert only_meeting(stack, "Priya demo")["appointmentStatus"] == "confirmed"

    clock.advance(datetime(2025, 3, 4, 11, 5, tzinfo=LA) - clock.now())
    maria.click("Showed", message=confirmation)
    updated = maria.wait_for_message(lambda m: m.ts == confirmation.ts and "Showed" in m.text)
    assert not any(b.get("block_id", "").startswith("meet:") for b in updated.blocks)
    assert "<@UMARIA> marked this showed" in maria.wait_for_reply(confirmation).text
    assert only_meeting(stack, "Priya demo")["appointmentStatus"] == "showed"

    clock.advance(datetime(2025, 3, 4, 13, 5, tzinfo=LA) - clock.now())
    maria.click("No-show", message=second)
    maria.wait_for_message(lambda m: m.ts == second.ts and "No-show" in m.text)
    maria.click("Cancel", message=third)
    cancelled = maria.wait_for_message(lambda m: m.ts == third.ts and "Cancelled" in m.text)
    assert "~May check-in~" in words(cancelled.blocks)
    assert "<@UMARIA> cancelled this" in maria.wait_for_reply(third).text
    assert [only_meeting(stack, t)["appointmentStatus"] for t in ("Tom follow-up", "May check-in")] == [
        "noshow", "cancelled"]


def test_a_cancel_button_asks_first(maria: VirtualUser):
    confirmation = book(maria, "/meet Priya demo tmrw 2pm")
    cancel = next(e for b in confirmation.blocks if b.get("type") == "actions" for e in b["elements"]
                  if e["text"]["text"] == "Cancel")
    assert cancel["style"] == "danger" and cancel["confirm"]["title"]["text"] == "Cancel this meeting?"


def test_reschedule_keeps_the_length_and_needs_a_free_time(stack: SandboxStack, maria: VirtualUser):
    confirmation = book(maria, "/meet Priya demo tmrw 2pm for 1h")
    stack.ghl.book(DEMO, PRIYA, wednesday(9), 30, user_id=MARIA)
    maria.click("Reschedule", message=confirmation)
    maria.wait_for_modal("meet_reschedule_modal")
    ack = maria.submit(when="tmrw 9am")
    assert ack.errors["when"].startswith("Wed Mar 5, 9:00 AM PST is not free on Product demo. Free nearby: Tomorrow 9:30 AM")
    assert ack.errors["when"].endswith("Type one of them.")
    assert maria.submit(when="tmrw 2:30pm").errors == {}
    moved = maria.wait_for_message(lambda m: m.ts == confirmation.ts and m.edited)
    assert f"<!date^{int(wednesday(14, 30).timestamp())}^" in words(moved.blocks)
    assert "<@UMARIA> moved this to" in maria.wait_for_reply(confirmation).text
    meeting = only_meeting(stack, "Priya demo")
    assert (meeting["start"], meeting["end"]) == (wednesday(14, 30), wednesday(15, 30))


def test_reschedule_says_as_the_rep_types_that_a_time_is_taken_and_offers_free_times(stack: SandboxStack,
                                                                                      maria: VirtualUser):
    confirmation = book(maria, "/meet Priya demo tmrw 2pm for 1h")
    stack.ghl.book(DEMO, PRIYA, wednesday(9), 30, user_id=MARIA)
    maria.click("Reschedule", message=confirmation)
    maria.wait_for_modal("meet_reschedule_modal")
    maria.type_into("when", "tmrw 9am")
    view = maria.wait_for_modal(where=lambda v: has_block(v.view, "when_slots")).view
    reading = words([block(view, "when_preview")])
    assert reading == ":no_entry: *Wed Mar 5, 9:00 AM PST* is not free on Product demo. Nearest free times:"
    buttons = block(view, "when_slots")["elements"]
    assert [b["text"]["text"] for b in buttons][:3] == ["Tomorrow 9:30 AM", "Tomorrow 10:00 AM", "Tomorrow 10:30 AM"]
    assert len({b["action_id"] for b in buttons}) == len(buttons)

    maria.click("Tomorrow 10:00 AM", in_modal=True)
    view = maria.wait_for_modal(where=lambda v: has_block(v.view, "when.1")).view
    assert block(view, "when.1")["element"]["initial_value"] == "Wed Mar 5 10:00am"
    assert "Wed Mar 5, 10:00 AM PST" in words([block(view, "when_preview")]) and not has_block(view, "when_slots")
    assert "in the past" in maria.submit(when="yesterday 3pm").errors["when.1"], "errors follow the field"
    assert maria.submit(when="Wed Mar 5 10:00am").errors == {}
    maria.wait_for_message(lambda m: m.ts == confirmation.ts and m.edited)
    assert only_meeting(stack, "Priya demo")["start"] == wednesday(10)


def test_reschedule_reads_the_time_without_waiting_for_a_slow_highlevel(stack: SandboxStack, maria: VirtualUser):
    confirmation = book(maria, "/meet Priya demo tmrw 2pm")
    stack.ghl.book(DEMO, PRIYA, wednesday(9), 30, user_id=MARIA)
    maria.click("Reschedule", message=confirmation)
    maria.wait_for_modal("meet_reschedule_modal")
    stack.ghl.inject("/free-slots", Fault(latency=2.0, times=1))
    assert maria.type_into("when", "tmrw 9am").status == 200
    view = maria.wait_for_modal(where=lambda v: "Wed Mar 5, 9:00 AM" in words([block(v.view, "when_preview")])).view
    assert not has_block(view, "when_slots"), "no free times when HighLevel did not answer in time"
    assert "is not free" in maria.submit().errors["when"], "the submit checks again"


def test_only_the_host_the_booker_or_an_admin_may_change_a_meeting(stack: SandboxStack, maria: VirtualUser):
    confirmation = book(maria, "/meet Priya demo tmrw 2pm")
    dev = maria.as_user("UDEV")
    dev.click("Cancel", message=confirmation)
    refusal = dev.wait_for_ephemeral()
    assert refusal.text == ("Only the person running the meeting, the one who booked it, or a Taskbot admin can "
                            "change it.")
    assert only_meeting(stack, "Priya demo")["appointmentStatus"] == "confirmed"
    maria.as_user("UOPS").click("Cancel", message=confirmation)
    maria.wait_for_message(lambda m: m.ts == confirmation.ts and "Cancelled" in m.text)


def test_a_change_highlevel_refuses_is_explained_and_nothing_changes(stack: SandboxStack, maria: VirtualUser):
    confirmation = book(maria, "/meet Priya demo tmrw 2pm")
    event_id = only_meeting(stack, "Priya demo")["id"]
    stack.ghl.inject(f"/calendars/events/appointments/{event_id}", Fault(error_rate=1.0, error_status=503))
    maria.click("No-show", message=confirmation)
    told = maria.wait_for_ephemeral()
    assert told.text == "Nothing was changed: HighLevel is having trouble; try again in a minute."
    assert only_meeting(stack, "Priya demo")["appointmentStatus"] == "confirmed"


def test_a_meeting_deleted_in_highlevel_shows_as_deleted(stack: SandboxStack, maria: VirtualUser):
    confirmation = book(maria, "/meet Priya demo tmrw 2pm")
    stack.ghl.state.events.clear()
    maria.click("Showed", message=confirmation)
    assert "deleted in HighLevel" in maria.wait_for_ephemeral().text
    gone = maria.wait_for_message(lambda m: m.ts == confirmation.ts and "Deleted in HighLevel" in m.text)
    assert "~Priya demo~" in words(gone.blocks)


def test_a_failed_booking_keeps_the_draft_and_retry_books_it_once(stack: SandboxStack, maria: VirtualUser):
    stack.ghl.inject("/calendars/events/appointments", Fault(error_rate=1.0, error_status=503))
    open_meet(maria, "/meet Priya demo tmrw 2pm")
    maria.submit()
    failure = maria.wait_for_dm(lambda m: "couldn't book" in m.text)
    assert "I couldn't book “Priya demo” in HighLevel" in failure.text
    assert stack.ghl.appointments() == []
    stack.ghl.faults.clear()
    maria.click("Retry", message=failure)
    maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    assert only_meeting(stack, "Priya demo")["start"] == wednesday(14)


def test_edit_and_retry_opens_the_meeting_as_it_was(stack: SandboxStack, maria: VirtualUser):
    stack.ghl.inject("/calendars/events/appointments", Fault(error_rate=1.0, error_status=503))
    open_meet(maria, "/meet Priya demo tmrw 2pm on teams")
    maria.submit(meet_description="Bring the pricing deck")
    failure = maria.wait_for_dm(lambda m: "couldn't book" in m.text)
    stack.ghl.faults.clear()
    maria.click("Edit and retry", message=failure)
    view = maria.wait_for_modal("meet_modal", where=lambda v: has_block(v.view, "meet_title")).view
    assert initial(view, "meet_title") == "Priya demo" and initial(view, "meet_location_type") == "Microsoft Teams"
    assert start_block(view)["element"]["initial_value"] == "Wed Mar 5 2:00pm"
    assert initial(view, "meet_description") == "Bring the pricing deck"
    maria.submit(meet_title="Priya demo v2")
    maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    assert [m["title"] for m in stack.ghl.appointments()] == ["Priya demo v2"]


def test_a_lost_answer_and_a_double_click_still_book_once(stack: SandboxStack, maria: VirtualUser):
    stack.ghl.inject("/calendars/events/appointments", Fault(drop_after_processing=1.0, times=1))
    open_meet(maria, "/meet Priya demo tmrw 2pm")
    acks = maria.double_submit()
    assert [ack.status for ack in acks] == [200, 200]
    maria.wait_for_message(lambda m: "Meeting booked" in m.text)
    assert len(stack.ghl.appointments("Priya demo")) == 1
    assert len([m for m in maria.channel_messages() if "Meeting booked" in m.text]) == 1


def test_a_title_cannot_ping_the_channel(stack: SandboxStack, maria: VirtualUser):
    confirmation = book(maria, "/meet <!channel> demo tmrw 2pm", meet_contact="conPriya0000000001")
    markdown = [text["text"] for b in confirmation.blocks for text in [b.get("text") or {}, *(b.get("fields") or [])]
                if text.get("type") == "mrkdwn"]
    assert not any("<!channel>" in text for text in markdown) and "&lt;!channel&gt; demo" in " ".join(markdown)


def test_when_highlevel_is_down_the_modal_says_so(stack: SandboxStack, maria: VirtualUser):
    stack.ghl_server.stop()
    maria.command("/meet Priya demo tmrw 2pm")
    view = maria.wait_for_modal("meet_modal", where=lambda v: "HighLevel could not be reached" in words(
        v.view["blocks"])).view
    assert "submit" not in view and "try `/meet` again in a minute" in words(view["blocks"])


def test_tasks_lists_meetings_however_they_were_booked_and_acts_on_them(stack: SandboxStack, maria: VirtualUser,
                                                                        clock):
    book(maria, "/meet Priya demo tmrw 2pm")
    made_there = stack.ghl.book(DEMO, "conTom000000000002", datetime(2025, 3, 4, 15, 0, tzinfo=LA), 30,
                                title="Made in HighLevel", user_id=MARIA)
    stack.ghl.book(DEMO, PRIYA, wednesday(11), 30, title="Dev's meeting", user_id="usrDev00000000002")
    maria.command("/tasks")
    listing = maria.wait_for_ephemeral(lambda e: "open tasks" in e.text)
    shown = words(listing.blocks)
    assert "*HighLevel meetings* (2)" in shown and "Dev's meeting" not in shown
    assert shown.index("Made in HighLevel") < shown.index("Priya demo") and "Tom Becker" in shown

    clock.advance(datetime(2025, 3, 4, 15, 5, tzinfo=LA) - clock.now())
    maria.click("Showed", ephemeral=listing, value=made_there["id"] + "|all:UMARIA:0")
    redrawn = maria.wait_for_ephemeral(lambda e: "open tasks" in e.text and "Made in HighLevel" not in words(e.blocks))
    assert "*HighLevel meetings* (1)" in words(redrawn.blocks)
    assert made_there["appointmentStatus"] == "showed"

    maria.command("/tasks today")
    today = maria.wait_for_ephemeral(lambda e: e.text.startswith("Due today"))
    assert "HighLevel meetings" not in words(today.blocks)


def test_a_meeting_made_in_highlevel_is_changed_by_its_host_or_an_admin(stack: SandboxStack, maria: VirtualUser,
                                                                        clock):
    first = stack.ghl.book(DEMO, PRIYA, wednesday(11), 30, title="Dev's sync", user_id="usrDev00000000002")
    second = stack.ghl.book(DEMO, PRIYA, wednesday(15), 30, title="Dev's demo", user_id="usrDev00000000002")
    dev = maria.as_user("UDEV")
    dev.open_home()
    stack.slack.wait_for(lambda: "Dev's sync" in words((dev.home or {}).get("blocks", [])))
    dev.click("Cancel", in_home=True, value=first["id"] + "|home")
    stack.slack.wait_for(lambda: first["appointmentStatus"] == "cancelled")
    stack.slack.wait_for(lambda: "Dev's sync" not in words(dev.home["blocks"]))

    clock.advance(wednesday(15, 5) - clock.now())
    olivia = maria.as_user("UOPS")
    olivia.command("/tasks <@UDEV|dev>")
    listing = olivia.wait_for_ephemeral(lambda e: "Dev's demo" in words(e.blocks))
    olivia.click("No-show", ephemeral=listing, value=second["id"] + "|all:UDEV:0")
    stack.slack.wait_for(lambda: second["appointmentStatus"] == "noshow")


def test_home_shows_the_week_s_meetings_with_their_buttons(stack: SandboxStack, maria: VirtualUser):
    book(maria, "/meet Priya demo tmrw 2pm")
    maria.open_home()
    home = stack.slack.wait_for(lambda: maria.home if "Priya demo" in words((maria.home or {}).get("blocks", []))
                                else None)
    assert "*HighLevel meetings* (1)" in words(home["blocks"])
    meeting = only_meeting(stack, "Priya demo")
    maria.click("Reschedule", in_home=True, value=meeting["id"] + "|home")
    maria.wait_for_modal("meet_reschedule_modal")
    assert maria.submit(when="tmrw 4pm").errors == {}
    stack.slack.wait_for(lambda: only_meeting(stack, "Priya demo")["start"] == wednesday(16))
    stack.slack.wait_for(lambda: str(int(wednesday(16).timestamp())) in words(maria.home["blocks"]))


def reminders_due_at(stack: SandboxStack, clock, when: datetime) -> int:
    clock.advance(when - clock.now())
    return stack.bot_server.run_coroutine(stack.bot.services.reminders.run_due())


def test_the_host_is_reminded_before_a_meeting_with_its_buttons(stack: SandboxStack, maria: VirtualUser, clock):
    book(maria, "/meet Priya demo tmrw 2pm on zoom")
    assert reminders_due_at(stack, clock, wednesday(13, 44)) == 0
    assert reminders_due_at(stack, clock, wednesday(13, 45)) == 1
    dm = maria.wait_for_dm(lambda m: m.text.startswith("Reminder: Priya demo"))
    shown = words(dm.blocks)
    assert "Priya demo* starts in 15 min" in shown and "with Priya Sharma" in shown and "Product demo · Zoom" in shown
    assert [e["text"]["text"] for b in dm.blocks if b["type"] == "actions" for e in b["elements"]] == [
        "Reschedule", "Showed", "No-show", "Cancel"]
    assert reminders_due_at(stack, clock, wednesday(15)) == 0, "no overdue nag for a meeting"


def test_a_meeting_cancelled_or_moved_in_highlevel_reminds_at_its_new_time_or_not_at_all(
        stack: SandboxStack, maria: VirtualUser, clock):
    book(maria, "/meet Priya demo tmrw 2pm")
    clock.advance(5)
    book(maria, "/meet Tom sync tmrw 3pm")
    stack.ghl.appointments("Priya demo")[0]["appointmentStatus"] = "cancelled"
    moved = stack.ghl.appointments("Tom sync")[0]
    moved["start"], moved["end"] = wednesday(16), wednesday(16, 30)
    assert reminders_due_at(stack, clock, wednesday(13, 46)) == 0
    assert "Cancelled: Priya demo" in maria.wait_for_message(lambda m: "Priya demo" in m.text).text
    assert reminders_due_at(stack, clock, wednesday(14, 46)) == 0
    assert reminders_due_at(stack, clock, wednesday(15, 45)) == 1
    assert [m.text.split(" starts ")[0] for m in maria.dms() if m.text.startswith("Reminder:")] == ["Reminder: Tom sync"]


def test_cancelling_from_slack_cancels_the_reminder(stack: SandboxStack, maria: VirtualUser, clock):
    confirmation = book(maria, "/meet Priya demo tmrw 2pm")
    maria.click("Cancel", message=confirmation)
    maria.wait_for_message(lambda m: m.ts == confirmation.ts and "Cancelled" in m.text)
    assert reminders_due_at(stack, clock, wednesday(13, 50)) == 0


def test_one_line_names_the_calendar_the_contact_after_with_and_the_address(stack: SandboxStack, maria: VirtualUser):
    modal = open_meet(maria, "/meet discovery call with Tom fri 10am in person at 1 Market St")
    view = modal.view
    assert initial(view, "meet_calendar") == "Discovery call"
    assert initial(view, "meet_contact").startswith("Tom Becker")
    assert initial(view, "meet_title") == "discovery call with Tom"
    assert start_block(view)["element"]["initial_value"] == "fri 10am"
    assert initial(view, "meet_address") == "1 Market St"
    assert initial(view, "meet_location_type") == "In person (address)"
