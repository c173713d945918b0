"""Tasks shown as lists: the /tasks answer, the Home tab, and the small Reschedule modal.

A /tasks answer is a message (50 blocks at most) and Home a view (100): a page of /tasks holds
PAGE_SIZE items (meetings first, then tasks, two blocks each) and a few headings, and Home shows at
most HOME_SECTION_LIMIT items per section, so neither outgrows its budget however busy the rep is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.people import CrmUser, Person
from bot.ui.fields import text_input
from bot.ui.ids import WHEN, WHEN_PREVIEW_BLOCK, WHEN_SLOTS, Action, ViewId, one_of
from bot.ui.kit import Block, actions, button, context, divider, header, home, modal, option, section
from bot.ui.meet_message import MeetCard, meet_buttons, meeting_line
from bot.ui.meet_modal import slot_buttons
from bot.ui.metadata import TaskRef
from bot.ui.task_message import TaskCard, task_buttons, when_text
from bot.ui.text import escape
from bot.when import DateOrder, house_order, slack_token

PAGE_SIZE = 20
HOME_SECTION_LIMIT = 8


def task_line(card: TaskCard, tz: str, overdue: bool) -> Block:
    flag = ":red_circle: *Overdue* · " if overdue else ""
    lead = f" · {escape(card.lead_name)}" if card.lead_name else ""
    return section(f"{flag}*{escape(card.title)}*\n{when_text(card, tz)} · {escape(card.task_type)}{lead}")


def meeting_section(meetings: list[MeetCard] | None, tz: str, list_key: str, limit: int | None = None) -> list[Block]:
    """The person's HighLevel meetings with their buttons; nothing when they have no HighLevel user."""
    if meetings is None:
        return []
    blocks: list[Block] = [section(f"*HighLevel meetings* ({len(meetings)})")]
    if not meetings:
        blocks.append(context("Nothing. Book one with `/meet Priya demo tmrw 2pm`."))
    for card in meetings[:limit]:
        blocks += [meeting_line(card, tz), meet_buttons(card, list_key)]
    if limit is not None and len(meetings) > limit:
        blocks.append(context(f"…and {len(meetings) - limit} more: `/tasks week` shows them all."))
    return blocks


def task_list(cards: list[tuple[TaskCard, bool]], heading: str, tz: str, page: int, list_key: str,
              meetings: list[MeetCard] | None = None) -> list[Block]:
    """One page of the rep's meetings (first) and tasks with their buttons; `list_key` (filter and
    owner) lets a page be redrawn. A page past the end shows the last one, never nothing."""
    items: list[MeetCard | tuple[TaskCard, bool]] = [*(meetings or []), *cards]
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    first = page * PAGE_SIZE
    shown = items[first:first + PAGE_SIZE]
    here = f"{list_key}:{page}"
    blocks: list[Block] = [section(f"*{escape(heading)}*" + (f" · page {page + 1} of {pages}" if pages > 1 else ""))]
    if meetings and first < len(meetings):
        blocks.append(section(f"*HighLevel meetings* ({len(meetings)})"))
    for item in shown:
        if isinstance(item, MeetCard):
            blocks += [meeting_line(item, tz), meet_buttons(item, here)]
        else:
            card, overdue = item
            blocks += [task_line(card, tz, overdue), task_buttons(card, here)]
    if not cards and first + PAGE_SIZE >= len(items):
        blocks.append(context("Nothing here. Create one with `/todo call Priya tmrw 3pm`."))
    nav = []
    if page > 0:
        nav.append(button("Previous", one_of(Action.LIST_PAGE, "previous"), f"{list_key}:{page - 1}"))
    if page < pages - 1:
        following = min(PAGE_SIZE, len(items) - first - PAGE_SIZE)
        nav.append(button(f"Next {following}", one_of(Action.LIST_PAGE, "next"), f"{list_key}:{page + 1}"))
    if nav:
        blocks.append(actions(*nav, block_id="list_nav"))
    return blocks


def not_linked(owner: str) -> tuple[str, list[Block]]:
    text = (f"<@{owner}> is not linked to a LeadSquared user, so there are no tasks to show. "
            "An admin can `/taskbot link` them.")
    return text, [section(text)]


def reschedule_modal(ref: TaskRef, title: str, current: datetime, typed: str, preview: str,
                     callback_id: ViewId = ViewId.RESCHEDULE) -> dict[str, Any]:
    """Move a task or a meeting: one time field with its live reading."""
    blocks = [
        section(f"Move *{escape(title)}* (now {slack_token(current, ref.tz)})"),
        _when_input(WHEN, typed),
        context(preview, block_id=WHEN_PREVIEW_BLOCK),
    ]
    return modal(callback_id, "Reschedule", blocks, submit="Move", private_metadata=ref.dump())


def _when_input(block_id: str, typed: str) -> Block:
    return text_input(block_id, "New time", initial=typed, live=True, action_id=WHEN,
                      placeholder="fri 2pm, next tue at 10, in 2 days")


def when_block(view: dict[str, Any]) -> str:
    """The block_id the Reschedule modal's time field has now (`when`, then `when.1`… after picks)."""
    return next((block["block_id"] for block in view["blocks"]
                 if block.get("type") == "input" and block["element"].get("action_id") == WHEN), WHEN)


def waiting_modal(title: str, what: str) -> dict[str, Any]:
    """Opened at once with the click's trigger (it expires in 3 s); the real modal replaces it."""
    return modal(ViewId.WAITING, title, [section(f":hourglass_flowing_sand: {what}")])


def notice_modal(title: str, notice: str) -> dict[str, Any]:
    """What replaces a waiting modal when there is nothing to change: the task is gone, done, not theirs."""
    return modal(ViewId.WAITING, title, [section(f":information_source: {notice}")], close="Close")


