"""The "which meetings?" modal of a repeating meeting: Showed, No-show, Cancel or Reschedule on one meeting
or on the whole series, as the rep chooses."""

from __future__ import annotations

from typing import Any

from bot.ui.fields import select_input, text_input
from bot.ui.ids import SERIES_WHICH, WHEN, ViewId
from bot.ui.kit import Block, context, modal, section
from bot.ui.metadata import SeriesChoice
from bot.ui.text import escape

WHOLE_SERIES = "series"
MAX_OPTIONS = 100
TITLES = {"showed": ("Mark showed", "Mark"), "noshow": ("Mark a no-show", "Mark"),
          "cancelled": ("Cancel meetings", "Cancel meetings"), "reschedule": ("Reschedule", "Move")}


def series_modal(choice: SeriesChoice, title: str, meetings: list[tuple[str, str]], whole: str | None,
                 note: str | None = None) -> dict[str, Any]:
    """`meetings`: (id, label) of the meetings this can apply to; `whole`: the label of "the whole series",
    when that is a choice; `note`: why some meetings are not offered."""
    heading, submit = TITLES[choice.action]
    choices = ([(WHOLE_SERIES, whole)] if whole else []) + meetings[:MAX_OPTIONS - 1]
    blocks: list[Block] = [
        section(f":repeat: *{escape(title)}* repeats. Which meetings?"),
        select_input(SERIES_WHICH, "Meetings", choices,
                     initial=choice.picked or (meetings[0][0] if meetings else WHOLE_SERIES)),
    ]
    if note:
        blocks.append(context(escape(note)))
    if choice.action == "reschedule":
        blocks.append(text_input(WHEN, "New time", placeholder="thu 11am, next tue at 10",
                                 hint="For the whole series: the new time of its first meeting; the rest follow"))
    return modal(ViewId.MEET_SERIES, heading, blocks, submit=submit, private_metadata=choice.dump())


def read_series_modal(values: dict[str, Any]) -> tuple[str | None, str]:
    """The meetings picked (a meeting's id, or WHOLE_SERIES) and the new time typed, if any."""
    picked = ((values.get(SERIES_WHICH) or {}).get(SERIES_WHICH) or {}).get("selected_option")
    typed = ((values.get(WHEN) or {}).get(WHEN) or {}).get("value") or ""
    return (picked["value"] if picked else None), typed.strip()
