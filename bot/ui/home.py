"""The App Home tab."""

from __future__ import annotations

from typing import Any

from bot.people import Person
from bot.ui.kit import context, divider, header, home, section
from bot.ui.text import escape


def home_view(person: Person, notices: list[str]) -> dict[str, Any]:
    blocks = [
        header("Your tasks"),
        section("Create a to-do with `/todo call Priya tmrw 3pm`, an appointment with "
                "`/appt demo with Acme fri 2pm for 45m`, or `/taskbot help` for everything."),
        divider(),
        section(f"*Time zone in use:* {escape(person.tz)}"),
    ]
    if notices:
        blocks.append(context(*notices))
    return home(blocks)
