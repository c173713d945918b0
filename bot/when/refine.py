"""Pieces into one spec: a day, a time of day, a part of the day, a zone, a shift from now, an end.

This is where pieces meet: `a week from` joins the day after it, a weekday beside a date checks it,
a bare number is an hour only beside a day, a part of the day or `at`, and two different days or
times in one phrase make it ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from bot.when.chart import Cover
from bot.when.errors import NoParse, NotATime
from bot.when.pieces import (
    DAY_TYPES,
    Anchor,
    CalendarDate,
    Clock,
    DayOfMonth,
    DaySpec,
    Duration,
    End,
    Invalid,
    Length,
    MonthStart,
    NumericDate,
    Offset,
    Part,
    RelativeDay,
    Shifted,
    Weekday,
    WeekdayOfMonthDay,
    Zone,
)
from bot.when.tokens import Token
from bot.when.vocabulary import AT_WORDS

DATED = (CalendarDate, NumericDate, DayOfMonth, RelativeDay)
STRONG_PARTS = {"noon", "midnight", "eod", "tonight"}
NOON_LIKE = {"noon", "lunch", "midnight"}  # parts that are one time of day: `an hour before noon`


@dataclass
class Spec:
    """What a phrase says, before it meets a clock and a zone."""

    day: DaySpec | None = None
    clock: Clock | None = None
    part: Part | None = None
    zone: Zone | None = None
    offset: Duration | None = None
    end: Clock | None = None
    length: timedelta | None = None
    weekday_hint: Weekday | None = None
    alternatives: list[tuple[str, object]] = field(default_factory=list)

    @property
    def strong(self) -> bool:
        """Says a time on its own (`fri`, `3pm`, `in 2h`), not only a part of the day (`morning`)."""
        return bool(self.day or self.offset or (self.clock and not self.clock.weak)
                    or (self.part and self.part.name in STRONG_PARTS))

    def add_day(self, day: DaySpec) -> None:
        """A second day conflicts, except a weekday beside a date that it can check (`Wed, Feb 13`)."""
        current = self.day
        if current is None or current == day:
            self.day = day
        elif isinstance(day, Weekday) and day.mode == "coming" and isinstance(current, DATED):
            self._hint(day)
        elif isinstance(current, Weekday) and current.mode == "coming" and isinstance(day, DATED):
            self.day = None
            self.add_day(day)
            self._hint(current)
        elif _day_of_month(current) and isinstance(day, MonthStart) and day.months_ahead is not None:
            self.day = DayOfMonth(current.day, day.months_ahead, current.said)
        elif _day_of_month(day) and isinstance(current, MonthStart) and current.months_ahead is not None:
            self.day = DayOfMonth(day.day, current.months_ahead, day.said)
        else:
            self.alternatives.append(("day", day))

    def _hint(self, weekday: Weekday) -> None:
        if isinstance(self.day, DayOfMonth) and self.day.months_ahead is None:
            self.day = WeekdayOfMonthDay(weekday.weekday, self.day.day, f"{weekday.said} the {self.day.day}")
        else:
            self.weekday_hint = weekday

    def add_clock(self, clock: Clock) -> None:
        if self.clock is None:
            self.clock = clock
        elif self.clock != clock:
            self.alternatives.append(("clock", clock))

    def add_part(self, part: Part) -> None:
        if self.part is None or self.part.name == part.name:
            self.part = part if self.part is None or part.this else self.part
        elif {self.part.name, part.name} <= {"tonight", "night", "evening"}:
            self.part = Part("tonight", True)
        elif {self.part.name, part.name} <= {"tonight", "night", "midnight"}:
            self.part = Part("midnight", this=True)  # midnight tonight: the end of today
        else:
            raise NoParse(f"{self.part.name} and {part.name} together")


def _day_of_month(day: DaySpec) -> bool:
    """`the 5th` as said alone, which `next month` can place (`next month on the 5th`)."""
    return isinstance(day, DayOfMonth) and day.months_ahead is None


class Conflict(NoParse):
    def __init__(self, spec: Spec):
        super().__init__("two different times")
        self.spec = spec


def refine(cover: Cover, tokens: list[Token]) -> Spec:
    spec = Spec()
    anchor: Anchor | None = None
    after_at = False
    for item in cover.items:
        if not item.pieces:
            after_at = tokens[item.start].text in AT_WORDS
            continue
        for piece in item.pieces:
            if anchor is not None:
                piece = _anchored(anchor, piece)
                anchor = None
            if isinstance(piece, Anchor):
                anchor = piece
            elif isinstance(piece, Invalid):
                raise NotATime(piece.message)
            elif isinstance(piece, DAY_TYPES):
                spec.add_day(piece)
            elif isinstance(piece, Clock):
                spec.add_clock(replace(piece, weak=False) if after_at else piece)
            elif isinstance(piece, Part):
                spec.add_part(piece)
            elif isinstance(piece, Zone):
                if spec.zone is not None and spec.zone.name != piece.name:
                    raise NoParse("two zones")
                spec.zone = piece
            elif isinstance(piece, Offset):
                spec.offset = piece.duration if spec.offset is None else spec.offset + piece.duration
            elif isinstance(piece, End):
                if spec.end is not None:
                    raise NoParse("two ends")
                spec.end = piece.clock
            elif isinstance(piece, Length):
                spec.length = piece.duration
        after_at = False
    if anchor is not None:
        raise NoParse("a length counted from nothing")
    if spec.clock is not None and spec.clock.weak and not (spec.day or spec.part or spec.zone or spec.offset):
        raise NoParse(f"{spec.clock.said} alone is a number, not a time")
    if spec.zone is not None and spec.clock is None and spec.part is None:
        raise NoParse("a zone without a time")
    if spec.alternatives:
        raise Conflict(spec)
    return spec


def _anchored(anchor: Anchor, piece):
    """`a week from` + `friday`; `15 minutes from` + `1pm` (a time moves by elapsed minutes only)."""
    if isinstance(piece, DAY_TYPES):
        return Shifted(piece, anchor.duration)
    if isinstance(piece, Part) and piece.name in NOON_LIKE:
        piece = Clock(24 if piece.name == "midnight" else 12, h24=True, said=piece.name)
    if isinstance(piece, Clock):
        shift = anchor.duration
        if shift.calendar or shift.elapsed.total_seconds() % 60:
            raise NoParse("a time of day moved by days")
        return replace(piece, shift=piece.shift + int(shift.elapsed.total_seconds() // 60), weak=False)
    raise NoParse("a length counted from nothing")
