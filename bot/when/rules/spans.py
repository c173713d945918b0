"""Ends, lengths and zones: `3-4pm`, `from 2 till 3`, `between 2 and 3`, `for 45m`, `5pm ET`."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.when.grammar import duration, rule
from bot.when.pieces import Clock, End, Invalid, Length, Zone
from bot.when.rules.clock import make_clock
from bot.when.vocabulary import ZONES

CLOCKISH = r"(?:(?P<{0}h>\d{{1,2}})(?: : (?P<{0}m>\d{{2}}))?(?: (?P<{0}mer><MER>))?|(?P<{0}noon>noon|midnight))"


def _clock(m: re.Match, side: str, strong: bool) -> Clock | Invalid:
    if m.group(side + "noon"):
        noon = m.group(side + "noon")
        return make_clock(12, 0, 0, "pm" if noon == "noon" else "am", said=noon)
    hour, minute, mer = m.group(side + "h"), m.group(side + "m"), m.group(side + "mer")
    said = hour + (f":{minute}" if minute else "") + (mer or "")
    return make_clock(int(hour), int(minute or 0), 0, mer, said=said, weak=not strong)


@rule("span.range",
      rf"(?:(?P<from>from|between) )?{CLOCKISH.format('a')} (?P<to>-|to|till|until|through|and) {CLOCKISH.format('b')}",
      "3-4pm", "11-1pm", "3pm to 4:30", "from 2 till 3", "between 2 and 3", "9:30 - 10:15", needs="- to till until through and")
def clock_range(m: re.Match):
    """A start and an end; without `from` one side must look like a time (`3-4pm`), else `3-4` is a date."""
    marked = any(m.group(g) for g in ("am", "amer", "anoon", "bm", "bmer", "bnoon"))
    if (m.group("to") == "and") != (m.group("from") == "between") or not (marked or m.group("from")):
        return None
    start, end = _clock(m, "a", True), _clock(m, "b", True)
    if isinstance(end, Invalid):
        return (end,)
    return (start, End(end))


@rule("span.from", rf"from {CLOCKISH.format('a')}", "from 9am", "from 2", needs="from")
def from_(m: re.Match):
    return (_clock(m, "a", True),)


@rule("span.for", r"for (?P<dur><DURATION>)", "for 45m", "for 1.5 hours", "for an hour and a half", "for 2 days", needs="for")
def for_(m: re.Match):
    found = duration(m.group("dur"))
    length = found.as_timedelta() if found else None
    return None if length is None or length <= timedelta(0) else (Length(length),)


@rule("span.zone", r"(?P<z><ZONE>)(?: time)?|(?P<region>pacific|eastern|central|mountain) time", "PT", "pst",
      "eastern time", "GMT")
def zone(m: re.Match):
    word = m.group("z") or m.group("region")
    return (Zone(ZONES[word], word),)


@rule("span.zone_offset", r"(?:utc|gmt|z) (?P<sign>\+|-) (?P<h>\d{1,2})(?: : 00| 00)?", "UTC+2", "GMT-5", "utc + 10",
      needs="utc gmt z")
def zone_offset(m: re.Match):
    """A whole-hour offset from UTC (`GMT-5`); `Etc/GMT+5` is that zone, its sign inverted by POSIX."""
    hours = int(m.group("h"))
    if not 0 <= hours <= 14:
        return None
    name = "UTC" if hours == 0 else f"Etc/GMT{'-' if m.group('sign') == '+' else '+'}{hours}"
    return (Zone(name, m.group(0).replace(" ", "")),)
