"""The App Home tab."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextBlock, DividerBlock, HeaderBlock, SectionBlock
from slack_sdk.models.views import View

from bot.people import Person
from bot.ui.text import escape, md, plain


def home_view(person: Person, notices: list[str]) -> dict[str, Any]:
    blocks = [
        HeaderBlock(text=plain("Your tasks", 150)),
        SectionBlock(text=md("Create a to-do with `/todo call Priya tmrw 3pm`, an appointment with "
                             "`/appt demo with Acme fri 2pm for 45m`, or `/taskbot help` for everything.")),
        DividerBlock(),
        SectionBlock(text=md(f"*Time zone in use:* {escape(person.tz)}")),
    ]
    if notices:
        blocks.append(ContextBlock(elements=[md(notice) for notice in notices]))
    return View(type="home", blocks=blocks).to_dict()
