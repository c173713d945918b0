"""Reading one phrase: tokens, the chart, the cheapest whole reading, the conventions, the answer."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from bot.when.chart import Chart
from bot.when.errors import Ambiguous, NoParse, NotATime
from bot.when.notes import DateOrder, Note, NoteKind
from bot.when.pieces import CalendarDate
from bot.when.refine import Conflict, Spec, refine
from bot.when.resolve import resolve
from bot.when.results import Reading, Refusal
from bot.when.show import describe
from bot.when.tokens import Token, tokenize
from bot.when.vocabulary import DEFAULT_HOUR, FOREIGN_LANGUAGES, FOREIGN_MONTHS, MONTHS, NO_TIME
from bot.when.zones import at, house_order, zone_of

EXAMPLES = "try `tmrw 3pm`, `fri eod`, `next thu at 10` or `in 45 mins`"
MAX_PHRASE_CHARS = 120
AFTER_HOURS = ("tonight", "tmrw")


def read(phrase: str, now: datetime, tz: str, date_order: DateOrder | None = None) -> Reading | Refusal:
    """A phrase into an instant (aware UTC) with the conventions it rests on, or a refusal saying why not.

    `date_order` is the writer's order for numeric dates (`MDY` or `DMY`); None means the house default
    for their zone (C11). A numeric date that is a date in one order only is read in that order.
    """
    result = read_any(phrase, now, tz, date_order)
    if isinstance(result, Reading) and result.start is not None and result.start <= now:
        today_alone = any(note.kind is NoteKind.END_OF_DAY for note in result.notes)
        suggest = AFTER_HOURS if today_alone else ()
        hint = f"; try `{suggest[0]}` or `{suggest[1]}`" if suggest else ""
        return Refusal("past", f"{phrase.strip()!r} is in the past (read as {describe(result.start, tz)}){hint}",
                       reading=result.start, suggest=suggest)
    return result


def read_any(phrase: str, now: datetime, tz: str, date_order: DateOrder | None = None) -> Reading | Refusal:
    """Like `read`, but a time in the past is still a reading (ends and recurrences count from a start)."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    text = phrase.strip()
    if len(text) > MAX_PHRASE_CHARS:
        return Refusal("unreadable", f"That's too long to be a time ({len(text):,} characters; a time is at most "
                                     f"{MAX_PHRASE_CHARS}); {EXAMPLES}")
    tokens = tokenize(text.split())
    return read_tokens(tokens, text, now, tz, date_order or house_order(tz))


def read_tokens(tokens: list[Token], text: str, now: datetime, tz: str, order: DateOrder) -> Reading | Refusal:
    """The cheapest whole readings of the tokens, resolved; more than one instant among them is ambiguous."""
    readings: list[Reading] = []
    for cover in Chart(tokens).covers(0, len(tokens)):
        try:
            reading = resolve(refine(cover, tokens), now, tz, order)
        except Conflict as conflict:
            return _ambiguous(text, conflict.spec, now, tz, order)
        except Ambiguous as both:
            return _choose(text, both.candidates, tz)
        except NotATime as reason:
            return Refusal("unreadable", f"I couldn't read a time in {text!r}: {reason}; {EXAMPLES}")
        except NoParse:
            continue
        if all((r.start, r.end) != (reading.start, reading.end) for r in readings):
            readings.append(reading)
    if len(readings) == 1:
        return readings[0]
    if readings:
        return _choose(text, tuple(r.start for r in readings if r.start), tz)
    if any(token.text in NO_TIME for token in tokens):
        return Refusal("unreadable", f"I couldn't read a time in {text!r}: no usable time; {EXAMPLES}")
    fallback = _fallback(text, now, tz)
    if fallback is not None:
        return fallback
    return Refusal("unreadable", f"I couldn't read a time in {text!r}; {EXAMPLES}")


def _ambiguous(text: str, spec: Spec, now: datetime, tz: str, order: DateOrder) -> Refusal:
    """Two readings in one phrase: offer each, so the rep can pick instead of retyping."""
    options = [replace(spec, alternatives=[], weekday_hint=None)]
    if spec.weekday_hint is not None:
        options.append(replace(options[0], day=spec.weekday_hint))
    for kind, value in spec.alternatives:
        options.append(replace(options[0], **{kind: value}))
    candidates: list[datetime] = []
    for option in options:
        try:
            reading = resolve(option, now, tz, order)
        except NoParse:
            continue
        if reading.start is not None and reading.start not in candidates:
            candidates.append(reading.start)
    return _choose(text, tuple(candidates), tz)


def _choose(text: str, candidates: tuple[datetime, ...], tz: str) -> Refusal:
    shown = " or ".join(describe(candidate, tz) for candidate in candidates)
    return Refusal("ambiguous", f"{text!r} could mean {shown}; say which", candidates=candidates)


# ----- dateparser, behind the grammar: dates written in other languages ----------------------------

_LETTERS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _dateparser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=FOREIGN_LANGUAGES, settings={"RETURN_TIME_AS_PERIOD": True,
                                                                 "PREFER_DAY_OF_MONTH": "first"})


def _fallback(text: str, now: datetime, tz: str) -> Reading | None:
    """`12 mars 2026`, `3 de marzo a las 15:00`: only with a month's name and a day, and only a year
    that was written out; else a guess is worse than a refusal."""
    words = _LETTERS.findall(text.lower())
    if not re.search(r"\d", text) or not any(word in FOREIGN_MONTHS or word in MONTHS for word in words):
        return None
    data = _dateparser().get_date_data(text)
    parts = set(data.parts or ()) if data is not None else set()
    if data is None or data.date_obj is None or not {"day", "month"} <= parts:
        return None
    parsed = data.date_obj
    if "year" in parts and str(parsed.year) not in text:
        return None
    zone = zone_of(tz)
    try:
        found = CalendarDate(parsed.month, parsed.day, parsed.year if "year" in parts else None, text).on(
            now.astimezone(zone).date(), "MDY")
    except NoParse:
        return None
    if "time" in parts:
        return Reading(at(found.day, parsed.hour * 60 + parsed.minute, zone), "minute", notes=found.notes)
    return Reading(at(found.day, DEFAULT_HOUR * 60, zone), "day", notes=found.notes + (Note(NoteKind.DEFAULT_TIME),))
