"""Parts of the day (C8): `this afternoon`, `in the evening`, `tonight`, `at noon`, `eod`."""

from __future__ import annotations

import re

from bot.when.grammar import rule
from bot.when.pieces import Part, RelativeDay

PART_WORDS = {"morning": "morning", "afternoon": "afternoon", "evening": "evening", "night": "night",
              "lunch": "lunch", "noon": "noon", "midday": "noon", "midnight": "midnight"}


@rule("part.word", r"(?:12 )?(?P<p>morning|afternoon|evening|night|lunch|noon|midday|midnight)",
      "morning", "noon", "12 noon", "midnight", "lunch")
def word(m: re.Match):
    return (Part(PART_WORDS[m.group("p")]),)


@rule("part.this", r"this (?P<p>morning|afternoon|evening)", "this afternoon", "this evening", needs="this")
def this(m: re.Match):
    return (Part(m.group("p"), this=True),)


@rule("part.in_the", r"in (?:the )?(?P<p>morning|afternoon|evening|night)", "in the morning", "in afternoon", needs="in")
def in_the(m: re.Match):
    return (Part(m.group("p")),)


@rule("part.tonight", r"tonight", "tonight")
def tonight(m: re.Match):
    return (RelativeDay(0), Part("tonight"))


@rule("part.last_night", r"last night", "last night", needs="night")
def last_night(m: re.Match):
    return (RelativeDay(-1), Part("night"))


@rule("part.eod", r"eod|cob|eob|(?:the )?(?:end|close) of (?:the )?(?:business |working )?day|(?:end|close) of business"
      r"|close of play", "eod", "end of day", "close of business", "end of the business day", needs="eod cob eob end close")
def end_of_day(m: re.Match):
    return (Part("eod"),)


@rule("part.of", r"(?:the )?(?P<p>morning|afternoon|evening|night) of", "the morning of", "evening of", needs="of")
def of(m: re.Match):
    """`the morning of the 15th`: the part of the day that follows."""
    return (Part(m.group("p")),)
