"""Times counted from now or from another day or time: `in 5min`, `+15min`, `2 days later`, `7 days hence`,
`within 1 hour`, `3 days ago`, `in three business days`, `two weeks from tomorrow`, `15 minutes from 1pm`."""

from __future__ import annotations

import re

from bot.when.grammar import duration, rule
from bot.when.pieces import Anchor, Duration, Offset

_HEDGE = r"(?: (?:about|around|approximately|roughly|just|another|the next))?"


def _offset(m: re.Match, sign: int = 1):
    """The rule's length as a time counted from now; not a length after all (`in 5 people`): no reading."""
    found = duration(m.group("dur"))
    return None if found is None else (Offset(found if sign > 0 else -found),)


@rule("shift.in", rf"(?:in|within|after){_HEDGE} (?P<dur><DURATION>)(?: (?:' )?time)?",
      "in 5min", "in 45 mins", "within 1 hour", "after an hour", "in about half an hour", "in 1d 2hr 5min",
      "in three business days", "in 2 and an half hours", "in 1/4h", "in three-quarters of an hour",
      "in two hours' time", needs="in within after")
def in_(m: re.Match):
    return _offset(m)


@rule("shift.plus", r"\+ (?P<dur><DURATION>)", "+15min", "+1 day 2 hour", needs="+")
def plus(m: re.Match):
    return _offset(m)


@rule("shift.from_now", r"(?P<dur><DURATION>) (?:from (?:right )?now|later|hence|out)",
      "2 hours from now", "3 week later", "7 days hence", "15 minute out", "a day from right now", needs="now later hence out")
def from_now(m: re.Match):
    return _offset(m)


@rule("shift.ago", r"(?P<dur><DURATION>) ago", "3 days ago", "an hour ago", needs="ago")
def ago(m: re.Match):
    return _offset(m, -1)


@rule("shift.anchor", r"(?P<dur><DURATION>) (?P<dir>from|after|before)",
      "a week from", "2 weeks from", "15 minutes from", "3 days after", "20 minutes before", needs="from after before")
def anchor(m: re.Match):
    """Counted from the day or time that follows (`a week from friday`): joined to it when the pieces meet."""
    found = duration(m.group("dur"))
    if found is None:
        return None
    return (Anchor(-found if m.group("dir") == "before" else found),)


@rule("shift.same_time", r"(?:at )?(?:this|the same|same) time (?P<when>tomorrow|next week)"
      r"|(?P<when2>tomorrow|next week) (?:at )?(?:this|the same|same) time",
      "this time tomorrow", "same time next week", "tomorrow same time", needs="time")
def same_time(m: re.Match):
    """The same wall-clock time a day or a week from now."""
    return (Offset(Duration(days=1 if (m.group("when") or m.group("when2")) == "tomorrow" else 7)),)
