"""The /meet modal (a HighLevel appointment): built from the form's values, read back from view state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from bot.crm.highlevel_models import AppointmentStatus, LocationType
from bot.ui.fields import checkbox_input, select_input, text_input, typeahead_input
from bot.ui.ids import (
    MEET_REPEAT_PREVIEW,
    MEET_SLOTS,
    MEET_START_PREVIEW,
    NEW_CONTACT_PREFIX,
    Action,
    MeetField,
    ViewId,
    one_of,
)
from bot.ui.kit import Block, actions, button, context, modal, section
from bot.ui.metadata import MeetModalContext
from bot.ui.text import escape

F = MeetField
CALENDAR_DEFAULT = "default"
MAX_OPTIONS = 100
LOCATION_CHOICES = [(CALENDAR_DEFAULT, "The calendar's default")] + [(kind.value, kind.label) for kind in LocationType]
STATUS_CHOICES = [(status.value, status.label) for status in (AppointmentStatus.CONFIRMED, AppointmentStatus.NEW)]
NOTIFY_CHOICE = ("notify", "Let HighLevel notify the contact and run its automations")


class MeetForm(BaseModel):
    """What the /meet modal shows or holds right now, as the rep typed or picked it."""

    calendar_id: str | None = None
    contact: tuple[str, str] | None = None
    new_name: str = ""
    new_email: str = ""
    new_phone: str = ""
    title: str = ""
    start_text: str = ""
    length_text: str = ""
    repeat_text: str = ""
    location_type: str = CALENDAR_DEFAULT
    address: str = ""
    assigned: str | None = None
    status: str = AppointmentStatus.CONFIRMED.value
    notify: bool = True
    description: str = ""

    @property
    def new_contact(self) -> bool:
        return self.contact is not None and self.contact[0].startswith(NEW_CONTACT_PREFIX)


@dataclass(frozen=True)
class Availability:
    """The reading of the start under its field, and free times to pick when it is taken."""

    text: str
    slots: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Readings:
    start: Availability
    repeat: str | None = None


def slot_buttons(slots: list[tuple[str, str]], action: Action, block_id: str) -> Block:
    """Free times as buttons (value: the start's ISO instant) that fill the start in; each its own action_id."""
    return actions(*[button(label, one_of(action, str(index)), value) for index, (value, label) in enumerate(slots)],
                   block_id=block_id)


def start_block(ctx: MeetModalContext) -> str:
    """The start field's block_id: a new revision makes Slack show a picked slot instead of the typed text."""
    return f"{F.START}.{ctx.start_rev}"


def meet_modal(ctx: MeetModalContext, form: MeetForm, calendars: list[tuple[str, str]], readings: Readings,
               team: list[tuple[str, str]], title: str = "New meeting") -> dict[str, Any]:
    """The /meet form; `team` (id, label) are the calendar's members who may run the meeting."""
    blocks: list[Block] = [
        select_input(F.CALENDAR, "Calendar", calendars[:MAX_OPTIONS], initial=form.calendar_id, live=True),
        typeahead_input(F.CONTACT, "Contact", initial=form.contact, optional=False, live=True,
                        placeholder="Name, email or phone", hint="No match? Pick “New contact” to add one"),
    ]
    if form.new_contact:
        blocks += [
            text_input(F.NEW_NAME, "New contact's name", initial=form.new_name, placeholder="Priya Sharma"),
            text_input(F.NEW_EMAIL, "Their email", initial=form.new_email, optional=True),
            text_input(F.NEW_PHONE, "Their phone", initial=form.new_phone, optional=True,
                       hint="An email or a phone, so HighLevel can match them later"),
        ]
    blocks += [
        text_input(F.TITLE, "Title", initial=form.title, optional=True, max_length=250,
                   placeholder="Acme demo", hint="Empty: the calendar's own title (usually the contact's name)"),
        text_input(start_block(ctx), "Starts", initial=form.start_text, live=True, action_id=F.START,
                   placeholder="tmrw 2pm, fri at 10, next tue 3:30pm"),
        context(readings.start.text, block_id=MEET_START_PREVIEW),
    ]
    if readings.start.slots:
        blocks.append(slot_buttons(readings.start.slots, Action.MEET_SLOT, MEET_SLOTS))
    blocks += [
        text_input(F.LENGTH, "Length or end", initial=form.length_text, optional=True, live=True,
                   placeholder="for 45m, 1h, until 3pm", hint=f"Empty: the calendar's {ctx.slot_minutes}-minute slot"),
        text_input(F.REPEAT, "Repeats", initial=form.repeat_text, optional=True, live=True,
                   placeholder="every weekday for 2 weeks, every other fri",
                   hint=None if ctx.recurring_allowed else "This calendar does not allow recurring meetings"),
    ]
    if readings.repeat:
        blocks.append(context(readings.repeat, block_id=MEET_REPEAT_PREVIEW))
    blocks += [
        select_input(F.LOCATION_TYPE, "Where", LOCATION_CHOICES, initial=form.location_type),
        text_input(F.ADDRESS, "Address or meeting details", initial=form.address, optional=True,
                   placeholder="Street address, dial-in or link", hint="Needed for “In person” and “Other”"),
        select_input(F.ASSIGNED, "Who runs it", team[:MAX_OPTIONS], initial=form.assigned, live=True,
                     placeholder="A member of the calendar's team") if team else
        context(f":warning: {escape(ctx.calendar_name)} has no team members in HighLevel, so nobody can run a "
                "meeting on it. Pick another calendar.", block_id=F.ASSIGNED),
        select_input(F.STATUS, "Status", STATUS_CHOICES, initial=form.status),
        checkbox_input(F.NOTIFY, "Notify", NOTIFY_CHOICE, checked=form.notify),
        text_input(F.DESCRIPTION, "Notes", initial=form.description, optional=True, multiline=True, max_length=2900),
    ]
    return modal(ViewId.MEET, title, blocks, submit="Book", private_metadata=ctx.dump())


def loading_meet_modal() -> dict[str, Any]:
    return modal(ViewId.MEET, "New meeting", [section(":hourglass_flowing_sand: Getting your calendars from HighLevel…")])


def unavailable_meet_modal(reason: str) -> dict[str, Any]:
    return modal(ViewId.MEET, "New meeting", [section(f":warning: {escape(reason)}. Close this and try `/meet` "
                                                      "again in a minute.")])


def _by_action(values: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in values.values():
        if action_id in block:
            return block[action_id]
    return {}


def _text(values: dict[str, Any], action_id: str) -> str:
    return (_by_action(values, action_id).get("value") or "").strip()


def _selected(values: dict[str, Any], action_id: str) -> tuple[str, str] | None:
    chosen = _by_action(values, action_id).get("selected_option")
    return (chosen["value"], chosen["text"]["text"]) if chosen else None


def read_meet_form(values: dict[str, Any]) -> MeetForm:
    calendar = _selected(values, F.CALENDAR)
    location = _selected(values, F.LOCATION_TYPE)
    assigned = _selected(values, F.ASSIGNED)
    status = _selected(values, F.STATUS)
    return MeetForm(
        calendar_id=calendar[0] if calendar else None, contact=_selected(values, F.CONTACT),
        new_name=_text(values, F.NEW_NAME), new_email=_text(values, F.NEW_EMAIL), new_phone=_text(values, F.NEW_PHONE),
        title=_text(values, F.TITLE), start_text=_text(values, F.START), length_text=_text(values, F.LENGTH),
        repeat_text=_text(values, F.REPEAT), location_type=location[0] if location else CALENDAR_DEFAULT,
        address=_text(values, F.ADDRESS), assigned=assigned[0] if assigned else None,
        status=status[0] if status else AppointmentStatus.CONFIRMED.value,
        notify=bool(_by_action(values, F.NOTIFY).get("selected_options")), description=_text(values, F.DESCRIPTION))
