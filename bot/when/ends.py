"""An appointment's end: `for 30m`, `1.5 hours`, `4:30pm`, `till 4`, after the start."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.when.chart import Chart
from bot.when.errors import NoParse
from bot.when.grammar import duration
from bot.when.notes import DateOrder
from bot.when.pieces import Clock
from bot.when.reader import read_any
from bot.when.resolve import end_after
from bot.when.results import Reading, Refusal
from bot.when.show import describe
from bot.when.tokens import tokenize
from bot.when.zones import zone_of

LEADING = ("till", "until", "to", "-", "through", "ends", "ending")


def read_end(phrase: str, start: datetime, tz: str, date_order: DateOrder | None = None) -> datetime | Refusal:
    """An appointment's end from `for 30m`, `1.5 hours`, `4:30pm` or `till 4`: after the start."""
    text = phrase.strip()
    if not text:
        return Refusal("unreadable", "no end given")
    tokens = tokenize(text.split())
    while tokens and tokens[0].text in LEADING:
        tokens = tokens[1:]
    if tokens and tokens[0].text == "for":
        tokens = tokens[1:]
    words = " ".join(t.text for t in tokens)
    length = duration(words) if words else None
    try:
        if length is not None:
            return _after(start, length, tz)
        for cover in Chart(tokens).covers(0, len(tokens)):
            pieces = [piece for item in cover.items for piece in item.pieces]
            if len(pieces) == 1 and isinstance(pieces[0], Clock):
                return end_after(pieces[0], start, zone_of(tz))
    except NoParse as reason:
        return Refusal("unreadable", f"I couldn't read an end in {text!r}: {reason}")
    result = read_any(text, start, tz, date_order)
    if isinstance(result, Reading) and result.start is not None:
        if result.start <= start:
            return Refusal("unreadable", f"the end ({describe(result.start, tz)}) is not after the start")
        return result.start
    return Refusal("unreadable", f"I couldn't read an end in {text!r}; try `for 30m` or `till 4:30pm`")


def _after(start: datetime, length, tz: str) -> datetime | Refusal:
    zone = zone_of(tz)
    local = start.astimezone(zone)
    moved = datetime.combine(length.on_date(local.date()), local.time(), tzinfo=zone).astimezone(UTC)
    end = moved + length.elapsed
    return end if end > start else Refusal("unreadable", "the end must come after the start")
