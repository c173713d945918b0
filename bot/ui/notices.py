"""Short messages to one rep: failures with a way to retry, and where a confirmation went instead."""

from __future__ import annotations

from typing import Any

from bot.ui.ids import Action
from bot.ui.kit import actions, button, context, section
from bot.ui.text import escape

Blocks = list[dict[str, Any]]


def create_failed(title: str, reason: str, operation_id: int, crm: str) -> tuple[str, Blocks]:
    verb = "book" if crm == "HighLevel" else "create"
    text = f"I couldn't {verb} “{escape(title)}” in {crm}: {escape(reason)}"
    blocks = [
        section(f":warning: {text}\nYour draft is saved: retry as it is, or edit it first."),
        actions(button("Retry", Action.RETRY_OPERATION, str(operation_id), style="primary"),
                button("Edit and retry", Action.EDIT_DRAFT, str(operation_id)), block_id=f"failed:{operation_id}"),
    ]
    return text, blocks


def retrying(title: str) -> tuple[str, Blocks]:
    text = f":arrows_counterclockwise: Retrying “{escape(title)}”…"
    return text, [section(text)]


def posted_privately(channel: str) -> tuple[str, Blocks]:
    text = (f"I can't post in <#{channel}>, so the confirmation is here. Invite me with `/invite @taskbot` "
            "to have confirmations there.")
    return text, [context(":lock: " + text)]


def no_crm_user(name: str, email: str | None) -> str:
    if not email:
        return f"Taskbot can't see {name}'s email in Slack, so it can't find their LeadSquared user: an admin can /taskbot link them"
    return f"no active LeadSquared user with email {email}: an admin can /taskbot link them"


def not_yours() -> str:
    return "Only the person who wrote this draft can retry or edit it."


def already_handled() -> str:
    return "That draft was already sent again or replaced by an edited one; nothing more to do."


def not_shown_there(text: str, why: str) -> str:
    """What a reply Slack would not show in place says instead, by DM."""
    shown = f"\n>{text[:3000]}" if text else ""
    return f":warning: I couldn't show this where you clicked (Slack said `{escape(why[:100])}`).{shown}"


def done_from_reminder() -> str:
    return ":ballot_box_with_check: Completed. Nice work."


def extra_copies(title: str, count: int) -> str:
    copies = "an extra copy" if count == 1 else f"{count} extra copies"
    return (f":warning: LeadSquared made {copies} of “{escape(title)}” after a slow answer, and Taskbot could not "
            "delete it: delete the duplicate in LeadSquared (it carries the same Taskbot ref in its description).")