def with_preview(view: dict[str, Any], preview: str, slots: list[tuple[str, str]] | None = None,
                 picked: str | None = None) -> dict[str, Any]:
    """The open Reschedule modal (as Slack sent it back) with a new reading under the time field, free
    times to pick when a meeting's new time is taken, and a picked time filled in (under a new block_id,
    as Slack keeps what was typed in a field whose block_id stays)."""
    blocks: list[Block] = []
    for block in view["blocks"]:
        if block.get("block_id") == WHEN_SLOTS:
            continue
        if block.get("block_id") == WHEN_PREVIEW_BLOCK:
            blocks.append(context(preview, block_id=WHEN_PREVIEW_BLOCK))
            blocks += [slot_buttons(slots, Action.MOVE_SLOT, WHEN_SLOTS)] if slots else []
        elif picked is not None and block.get("block_id") == when_block(view):
            revision = int(block["block_id"].partition(".")[2] or 0) + 1
            blocks.append(_when_input(f"{WHEN}.{revision}", picked))
        else:
            blocks.append(block)
    kept = {key: view[key] for key in ("type", "callback_id", "title", "submit", "close", "private_metadata")}
    return {**kept, "blocks": blocks}


DATE_ORDER_WORDS: dict[str, str] = {"MDY": "month first (3/12 is March 12)", "DMY": "day first (3/12 is 12 March)"}
FOLLOW_DEFAULT = "default"


def date_order_choice(choice: DateOrder | None, workspace_order: DateOrder | None, tz: str) -> Block:
    """Month first, day first, or whatever applies without a choice (the workspace's order, else the zone's)."""
    fallback = workspace_order or house_order(tz)
    source = "the team's default" if workspace_order else "as my time zone suggests"
    order_words = DATE_ORDER_WORDS[fallback].split(" (")[0]
    choices = [option(order, words) for order, words in DATE_ORDER_WORDS.items()]
    choices.append(option(FOLLOW_DEFAULT, f"{source} ({order_words})"))
    return section("*Dates like 3/12* are read", accessory={
        "type": "static_select", "action_id": Action.HOME_DATE_ORDER, "options": choices,
        "initial_option": next(o for o in choices if o["value"] == (choice or FOLLOW_DEFAULT))})


APPOINTMENT_DEFAULTS = [("5", "5 minutes before"), ("10", "10 minutes before"), ("15", "15 minutes before"),
                        ("30", "30 minutes before"), ("60", "1 hour before")]


def home_view(person: Person, crm_user: CrmUser | None, preferences: dict[str, Any],
              sections: list[tuple[str, list[tuple[TaskCard, bool]]]] | None, notices: list[str],
              meetings: list[MeetCard] | None = None, saved: tuple[str, str] | None = None,
              workspace_order: DateOrder | None = None) -> dict[str, Any]:
    """`saved`: the setting just changed and its new value, confirmed under Settings; `workspace_order`:
    how numeric dates are read for someone who has not chosen."""
    blocks: list[Block] = [
        header("Your tasks"),
        actions(button("New to-do", Action.HOME_NEW_TODO, style="primary"),
                button("New appointment", Action.HOME_NEW_APPOINTMENT), block_id="home_create"),
    ]
    if sections is None:
        blocks.append(section(":link: Your Slack account is not linked to a LeadSquared user yet, so your tasks "
                              "can't be shown. Ask an admin to `/taskbot link` you."))
    for heading, cards in sections or []:
        blocks.append(section(f"*{heading}* ({len(cards)})"))
        if not cards:
            blocks.append(context("Nothing."))
        for card, overdue in cards[:HOME_SECTION_LIMIT]:
            blocks += [task_line(card, person.tz, overdue), task_buttons(card, "home")]
        if len(cards) > HOME_SECTION_LIMIT:
            blocks.append(context(f"…and {len(cards) - HOME_SECTION_LIMIT} more: `/tasks` shows them all."))
    blocks += meeting_section(meetings, person.tz, "home", HOME_SECTION_LIMIT)
    blocks += [divider(), header("Settings")]
    if saved:
        blocks.append(context(f":white_check_mark: Saved: *{escape(saved[0])}* {escape(saved[1])}"))
    zone = person.tz if person.tz_from_profile else f"{person.tz} (your Slack profile has none)"
    linked = f"{escape(crm_user.name)} ({escape(crm_user.email)})" if crm_user else "not linked"
    blocks.append(section(f"*Time zone:* {escape(zone)}\n*LeadSquared user:* {linked}"))
    minutes = str(preferences.get("reminder_appt_minutes") or 15)
    choices = [option(value, label) for value, label in APPOINTMENT_DEFAULTS]
    blocks.append(section("*Appointment reminders* by default", accessory={
        "type": "static_select", "action_id": Action.HOME_APPT_REMINDER, "options": choices,
        "initial_option": next((o for o in choices if o["value"] == minutes), choices[2])}))
    blocks.append(section("*To-do reminders* on the due day at", accessory={
        "type": "timepicker", "action_id": Action.HOME_TODO_REMINDER_TIME,
        "initial_time": preferences.get("reminder_todo_time") or "09:00", "timezone": person.tz}))
    blocks.append(date_order_choice(preferences.get("date_order"), workspace_order, person.tz))
    digest = bool(preferences.get("digest_enabled"))
    blocks.append(section(f"*Daily digest* at 9:00 of today's and overdue tasks: {'on' if digest else 'off'}",
                          accessory=button("Turn off" if digest else "Turn on", Action.HOME_DIGEST,
                                           "off" if digest else "on")))
    if notices:
        blocks.append(context(*notices))
    return home(blocks)
