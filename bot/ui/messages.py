"""Messages the bot posts that are not about one task: help, apologies, notices."""

from __future__ import annotations

from typing import Any

from bot.people import CrmUser, Person
from bot.ui.ids import ViewId
from bot.ui.kit import context, divider, header, modal, section
from bot.ui.text import escape, mention

Blocks = list[dict[str, Any]]

HELP_LINES: list[tuple[str, str]] = [
    ("/todo call Priya re pricing tmrw 3pm", "a LeadSquared to-do; the time is read in your zone"),
    ("/appt demo with Acme fri 2pm for 45m", "a LeadSquared appointment with its length"),
    ("/meet Priya demo tmrw 2pm on zoom", "a HighLevel calendar appointment, checked against free slots"),
    ("/tasks today | week | overdue", "your open tasks, with buttons to act on them"),
    ("/bulktasks", "paste lines or upload a CSV to assign many tasks at once"),
    ("/taskbot whoami", "your time zone and the CRM user you are linked to"),
    ("/taskbot link @user email@company.com", "admins: link a Slack user to a CRM user"),
    ("/taskbot help", "this list"),
]


def help_blocks(notices: list[str]) -> Blocks:
    lines = "\n".join(f"`{example}`  {what}" for example, what in HELP_LINES)
    blocks = [
        header("Taskbot commands"),
        section(lines),
        section("Or use *Create task* from any message's ⋯ menu, or *New task* from the shortcuts menu. "
                "Times: `tmrw 3pm`, `fri eod`, `in 45 mins`, `next thu at 10`."),
    ]
    if notices:
        blocks += [divider(), context(*notices)]
    return blocks


def help_text() -> str:
    return "Taskbot commands: " + ", ".join(example.split()[0] for example, _ in HELP_LINES[:6])


def apology(reference: str) -> tuple[str, Blocks]:
    text = (f"Sorry, something went wrong on our side and nothing was changed by this step. "
            f"Please try again; if it keeps happening, give your admin the code `{reference}`.")
    return text, [section(":warning: " + text)]


def apology_view(reference: str) -> dict[str, Any]:
    """The apology on top of a form that failed; Back returns to the form with everything typed."""
    text, _ = apology(reference)
    return modal(ViewId.APOLOGY, "Something went wrong", [section(":warning: " + text + " Your form is kept: "
                                                                  "go *Back* to it.")], close="Back")


def unknown_subcommand(word: str) -> str:
    return f"I don't know `/taskbot {escape(word)}`. Try `/taskbot help`."


def whoami(person: Person, crm_user: CrmUser | None, is_admin: bool = False) -> str:
    zone = person.tz if person.tz_from_profile else f"{person.tz} (your Slack profile has none; the default)"
    email = person.email or "not visible to Taskbot"
    if person.email_overridden:
        email += " (linked by an admin)"
    linked = (f"{escape(crm_user.name)} ({escape(crm_user.email)})" if crm_user
              else "not linked: ask an admin to `/taskbot link` you")
    role = ("a Taskbot admin: you may act on anyone's tasks and `/taskbot link` people" if is_admin
            else "not an admin (admins are listed in TASKBOT_ADMINS)")
    return (f"*You* {mention(person.slack_id)}\n*Time zone:* {escape(zone)}\n*Email:* {escape(email)}\n"
            f"*LeadSquared user:* {linked}\n*Role:* {role}")


def admins_only(what: str) -> str:
    return f"Only Taskbot admins can {what}. Ask one of them, or your Slack admin to add you to TASKBOT_ADMINS."


def link_usage() -> str:
    return "Usage: `/taskbot link @user email@company.com`"


def no_such_person(slack_id: str) -> str:
    return (f"Nobody in this workspace has the id {escape(slack_id)}, so nothing was linked. Pick the person "
            "with @ as you type, so Slack fills in who they are.")


def linked(slack_id: str, email: str, crm_user: CrmUser | None) -> str:
    if crm_user is None:
        return (f"Linked {mention(slack_id)} to {escape(email)}, but LeadSquared has no active user with that "
                "email yet. Tasks for them will fail until it does.")
    return f"Linked {mention(slack_id)} to LeadSquared user {escape(crm_user.name)} ({escape(crm_user.email)})."

