"""Reminder DMs and the daily digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.ui.ids import Action, one_of
from bot.ui.kit import actions, button, context, header, section
from bot.ui.meet_message import MeetCard, meet_buttons, where
from bot.ui.task_message import TaskCard, lead_url, when_text
from bot.ui.text import escape, link
from bot.when import due_relative, relative, slack_token

Blocks = list[dict[str, Any]]
SNOOZES = [("15m", "Snooze 15 min"), ("1h", "Snooze 1 hour"), ("tomorrow", "Tomorrow 9:00")]


def reminder(kind: str, card: TaskCard, tz: str, now: datetime, late: bool, app_url: str) -> tuple[str, Blocks]:
    title = escape(card.title)
    if kind == "overdue":
        due = card.end or card.due
        head = f":warning: *{title}* is overdue (due {relative(due, now)} · {when_text(card, tz)})"
        text = f"Overdue: {title}"
    else:
        head = f":alarm_clock: *{title}* {due_relative(card.due, now)} · {when_text(card, tz)}"
        text = f"Reminder: {title} {due_relative(card.due, now)}"
    if late:
        head += "\n_Sent late: Taskbot was offline when this was due._"
    lines = [head]
    if card.lead_id:
        lines.append(f"Lead: {link(lead_url(app_url, card.lead_id), card.lead_name or 'Lead')}")
    value = card.crm_id or ""
    blocks = [
        section("\n".join(lines)),
        actions(button("Complete", Action.COMPLETE, value, style="primary"),
                *[button(label, one_of(Action.SNOOZE, when), f"{value}|{when}") for when, label in SNOOZES],
                button("Reschedule", Action.RESCHEDULE, value), block_id=f"reminder:{value}"),
    ]
    return text, blocks


def meeting_reminder(card: MeetCard, tz: str, now: datetime, late: bool) -> tuple[str, Blocks]:
    """Before a HighLevel meeting: what, when, with whom, and the meeting's own buttons."""
    starts = due_relative(card.start, now, future="starts", present="starts now", past="started")
    head = (f":alarm_clock: *{escape(card.title)}* {starts} · "
            f"{slack_token(card.start, tz, '{time}')} with {escape(card.contact_name)}")
    if late:
        head += "\n_Sent late: Taskbot was offline when this was due._"
    place = where(card.location_type, card.address)
    lines = [head, f"{escape(card.calendar_name)}" + (f" · {escape(place)}" if place else "")]
    return f"Reminder: {escape(card.title)} {starts}", [section("\n".join(lines)), meet_buttons(card)]


def snoozed(card_title: str, until_text: str) -> tuple[str, Blocks]:
    text = f":zzz: Snoozed *{escape(card_title)}* until {until_text}."
    return text, [section(text)]


def digest(todays: list[TaskCard], overdue: list[TaskCard], missed: list[str], tz: str) -> tuple[str, Blocks]:
    blocks: Blocks = [header("Your day")]
    for heading, cards in (("Overdue", overdue), ("Today", todays)):
        blocks.append(section(f"*{heading}* ({len(cards)})"))
        for card in cards[:15]:
            blocks.append(section(f"• *{escape(card.title)}* · {when_text(card, tz)}",
                                  accessory=button("Complete", Action.COMPLETE, card.crm_id or "")))
    if missed:
        blocks.append(context("Reminders missed while Taskbot was offline: " + ", ".join(escape(m) for m in missed[:20])))
    return f"Your day: {len(todays)} today, {len(overdue)} overdue", blocks[:50]
