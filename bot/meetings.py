"""HighLevel meetings from Slack: booked through the outbox, confirmed in the channel, changed from buttons.

Booking follows the tasks' rule (bot.outbox): a new contact and the appointment are each created
exactly once. A recurring series is booked with ignoreFreeSlotValidation, as HighLevel requires for
an rrule, after every one of its meetings was checked against the free slots (bot.meet_series).
HighLevel is the truth for every change: the appointment is read first, so one cancelled, moved or
deleted there shows as it is. On a series, Showed, No-show, Cancel and Reschedule ask which meetings:
one of them, or the whole series; nobody is marked showed or a no-show before the meeting starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot.crm.errors import BadRequest, CRMError, NotFound
from bot.crm.highlevel import HighLevel
from bot.crm.highlevel_models import (
    Appointment,
    AppointmentCreate,
    AppointmentEdit,
    AppointmentStatus,
    ContactCreate,
    iso_with_offset,
)
from bot.forms import preview_text
from bot.meet_forms import SLOT_CHECK_SECONDS, MeetForms, not_free
from bot.meet_series import CAP, clash_text, clashes, is_free, meeting_starts, with_year
from bot.models import Kind, MeetDraft
from bot.outbox import Sent, post_confirmation
from bot.people import Person
from bot.service import Service
from bot.slack_client import open_waiting, update_view
from bot.task_changes import LIST_AHEAD, Outcome
from bot.ui.ids import SERIES_WHICH, WHEN, ViewId
from bot.ui.meet_message import GONE as GONE_STATUS
from bot.ui.meet_message import OPEN, MeetCard, meet_confirmation
from bot.ui.meet_modal import Availability, MeetForm
from bot.ui.meet_series import WHOLE_SERIES, read_series_modal, series_modal
from bot.ui.metadata import MeetModalContext, SeriesChoice, TaskRef
from bot.ui.task_lists import notice_modal, reschedule_modal, waiting_modal
from bot.ui.task_message import change_note
from bot.ui.task_modal import TaskForm
from bot.ui.text import escape
from bot.when import Refusal, describe, read, slack_token

log = logging.getLogger("taskbot.meetings")
BACKEND = "highlevel"
CREATE = "ghl.create"
T = TypeVar("T")
TRIGGER_BUDGET = 1.0
"""Seconds a Cancel, Showed or No-show click waits for HighLevel before it spends its trigger (which expires
3 s after the click) on a placeholder: a series needs a modal to ask which meetings."""
REFUSAL = "Only the person running the meeting, the one who booked it, or a Taskbot admin can change it."
STATUS_NOTES = {AppointmentStatus.CANCELLED: "cancelled {what} :x:",
                AppointmentStatus.SHOWED: "marked {what} showed :white_check_mark:",
                AppointmentStatus.NOSHOW: "marked {what} a no-show :no_entry_sign:"}


@dataclass(eq=False)
class Meetings(Service):
    """HighLevel's writer in the outbox, and the changes made from a meeting's buttons."""

    ghl: HighLevel = field(kw_only=True)
    forms: MeetForms = field(kw_only=True)
    crm = "HighLevel"

    def __post_init__(self) -> None:
        self.task_changed: Callable[[int], None] = lambda task_id: None

    # ----- book ---------------------------------------------------------------------------------

    async def send(self, operation_id: int, payload: dict[str, Any], maybe_sent: bool) -> Sent:
        draft = MeetDraft.model_validate(payload["draft"])
        contact_id = draft.contact_id or payload.get("contact_id")
        if contact_id is None:
            assert draft.new_contact is not None
            first, _, last = draft.new_contact.name.partition(" ")
            contact = await self.ghl.contact_once(ContactCreate(
                locationId=self.ghl.location_id, firstName=first, lastName=last or None,
                email=draft.new_contact.email, phone=draft.new_contact.phone, source="Slack (Taskbot)"),
                check_first=maybe_sent)
            contact_id = contact.id
            self.store.update_operation(operation_id, payload={**payload, "contact_id": contact_id})
        if draft.rrule and not maybe_sent:
            await self._series_free(draft)
        booked = await self.ghl.book_once(self.booking(draft, contact_id), check_first=maybe_sent)
        self.forms.forget_slots()
        return Sent(booked.record, booked.uncertain)

    async def _series_free(self, draft: MeetDraft) -> None:
        """A series is booked with ignoreFreeSlotValidation, so HighLevel checks none of its meetings: check
        every one here, fresh, whether or not the modal could."""
        calendar = await self.ghl.calendar(draft.calendar_id)
        starts = meeting_starts(draft.rrule or "", draft.start, draft.tz)
        found = await clashes(self.ghl, calendar, starts, draft.end - draft.start, draft.tz, draft.assigned_user_id)
        if found:
            raise BadRequest(self.crm, f"{clash_text(found, len(starts), draft.tz)}; edit it to pick another time")

    async def verify(self, operation_id: int) -> None:
        """Wait for a late copy of a booking to land, and delete it."""
        await self.clock.sleep(self.ghl.grace)
        operation = self.store.operation(operation_id)
        assert operation is not None and operation["crm_id"]
        draft = MeetDraft.model_validate(operation["payload"]["draft"])
        contact_id = draft.contact_id or operation["payload"].get("contact_id")
        assert contact_id is not None
        left = await self.ghl.sweep_bookings(self.booking(draft, contact_id), operation["crm_id"])
        if left:
            log.warning("operation %s: HighLevel holds %s copies Taskbot could not delete", operation_id, len(left))

    async def reopen(self, trigger_id: str, user_id: str, draft: dict[str, Any], retry_of: int) -> None:
        saved = MeetDraft.model_validate(draft)
        await self.forms.open(trigger_id=trigger_id, user_id=user_id, channel_id=saved.channel_id,
                              thread_ts=saved.thread_ts, form=self.forms.form_of(saved), retry_of=retry_of)

    def booking(self, draft: MeetDraft, contact_id: str) -> AppointmentCreate:
        recurring = draft.rrule is not None
        return AppointmentCreate(
            calendarId=draft.calendar_id, locationId=self.ghl.location_id, contactId=contact_id,
            startTime=iso_with_offset(draft.start.astimezone(ZoneInfo(draft.tz))),
            endTime=iso_with_offset(draft.end.astimezone(ZoneInfo(draft.tz))), title=draft.title,
            meetingLocationType=draft.location_type, overrideLocationConfig=True if draft.location_type else None,
            appointmentStatus=draft.status, assignedUserId=draft.assigned_user_id, description=draft.description,
            address=draft.address, toNotify=draft.notify, ignoreFreeSlotValidation=True if recurring else None,
            rrule=draft.rrule)

    async def confirm(self, operation_id: int) -> None:
        operation = self.store.operation(operation_id)
        assert operation is not None and operation["crm_id"]
        draft = MeetDraft.model_validate(operation["payload"]["draft"])
        task_id = self.store.add_task(
            backend=BACKEND, crm_id=operation["crm_id"], kind=Kind.APPOINTMENT.value, title=draft.title,
            due_utc=draft.start, end_utc=draft.end, owner_slack_id=draft.owner_slack_id,
            creator_slack_id=draft.creator_slack_id, lead_id=operation["payload"].get("contact_id") or draft.contact_id,
            lead_name=draft.contact_name, status=row_status(draft.status), thread_ts=draft.thread_ts,
            details={"draft": draft.model_dump(mode="json")})
        if (self.store.task(task_id) or {}).get("confirmation_ts"):
            self.store.update_operation(operation_id, status="done")
            return
        self.task_changed(task_id)
        card = self._card(self.store.task(task_id) or {}, None)
        text, blocks = meet_confirmation(card, draft.tz, self.settings.ghl_is_sandbox)
        posted = await post_confirmation(self.slack, draft.channel_id, draft.thread_ts, draft.creator_slack_id, text,
                                         blocks)
        self.store.update_task(task_id, channel_id=posted.channel, confirmation_ts=posted.ts)
        self.store.update_operation(operation_id, status="done")

    def _card(self, row: dict[str, Any], appointment: Appointment | None, gone: bool = False) -> MeetCard:
        """The confirmation's content: the appointment as HighLevel has it now, and what only Slack knows."""
        draft = MeetDraft.model_validate(row["details"]["draft"])
        start, end = (appointment.startTime, appointment.endTime) if appointment else (draft.start, draft.end)
        if gone:
            status = GONE_STATUS
        elif appointment is not None:
            status = appointment.status.value
        else:
            status = draft.status if row["status"] == "open" else row["status"]
        return MeetCard(
            event_id=row["crm_id"], title=(appointment.title if appointment else None) or draft.title,
            calendar_name=draft.calendar_name, start=start, end=end, contact_name=draft.contact_name,
            assigned_slack_id=draft.assigned_slack_id,
            assigned_name=draft.assigned_user_name, creator_slack_id=draft.creator_slack_id, status=status,
            location_type=draft.location_type, address=draft.address, repeats=draft.repeat_text)

    # ----- act ----------------------------------------------------------------------------------

    def may_act(self, user_id: str, row: dict[str, Any]) -> bool:
        """The person running it, the one who booked it, or an admin."""
        return user_id in {row.get("owner_slack_id"), row.get("creator_slack_id")} or user_id in self.settings.admins

    async def actionable(self, event_id: str, actor: str) -> tuple[dict[str, Any], Appointment] | Outcome:
        """The meeting as HighLevel has it now, if `actor` may change it; otherwise what to tell them.

        A meeting made in HighLevel itself (listed in /tasks or Home) is adopted on its first change. A
        meeting of a series is acted on through its series' row (its master's).
        """
        try:
            appointment = await self.ghl.appointment(event_id)
            master_id = appointment.masterEventId or appointment.id
            row = self.store.task_by_crm_id(BACKEND, master_id)
            if row is None:
                master = appointment if master_id == appointment.id else await self.ghl.appointment(master_id)
                row = await self._adopt(master, actor)
        except NotFound:
            row = self.store.task_by_crm_id(BACKEND, event_id)
            if row is not None:
                await self._show(row, None, gone=True)
            return Outcome(False, "That meeting was deleted in HighLevel.")
        except CRMError as error:
            return _not_changed(error)
        if not self.may_act(actor, row):
            return Outcome(False, REFUSAL)
        if appointment.status not in OPEN:
            if appointment.id == row["crm_id"]:
                await self._show(row, appointment)
            return Outcome(False, f"That meeting is already {appointment.status.label.lower()} in HighLevel.")
        return row, appointment

    async def _adopt(self, appointment: Appointment, actor: str) -> dict[str, Any]:
        """Remember a meeting made in HighLevel, run by whoever has its assigned user's email."""
        calendar = await self.ghl.calendar(appointment.calendarId)
        host = await self.ghl.user(appointment.assignedUserId) if appointment.assignedUserId else None
        host_slack = self.people.slack_id_for_email(host.email if host else None)
        contact = await self.ghl.contact(appointment.contactId)
        person = await self.people.get(host_slack or actor)
        draft = MeetDraft(
            calendar_id=calendar.id, calendar_name=calendar.name, contact_id=contact.id,
            contact_name=contact.display_name, title=appointment.title or calendar.name, start=appointment.startTime,
            end=appointment.endTime, rrule=appointment.rrule, status=appointment.status.value,
            assigned_user_id=appointment.assignedUserId or "", assigned_user_name=host.display_name if host else "",
            assigned_slack_id=host_slack, location_type=appointment.meetingLocationType, address=appointment.address,
            owner_slack_id=host_slack or "", creator_slack_id="", tz=person.tz)
        task_id = self.store.add_task(
            backend=BACKEND, crm_id=appointment.id, kind=Kind.APPOINTMENT.value, title=draft.title,
            due_utc=draft.start, end_utc=draft.end, owner_slack_id=host_slack, creator_slack_id=None,
            lead_id=contact.id, lead_name=draft.contact_name, status=row_status(draft.status),
            details={"draft": draft.model_dump(mode="json")})
        self.task_changed(task_id)
        row = self.store.task(task_id)
        assert row is not None
        return row

    async def current_card(self, row: dict[str, Any]) -> MeetCard | None:
        """The meeting as HighLevel has it now, for a reminder; None when it is gone, cancelled, done or
        moved there (its confirmation then shows that, and its reminders are planned again)."""
        try:
            appointment = await self.ghl.appointment(row["crm_id"])
        except NotFound:
            await self._show(row, None, gone=True)
            return None
        if appointment.status not in OPEN or appointment.startTime != row["due_utc"]:
            await self._show(row, appointment)
            return None
        return self._card(row, appointment)

    def card_of(self, row: dict[str, Any]) -> MeetCard:
        """The meeting as the bot last knew it."""
        return self._card(row, None)

    async def upcoming(self, owner_slack_id: str, ahead: timedelta = LIST_AHEAD) -> list[MeetCard] | None:
        """The person's open HighLevel meetings from now on, however they were booked; None when no
        HighLevel user has their email."""
        person = await self.people.get(owner_slack_id)
        user_ids = await self.ghl.user_ids_by_email(person.email) if person.email else []
        if not user_ids:
            return None
        now = self.clock.now()
        calendars = {calendar.id: calendar.name for calendar in await self.ghl.calendars()}
        events = [event for user_id in user_ids
                  for event in await self.ghl.events(now - timedelta(days=1), now + ahead, user_id=user_id)]
        cards = []
        for event in sorted(events, key=lambda event: event.startTime):
            if event.status not in OPEN or event.endTime <= now:
                continue
            row = self.store.task_by_crm_id(BACKEND, event.masterEventId or event.id)
            contact = row["lead_name"] if row else (await self.ghl.contact(event.contactId)).display_name
            cards.append(MeetCard(
                event_id=event.id, title=event.title or calendars.get(event.calendarId, "Meeting"),
                calendar_name=calendars.get(event.calendarId, ""), start=event.startTime, end=event.endTime,
                contact_name=contact, assigned_slack_id=owner_slack_id, assigned_name=person.name,
                creator_slack_id=row["creator_slack_id"] if row else None, status=event.status.value))
        return cards

    async def open_reschedule(self, trigger_id: str, event_id: str, user_id: str, list_key: str | None = None,
                              response_url: str | None = None) -> None:
        """A placeholder at once (HighLevel may outlast the trigger), then the small Reschedule modal (for a
        series: which meetings, and the new time), or why there is nothing to move: the meeting is gone, done
        or not theirs."""
        view = await open_waiting(self.slack, trigger_id, waiting_modal(
            "Reschedule", "Getting the meeting from HighLevel…"))
        found = await self.actionable(event_id, user_id)
        if isinstance(found, Outcome):
            await update_view(self.slack, view["id"], view.get("hash"),
                              notice_modal("Reschedule", found.notice or ""))
            return
        row, appointment = found
        person = await self.people.get(user_id)
        if _in_series(row, appointment):
            which = await self._which(row, appointment, "reschedule", person, list_key, response_url)
            await update_view(self.slack, view["id"], view.get("hash"),
                              which if isinstance(which, dict) else notice_modal("Reschedule", which))
            return
        ref = TaskRef(crm_id=event_id, tz=person.tz, date_order=self.people.date_order(person), list=list_key,
                      response_url=response_url)
        preview = preview_text(TaskForm(kind=Kind.APPOINTMENT), person.tz, self.clock.now())
        await update_view(self.slack, view["id"], view.get("hash"), reschedule_modal(
            ref, row["title"], appointment.startTime, "", preview, ViewId.MEET_RESCHEDULE))

    async def move_errors(self, event_id: str, start: datetime, tz: str) -> dict[str, str]:
        """Inline errors for a meeting's Reschedule modal: it keeps its length and host, and needs free time.
        Decided inside the ack, so within SLOT_CHECK_SECONDS in all; past that HighLevel checks the move."""
        try:
            return await asyncio.wait_for(self._move_errors(event_id, start, tz), SLOT_CHECK_SECONDS)
        except asyncio.TimeoutError:
            log.info("free-slot check of a move deferred to HighLevel")
            return {}

    async def _move_errors(self, event_id: str, start: datetime, tz: str) -> dict[str, str]:
        row = self.store.task_by_crm_id(BACKEND, event_id)
        if row is None:
            return {}
        return await self._taken(row, row["due_utc"], row["end_utc"], start, tz)

    async def move_reading(self, event_id: str, start: datetime, tz: str) -> Availability | None:
        """While the rep types a meeting's new time: when it is taken, say so and offer the nearest free
        times. None when it is free, or could not be checked within SLOT_CHECK_SECONDS (the move is
        checked again on submit, and by HighLevel)."""
        try:
            return await asyncio.wait_for(self._move_reading(event_id, start, tz), SLOT_CHECK_SECONDS)
        except asyncio.TimeoutError:
            log.info("live free-slot check of a move gave up waiting for HighLevel")
            return None

    async def _move_reading(self, event_id: str, start: datetime, tz: str) -> Availability | None:
        row = self.store.task_by_crm_id(BACKEND, event_id)
        calendar = await self._move_calendar(row, tz) if row else None
        if row is None or calendar is None:
            return None
        ctx, form = calendar
        end = start + (row["end_utc"] - row["due_utc"])
        slots = await self.forms.checked_slots(ctx, form, start, own=(row["due_utc"], row["end_utc"]), fresh=False)
        if slots is None or is_free(start, end, slots, ctx.slot_minutes, ctx.slot_interval):
            return None
        return not_free(f"*{describe(start, tz)}*", escape(ctx.calendar_name), start, slots, self.clock.now(), tz)

    async def _move_calendar(self, row: dict[str, Any], tz: str) -> tuple[MeetModalContext, MeetForm] | None:
        """The meeting's calendar and host, as the free-slot check wants them; None when HighLevel is slow."""
        draft = MeetDraft.model_validate(row["details"]["draft"])
        try:
            calendar = await asyncio.wait_for(self.ghl.calendar(draft.calendar_id), SLOT_CHECK_SECONDS)
        except (CRMError, asyncio.TimeoutError):
            return None
        ctx = MeetModalContext(tz=tz, calendar_name=draft.calendar_name, slot_minutes=calendar.slot_minutes,
                               slot_interval=calendar.interval_minutes)
        return ctx, MeetForm(calendar_id=draft.calendar_id, assigned=draft.assigned_user_id)

    async def _taken(self, row: dict[str, Any], now_start: datetime, now_end: datetime, start: datetime,
                     tz: str) -> dict[str, str]:
        calendar = await self._move_calendar(row, tz)
        if calendar is None:
            return {}
        ctx, form = calendar
        taken = await self.forms.taken(ctx, form, start, start + (now_end - now_start), own=(now_start, now_end),
                                       pick="Type one of them.")
        return {WHEN: taken} if taken else {}

    async def status_clicked(self, trigger_id: str, event_id: str, actor: str, status: AppointmentStatus,
                             list_key: str | None = None, response_url: str | None = None) -> Outcome:
        """Cancel, Showed or No-show: done at once on a single meeting; on a series, the rep is asked which
        meetings first. When HighLevel is slow, the click's trigger is spent on a placeholder before it
        expires, and what follows is shown in it."""
        view: dict[str, Any] | None = None

        async def in_time(work: Awaitable[T]) -> T:
            nonlocal view
            running = asyncio.ensure_future(work)
            if view is None and not (await asyncio.wait({running}, timeout=TRIGGER_BUDGET))[0]:
                view = await open_waiting(self.slack, trigger_id, waiting_modal(
                    status.label, "Getting the meeting from HighLevel…"))
            return await running

        found = await in_time(self.actionable(event_id, actor))
        if isinstance(found, Outcome):
            return await self._told(view, status, found)
        row, appointment = found
        if not _in_series(row, appointment):
            return await self._told(view, status, await self._set_status(row, appointment, actor, status))
        person = await self.people.get(actor)
        which = await in_time(self._which(row, appointment, status.value, person, list_key, response_url))
        if isinstance(which, str):
            return await self._told(view, status, Outcome(False, which))
        if view is None:
            await self.slack.views_open(trigger_id=trigger_id, view=which)
        else:
            await update_view(self.slack, view["id"], view.get("hash"), which)
        return Outcome(False, None)

    async def _told(self, view: dict[str, Any] | None, status: AppointmentStatus, outcome: Outcome) -> Outcome:
        """With a placeholder open, the outcome is told in it; otherwise the caller tells it."""
        if view is None:
            return outcome
        await update_view(self.slack, view["id"], view.get("hash"), notice_modal(
            status.label, outcome.notice or f"Done: the meeting is marked {status.label.lower()}."))
        return Outcome(outcome.changed, None)

    async def _set_status(self, row: dict[str, Any], appointment: Appointment, actor: str,
                          status: AppointmentStatus) -> Outcome:
        tz = row["details"]["draft"]["tz"]
        if status in (AppointmentStatus.SHOWED, AppointmentStatus.NOSHOW) and appointment.startTime > self.clock.now():
            return Outcome(False, f"That meeting hasn't started yet (it starts {describe(appointment.startTime, tz)}): "
                                  f"mark it {status.label.lower()} once it has.")
        try:
            changed = await self.ghl.update_appointment(appointment.id, AppointmentEdit(appointmentStatus=status))
        except CRMError as error:
            return _not_changed(error)
        if status is AppointmentStatus.CANCELLED:
            self.forms.forget_slots()
        await self._changed(row, changed, actor, STATUS_NOTES[status])
        return Outcome(True)

    async def reschedule(self, event_id: str, actor: str, start: datetime) -> Outcome:
        """Move the meeting (or one meeting of a series), keeping its length; HighLevel refuses a taken slot."""
        found = await self.actionable(event_id, actor)
        if isinstance(found, Outcome):
            return found
        row, current = found
        zone = ZoneInfo(row["details"]["draft"]["tz"])
        end = start + (current.endTime - current.startTime)
        try:
            appointment = await self.ghl.update_appointment(current.id, AppointmentEdit(
                startTime=iso_with_offset(start.astimezone(zone)), endTime=iso_with_offset(end.astimezone(zone))))
        except CRMError as error:
            return _not_changed(error)
        self.forms.forget_slots()
        tz = row["details"]["draft"]["tz"]
        await self._changed(row, appointment, actor, "moved {what} to " + slack_token(start, tz))
        return Outcome(True)

    # ----- series ---------------------------------------------------------------------------------

    async def _which(self, row: dict[str, Any], clicked: Appointment, action: str, person: Person,
                     list_key: str | None, response_url: str | None) -> dict[str, Any] | str:
        """The "which meetings?" modal with the meetings the action can apply to; a notice when there are none."""
        tz = person.tz
        master = clicked if clicked.id == row["crm_id"] else await self.ghl.appointment(row["crm_id"])
        meetings = await self._series(master)
        now = self.clock.now()
        marking = action in (AppointmentStatus.SHOWED.value, AppointmentStatus.NOSHOW.value)
        open_ones = [m for m in meetings if m.status in OPEN]
        offered = ([m for m in reversed(open_ones) if m.startTime <= now] if marking
                   else [m for m in open_ones if m.startTime > now])
        if not offered and marking and any(m.startTime <= now for m in meetings):
            return "Every meeting of this series that has started is marked already; mark the next once it has."
        if not offered:
            return ("No meeting of this series has started yet; mark one once it has." if marking
                    else "Every meeting of this series is over or cancelled already.")
        whole = None
        if not marking or all(m.startTime <= now for m in meetings):
            whole = f"The whole series ({len(meetings)} meetings)"
        note = None if whole else "Meetings still to come can be marked once they have started."
        choice = SeriesChoice(master_id=master.id, action=action, tz=tz, date_order=self.people.date_order(person),
                              list=list_key, response_url=response_url,
                              picked=clicked.id if clicked.masterEventId else None)
        labels = [(m.id, with_year(m.startTime, tz)) for m in offered]
        return series_modal(choice, row["title"], labels, whole, note)

    async def _series(self, master: Appointment) -> list[Appointment]:
        """Every meeting of a series, from its first to its last (or 90 days from now, for an endless one)."""
        starts = meeting_starts(master.rrule or "", master.startTime, "UTC")
        last = starts[-1] if starts else self.clock.now() + CAP
        return await self.ghl.series_meetings(master, master.startTime, last + timedelta(minutes=1))

    async def series_errors(self, view: dict[str, Any], actor: str) -> tuple[dict[str, str], datetime | None]:
        """Checked inside the ack: something picked, and for Reschedule a readable, free new time."""
        choice = SeriesChoice.load(view["private_metadata"])
        picked, typed = read_series_modal(view["state"]["values"])
        if picked is None:
            return {SERIES_WHICH: "Pick the meetings."}, None
        if choice.action != "reschedule":
            return {}, None
        if not typed:
            return {WHEN: "Say when, e.g. `thu 11am` or `next tue at 10`."}, None
        reading = read(typed, self.clock.now(), choice.tz, choice.date_order)
        if isinstance(reading, Refusal) or reading.start is None:
            message = reading.message if isinstance(reading, Refusal) else "That's a length; say when it starts."
            return {WHEN: message}, None
        row = self.store.task_by_crm_id(BACKEND, choice.master_id)
        if row is None or picked == WHOLE_SERIES:
            return {}, reading.start
        meeting = await self._meeting_times(picked)
        if meeting is None:
            return {}, reading.start
        return await self._taken(row, meeting[0], meeting[1], reading.start, choice.tz), reading.start

    async def _meeting_times(self, event_id: str) -> tuple[datetime, datetime] | None:
        try:
            meeting = await asyncio.wait_for(self.ghl.appointment(event_id), SLOT_CHECK_SECONDS)
        except (CRMError, asyncio.TimeoutError):
            return None
        return meeting.startTime, meeting.endTime

    async def apply_to_series(self, view: dict[str, Any], actor: str, start: datetime | None) -> Outcome:
        """After the ack: the action on the meeting picked, or on the whole series."""
        choice = SeriesChoice.load(view["private_metadata"])
        picked, _ = read_series_modal(view["state"]["values"])
        assert picked is not None
        whole = picked == WHOLE_SERIES
        if choice.action == "reschedule":
            assert start is not None
            return await (self._move_series(choice.master_id, actor, start) if whole
                          else self.reschedule(picked, actor, start))
        status = AppointmentStatus(choice.action)
        found = await self.actionable(choice.master_id if whole else picked, actor)
        if isinstance(found, Outcome):
            return found
        row, appointment = found
        if whole and status is not AppointmentStatus.CANCELLED:
            meetings = await self._series(appointment)
            if any(m.startTime > self.clock.now() for m in meetings):
                return Outcome(False, "Some meetings of this series are still to come: mark them one by one "
                                      "once they have started.")
        return await self._set_status(row, appointment, actor, status)

    async def _move_series(self, master_id: str, actor: str, start: datetime) -> Outcome:
        """Move the whole series so its first meeting is at `start`; every meeting is checked first, since
        HighLevel moves a series without checking (ignoreFreeSlotValidation)."""
        found = await self.actionable(master_id, actor)
        if isinstance(found, Outcome):
            return found
        row, master = found
        draft = MeetDraft.model_validate(row["details"]["draft"])
        length = master.endTime - master.startTime
        starts = meeting_starts(master.rrule or draft.rrule or "", start, draft.tz)
        try:
            calendar = await self.ghl.calendar(master.calendarId)
            held = {m.startTime for m in await self._series(master)}
            found_clashes = await clashes(self.ghl, calendar, starts, length, draft.tz, master.assignedUserId, own=held)
        except CRMError as error:
            return _not_changed(error)
        if found_clashes:
            return Outcome(False, f"Nothing was moved: {clash_text(found_clashes, len(starts), draft.tz)}.")
        zone = ZoneInfo(draft.tz)
        try:
            moved = await self.ghl.update_appointment(master.id, AppointmentEdit(
                startTime=iso_with_offset(start.astimezone(zone)),
                endTime=iso_with_offset((start + length).astimezone(zone)), ignoreFreeSlotValidation=True))
        except CRMError as error:
            return _not_changed(error)
        self.forms.forget_slots()
        await self._changed(row, moved, actor, "moved {what} to start " + slack_token(start, draft.tz))
        return Outcome(True)

    async def _changed(self, row: dict[str, Any], appointment: Appointment, actor: str, what: str) -> None:
        """Say who changed what: the confirmation follows a change to the meeting (or series) it shows; a change
        to one meeting of a series is a note in the series' thread naming that meeting."""
        if appointment.id == row["crm_id"]:
            subject = "every meeting of this series" if appointment.rrule else "this"
            await self._show(row, appointment, change_note(actor, what.replace("{what}", subject)))
            return
        tz = row["details"]["draft"]["tz"]
        subject = f"the meeting of {with_year(appointment.startTime, tz)}"
        self.task_changed(row["id"])
        await self._note(row, change_note(actor, what.replace("{what}", subject)))

    async def _note(self, row: dict[str, Any], note: str) -> None:
        if row.get("channel_id") and row.get("confirmation_ts"):
            await self.thread_note(row["channel_id"], row["confirmation_ts"], note)

    async def _show(self, row: dict[str, Any], appointment: Appointment | None, note: str | None = None,
                    gone: bool = False) -> None:
        """Update the confirmation in place, and say in its thread who changed what."""
        card = self._card(row, appointment, gone)
        times = {"due_utc": appointment.startTime, "end_utc": appointment.endTime} if appointment else {}
        self.store.update_task(row["id"], status=row_status(card.status), title=card.title, **times)
        self.task_changed(row["id"])
        row = self.store.task(row["id"]) or row
        if not (row.get("channel_id") and row.get("confirmation_ts")):
            return
        draft = MeetDraft.model_validate(row["details"]["draft"])
        text, blocks = meet_confirmation(card, draft.tz, self.settings.ghl_is_sandbox)
        try:
            await self.slack.chat_update(channel=row["channel_id"], ts=row["confirmation_ts"], text=text, blocks=blocks)
        except SlackApiError as error:
            log.warning("confirmation of meeting %s not updated: %s", row["crm_id"], error.response.get("error"))
        if note:
            await self._note(row, note)


def _in_series(row: dict[str, Any], appointment: Appointment) -> bool:
    return bool(appointment.masterEventId or appointment.rrule or row["details"]["draft"].get("rrule"))


def _not_changed(error: CRMError) -> Outcome:
    log.info("meeting not changed: %s", error)
    return Outcome(False, f"Nothing was changed: {error.message}.")


def row_status(status: str) -> str:
    """A meeting's state as the tasks table keeps it: "open" while it is still to happen (new or
    confirmed), so reminders and lists treat it like any task; else HighLevel's word (or "gone")."""
    return "open" if status in OPEN else status
