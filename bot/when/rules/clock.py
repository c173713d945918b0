"""Times of day: `3pm`, `15:30`, `6:45:30 pm`, `15h30`, `1030`, `half past 12`, `a quarter to 4`, `at 4`."""

from __future__ import annotations

import re

from bot.when.grammar import rule
from bot.when.pieces import Clock, Invalid

ANCHOR = r"(?:(?P<ah>\d{1,2})(?: (?P<amer><MER>)| (?P<ah24>h)| oclock)?|(?P<noon>noon|midday|midnight))"


def make_clock(hour: int, minute: int = 0, second: int = 0, meridiem: str | None = None, *, said: str,
               weak: bool = False, h24: bool = False, shift: int = 0) -> Clock | Invalid:
    """A clock reading, or Invalid when no clock shows it (`25:00`, `13pm`)."""
    mer = {"a": "am", "am": "am", "p": "pm", "pm": "pm"}.get(meridiem or "")
    if minute > 59 or second > 59 or hour > 23 or (mer and not 1 <= hour <= 12):
        return Invalid(f"{said} is not a time of day")
    h24 = h24 or (mer is None and (hour >= 13 or hour == 0))
    return Clock(hour, minute, second, mer, h24, shift, said, weak)  # type: ignore[arg-type]


def _said(m: re.Match) -> str:
    return m.group(0).replace(" : ", ":").replace(" . ", ".").replace(" ", "")


@rule("clock.colon", r"(?P<h>\d{1,2}) : (?P<m>\d{2})(?: : (?P<s>\d{2}))?(?: (?P<mer><MER>))?",
      "3:30", "15:30", "6:45:30 pm", "3:18a", "07:00 PM", "25:00", needs=":")
def colon(m: re.Match):
    leading_zero = m.group("h").startswith("0") and len(m.group("h")) == 2
    return (make_clock(int(m.group("h")), int(m.group("m")), int(m.group("s") or 0), m.group("mer"),
                       said=_said(m), h24=leading_zero and not m.group("mer")),)


@rule("clock.dot", r"(?P<h>\d{1,2}) \. (?P<m>\d{2})(?: (?P<mer><MER>))?", "10.30", "9.45 am", needs=".")
def dot(m: re.Match):
    return (make_clock(int(m.group("h")), int(m.group("m")), 0, m.group("mer"), said=_said(m)),)


@rule("clock.h", r"(?P<h>\d{1,2}) h(?: (?P<m>\d{2}))?", "15h30", "3h18", "15h", "19h00", needs="h")
def h_clock(m: re.Match):
    """`15h30`: the 24-hour clock written with an h; `8h` alone could be a length, so it needs a day."""
    hour = int(m.group("h"))
    return (make_clock(hour, int(m.group("m") or 0), said=_said(m), h24=True, weak=not m.group("m") and hour < 13),)


@rule("clock.meridiem", r"(?P<h>\d{1,2})(?: oclock)? (?P<mer><MER>)", "3pm", "3 p", "12 am", "3 oclock pm", "13pm")
def meridiem(m: re.Match):
    return (make_clock(int(m.group("h")), 0, 0, m.group("mer"), said=_said(m)),)


@rule("clock.compact", r"(?P<hm>\d{4})(?: (?P<hrs>hours|hrs|hr|h))?|(?P<hm3>\d{3,4}) (?P<mer><MER>)",
      "1030", "1530 hrs", "330 pm", "0930")
def compact(m: re.Match):
    """`1030`, `330pm`, `1530 hrs`; a year-like `2015` alone is only a time beside a day."""
    digits = m.group("hm") or m.group("hm3")
    hour, minute = int(digits[:-2]), int(digits[-2:])
    if m.group("mer"):
        return (make_clock(hour, minute, 0, m.group("mer"), said=_said(m)),)
    year_like = digits[:2] in ("19", "20") and not m.group("hrs")
    return (make_clock(hour, minute, said=_said(m), h24=digits.startswith("0") or bool(m.group("hrs")),
                       weak=year_like),)


@rule("clock.at_compact", r"(?:at|around|about|approximately) (?P<hm>\d{3})", "at 730", "around 930", needs="at around about approximately")
def at_compact(m: re.Match):
    digits = m.group("hm")
    return (make_clock(int(digits[0]), int(digits[1:]), said=digits),)


@rule("clock.oclock", r"(?P<h>\d{1,2}) oclock", "3 o'clock", "10 o clock", needs="oclock")
def oclock(m: re.Match):
    return (make_clock(int(m.group("h")), said=m.group("h")),)


@rule("clock.bare", r"(?P<h>\d{1,2})", "4", "11")
def bare(m: re.Match):
    """A bare number is an hour only beside a day, a part of the day or `at`."""
    return (make_clock(int(m.group("h")), said=m.group("h"), weak=True),)


@rule("clock.hour_minute", r"(?P<h>\d{1,2}) (?P<m>[0-5]\d)(?: (?P<mer><MER>))?", "10 30 am", "12 15", "7 30 pm")
def hour_minute(m: re.Match):
    """`10 30 am`; without am/pm only beside a day, a part of the day or `at` (`at 12 15`)."""
    said = f"{m.group('h')}:{m.group('m')}"
    return (make_clock(int(m.group("h")), int(m.group("m")), 0, m.group("mer"), said=said,
                       weak=not m.group("mer")),)


def _anchor(m: re.Match, minute: int = 0, shift: int = 0) -> Clock | Invalid | None:
    if m.group("noon"):
        hour, mer = 12, ("am" if m.group("noon") == "midnight" else "pm")
        return make_clock(hour, minute, 0, mer, said=m.group("noon"), shift=shift)
    hour = int(m.group("ah"))
    return make_clock(hour, minute, 0, m.group("amer"), said=m.group("ah"), h24=bool(m.group("ah24")), shift=shift)


def _minutes(word: str) -> int:
    return {"a quarter": 15, "quarter": 15, "half": 30}.get(word) or int(word)


@rule("clock.past", rf"(?P<mm>\d{{1,2}}|a quarter|quarter|half)(?: minutes?)? (?:past|after) {ANCHOR}",
      "half past 12", "a quarter past 3pm", "20 past 3pm", "15 minutes past 15h", "twenty after 3pm",
      "a quarter past noon", needs="past after")
def past(m: re.Match):
    minutes = _minutes(m.group("mm"))
    return None if not 0 < minutes < 60 else (_anchor(m, minute=minutes),)


@rule("clock.to", rf"(?P<mm>\d{{1,2}}|a quarter|quarter)(?P<minutes> minutes?)? (?:to|till|before|of) {ANCHOR}",
      "a quarter to 4", "quarter to noon", "20 minutes to 2pm", "15 to noon", "twenty to four", needs="to till before of")
def to(m: re.Match):
    """`ten to four` could be a range, so a small number needs `minutes`; `twenty to four` cannot."""
    minutes = _minutes(m.group("mm"))
    if not 0 < minutes < 60 or (m.group("mm").isdigit() and minutes <= 12 and not m.group("minutes")):
        return None
    return (_anchor(m, shift=-minutes),)


@rule("clock.half_hour", r"half (?P<h>\d{1,2})", "half three", "half 7", needs="half")
def half_hour(m: re.Match):
    """British `half three`: half past three."""
    return (make_clock(int(m.group("h")), 30, said=m.group("h")),)
