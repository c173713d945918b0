"""A HighLevel meeting's confirmation: its current state, its buttons, and the thread it starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.crm.highlevel_models import AppointmentStatus, LocationType
from bot.ui.ids import Action
from bot.ui.kit import Block, actions, button, context, plain, section
from bot.ui.text import escape, mention
from bot.when import describe, slack_token

GONE = "gone"
HEADLINES = {
    AppointmentStatus.NEW: (":calendar:", "Meeting booked (unconfirmed)"),
    AppointmentStatus.CONFIRMED: (":calendar:", "Meeting booked"),
    AppointmentStatus.CANCELLED: (":x:", "Cancelled"),
    AppointmentStatus.SHOWED: (":white_check_mark:", "Showed"),
    AppointmentStatus.NOSHOW: (":no_entry_sign:", "No-show"),
    AppointmentStatus.INVALID: (":grey_question:", "Marked invalid"),
    GONE: (":wastebasket:", "Deleted in HighLevel"),
}
OPEN = (AppointmentStatus.NEW, AppointmentStatus.CONFIRMED)


@dataclass(frozen=True)
class MeetCard:
    event_id: str
    title: str
    calendar_name: str
    start: datetime
    end: datetime
    contact_name: str
    assigned_slack_id: str | None
    assigned_name: str
    creator_slack_id: str | None
    status: str
    location_type: str | None = None
    address: str | None = None
    repeats: str | None = None


def where(location_type: str | None, address: str | None) -> str | None:
    label = LocationType(location_type).label if location_type in set(LocationType) else None
    if label and address:
        return f"{label}: {address}"
    return label or address


def meet_buttons(card: MeetCard, list_context: str | None = None) -> Block:
    """Reschedule, Showed, No-show, Cancel: the value names the meeting (and the list it was shown in)."""
    confirm = {"title": plain("Cancel this meeting?"), "text": plain(f"{card.title} will be cancelled in HighLevel.",
                                                                        300),
               "confirm": plain("Cancel meeting"), "deny": plain("Keep it"), "style": "danger"}
    value = card.event_id + (f"|{list_context}" if list_context else "")
    return actions(button("Reschedule", Action.MEET_RESCHEDULE, value), button("Showed", Action.MEET_SHOWED, value),
                   button("No-show", Action.MEET_NOSHOW, value),
                   button("Cancel", Action.MEET_CANCEL, value, style="danger", confirm=confirm),
                   block_id=f"meet:{card.event_id}")


def meet_confirmation(card: MeetCard, tz: str, sandbox: bool) -> tuple[str, list[Block]]:
    icon, headline = HEADLINES.get(card.status, HEADLINES[AppointmentStatus.CONFIRMED])
    title = escape(card.title)
    if card.status in (AppointmentStatus.CANCELLED, GONE):
        title = f"~{title}~"
    when = f"{slack_token(card.start, tz)} – {slack_token(card.end, tz, '{time}')}"
    fields = [f"*Calendar*\n{escape(card.calendar_name)}", f"*When*\n{when}", f"*Contact*\n{escape(card.contact_name)}",
              f"*With*\n{mention(card.assigned_slack_id) if card.assigned_slack_id else escape(card.assigned_name)}"]
    place = where(card.location_type, card.address)
    if place:
        fields.append(f"*Where*\n{escape(place)}")
    if card.repeats:
        fields.append(f"*Repeats*\n{escape(card.repeats)}")
    note = f"Booked by {mention(card.creator_slack_id)}" if card.creator_slack_id else "From HighLevel"
    note += " · HighLevel" + (" (sandbox)" if sandbox else "")
    blocks = [section(f"{icon} *{headline}:* {title}"), section(fields=fields), context(note)]
    if card.status in OPEN:
        blocks.append(meet_buttons(card))
    return f"{headline}: {escape(card.title)} ({describe(card.start, tz)})", blocks


def meeting_line(card: MeetCard, tz: str) -> Block:
    when = f"{slack_token(card.start, tz)} – {slack_token(card.end, tz, '{time}')}"
    return section(f":calendar: *{escape(card.title)}*\n{when} · {escape(card.calendar_name)} · "
                   f"{escape(card.contact_name)}")


def free_times_text(slots: list[tuple[str, str]]) -> str:
    """Nearest free times for an inline error, where buttons cannot go."""
    return ", ".join(label for _, label in slots)

