"""A task's confirmation message: it shows the task's current state and is the task's thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.models import Kind
from bot.ui.ids import Action
from bot.ui.kit import Block, actions, button, context, section
from bot.ui.text import escape, link, mention
from bot.when import describe, slack_token

Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class TaskCard:
    """What a confirmation or a list line shows, whatever the task came from."""

    kind: Kind
    title: str
    task_type: str
    due: datetime
    end: datetime | None
    owner_slack_id: str | None
    owner_name: str | None
    creator_slack_id: str | None
    crm_id: str | None = None
    lead_id: str | None = None
    lead_name: str | None = None
    opportunity_name: str | None = None
    reminder: str | None = None
    location: str | None = None
    status: str = "open"


def reminder_text(kind: Kind, minutes: int | None, days_before: int | None, at: str | None) -> str | None:
    if kind is Kind.APPOINTMENT:
        if minutes is None:
            return None
        return "1 day before" if minutes == 1440 else ("1 hour before" if minutes == 60 else f"{minutes} min before")
    if days_before is None:
        return None
    when = "on the due day" if days_before == 0 else f"{days_before} day{'s' if days_before > 1 else ''} before"
    return f"{when} at {at or '09:00'}"


def lead_url(app_url: str, lead_id: str) -> str:
    return f"{app_url.rstrip('/')}/LeadManagement/LeadDetails?LeadID={lead_id}"


def when_text(card: TaskCard, tz: str) -> str:
    text = slack_token(card.due, tz)
    if card.kind is Kind.APPOINTMENT and card.end:
        text += " – " + slack_token(card.end, tz, "{time}")
    return text


def task_buttons(card: TaskCard, list_context: str | None = None) -> Block:
    """Complete, Reschedule, Edit: the value names the task (and the list it was shown in)."""
    assert card.crm_id
    value = card.crm_id + (f"|{list_context}" if list_context else "")
    return actions(button("Complete", Action.COMPLETE, value, style="primary"),
                   button("Reschedule", Action.RESCHEDULE, value), button("Edit", Action.EDIT, value),
                   block_id=f"task:{card.crm_id}")


HEADLINES = {"open": (":white_check_mark:", None), "completed": (":ballot_box_with_check:", "Completed"),
             "gone": (":wastebasket:", "Deleted in LeadSquared")}


def confirmation(card: TaskCard, tz: str, app_url: str, sandbox: bool) -> tuple[str, Blocks]:
    icon, headline = HEADLINES[card.status]
    headline = headline or ("To-do created" if card.kind is Kind.TODO else "Appointment booked")
    title = escape(card.title)
    if card.status != "open":
        title = f"~{title}~"
    fields = [f"*{card.kind.label}*\n{escape(card.task_type)}", f"*When*\n{when_text(card, tz)}"]
    if card.lead_id:
        lead = link(lead_url(app_url, card.lead_id), card.lead_name or "Lead")
        if card.opportunity_name:
            lead += f" · {escape(card.opportunity_name)}"
        fields.append(f"*Lead*\n{lead}")
    owner = mention(card.owner_slack_id) if card.owner_slack_id else escape(card.owner_name or "someone")
    fields.append(f"*Owner*\n{owner}")
    if card.reminder:
        fields.append(f"*Reminder*\n{escape(card.reminder)}")
    if card.location:
        fields.append(f"*Location*\n{escape(card.location)}")
    note = f"Created by {mention(card.creator_slack_id)}" if card.creator_slack_id else "From LeadSquared"
    if sandbox:
        note += " · (sandbox)"
    blocks = [section(f"{icon} *{headline}:* {title}"), section(fields=fields), context(note)]
    if card.status == "open" and card.crm_id:
        blocks.append(task_buttons(card))
    text = f"{headline}: {escape(card.title)} ({describe(card.due, tz)})"
    return text, blocks


def change_note(actor: str, what: str) -> str:
    """A thread reply saying who changed what: "@maria moved this to Fri Mar 7, 2:00 PM"."""
    return f"{mention(actor)} {what}"
