"""A reading said back in words: `*Fri Dec 11, 2:00 PM PST* — next week's Friday; today is Friday`.

The reader names the conventions a reading rests on; this puts them into words a rep can check at a
glance, so a reading they would not have meant is caught before it is used.
"""

from __future__ import annotations

from datetime import datetime

from bot.ui.text import escape
from bot.when import Note, NoteKind, Reading, describe
from bot.when.vocabulary import ZONES
from bot.when.zones import zone_of

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def reading_line(reading: Reading, tz: str, now: datetime) -> str:
    """`*Thu Dec 3, 7:00 AM PST* tomorrow — 7 read as 7 AM` (mrkdwn; nothing the rep typed is echoed raw)."""
    assert reading.start is not None
    text = f"*{describe(reading.start, tz)}*"
    day = day_word(reading.start, tz, now)
    if day:
        text += f" {day}"
    if reading.end is not None:
        text += f" until {describe(reading.end, tz).split(', ')[1]}"
    said = conventions(reading, tz, now)
    return f"{text} — {said}" if said else text


def day_word(instant: datetime, tz: str, now: datetime) -> str:
    zone = zone_of(tz)
    days = (instant.astimezone(zone).date() - now.astimezone(zone).date()).days
    return {0: "today", 1: "tomorrow"}.get(days, "")


def conventions(reading: Reading, tz: str, now: datetime) -> str:
    """The conventions in words, `; `-separated; empty when the reading rests on none."""
    assert reading.start is not None
    words = [note_words(note, reading.start, tz, now) for note in reading.notes]
    return "; ".join(word for word in words if word)


def note_words(note: Note, start: datetime, tz: str, now: datetime) -> str:
    local = start.astimezone(zone_of(tz))
    said = escape(note.said)
    if note.kind is NoteKind.SAME_WEEKDAY:
        name = WEEKDAYS[local.weekday()]
        return f"next week's {name}; today is {name}"
    if note.kind is NoteKind.BARE_HOUR and note.hour is not None:
        if note.hour == 12 and ":" not in said:
            return f"{said} read as noon"
        return f"{said} read as {said} {'PM' if 12 <= note.hour < 24 else 'AM'}"
    if note.kind is NoteKind.DATE_ORDER:
        order = "month/day" if note.order == "MDY" else "day/month"
        return f"{said} read as {order} ({local:%b} {local.day})"
    if note.kind is NoteKind.DEFAULT_TIME:
        return f"no time given, so {_clock(local)}"
    if note.kind is NoteKind.END_OF_DAY:
        return f"today with no time is {_clock(local)}, the end of the working day"
    if note.kind is NoteKind.PART_OF_DAY:
        return f"{'end of day' if said == 'eod' else said} read as {_clock(local)}"
    if note.kind is NoteKind.NEXT_YEAR:
        return f"next year's: this year's has passed ({local.year})"
    if note.kind is NoteKind.ZONE:
        region = ZONES.get(note.said.lower(), tz)
        there = start.astimezone(zone_of(region))
        return f"{said.upper()} read as {region.rsplit('/', 1)[-1].replace('_', ' ')} time ({there.tzname()} on that day)"
    if note.kind is NoteKind.FIRST_OF_MONTH:
        return "the 1st, as no day was given"
    return ""


def _clock(local: datetime) -> str:
    return f"{local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"
