"""What one rule reads: typed pieces of a time, before they meet a clock and a zone.

Day pieces know how to find their date from today (`on`), returning the conventions they applied.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.when.errors import NotATime
from bot.when.notes import DateOrder, Note, NoteKind

# ----- durations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """A length: calendar steps (months, days) keep the wall clock; elapsed time does not (C9)."""

    months: int = 0
    days: int = 0
    elapsed: timedelta = timedelta(0)
    business_days: int = 0

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.months + other.months, self.days + other.days, self.elapsed + other.elapsed,
                        self.business_days + other.business_days)

    def __neg__(self) -> Duration:
        return Duration(-self.months, -self.days, -self.elapsed, -self.business_days)

    @property
    def calendar(self) -> bool:
        return bool(self.months or self.days or self.business_days)

    def on_date(self, day: date) -> date:
        moved = add_months(day, self.months) + timedelta(days=self.days)
        return add_business_days(moved, self.business_days)

    def as_timedelta(self) -> timedelta | None:
        """A length as plain time (`for 2 days`); months have no fixed length."""
        if self.months or self.business_days:
            return None
        return self.elapsed + timedelta(days=self.days)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_business_days(day: date, count: int) -> date:
    step = 1 if count >= 0 else -1
    while count:
        day += timedelta(days=step)
        if day.weekday() < 5:
            count -= step
    return day


# ----- the time of day ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """A time of day as said: `3pm`, `15:30`, `quarter to 4` (hour 4, shift -15), `at 4` (bare)."""

    hour: int
    minute: int = 0
    second: int = 0
    meridiem: Literal["am", "pm"] | None = None
    h24: bool = False
    shift: int = 0
    said: str = ""
    weak: bool = False


@dataclass(frozen=True)
class Part:
    """A part of the day (C8); `this` ties it to today (`this afternoon`)."""

    name: str
    this: bool = False


@dataclass(frozen=True)
class Zone:
    name: str
    said: str


@dataclass(frozen=True)
class Offset:
    """A time counted from now: `in 45 mins`, `3 days later`, `2 hours ago`."""

    duration: Duration


@dataclass(frozen=True)
class Anchor:
    """`2 weeks from`, `15 minutes before`: counted from the day or time that follows."""

    duration: Duration


@dataclass(frozen=True)
class End:
    clock: Clock


@dataclass(frozen=True)
class Length:
    duration: timedelta


@dataclass(frozen=True)
class Invalid:
    """Words that make a time that cannot be (`25:00`, `feb 30`)."""

    message: str


# ----- days ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A day found from today, with the conventions it rests on."""

    day: date
    notes: tuple[Note, ...] = ()
    hour: int | None = None  # a day that carries its own hour (end of week: 17:00)


@dataclass(frozen=True)
class RelativeDay:
    days: int

    def on(self, today: date, order: DateOrder) -> Found:
        return Found(today + timedelta(days=self.days))


WeekdayMode = Literal["coming", "next", "last", "this_week", "next_week", "last_week", "after_next"]


@dataclass(frozen=True)
class Weekday:
    weekday: int
    mode: WeekdayMode = "coming"
    said: str = ""

    def on(self, today: date, order: DateOrder) -> Found:
        monday = today - timedelta(days=today.weekday())
        ahead = (self.weekday - today.weekday()) % 7 or 7
        if self.mode in ("next", "next_week"):
            return Found(monday + timedelta(days=7 + self.weekday))
        if self.mode == "this_week":
            return Found(monday + timedelta(days=self.weekday))
        if self.mode == "last_week":
            return Found(monday - timedelta(days=7 - self.weekday))
        if self.mode == "last":
            return Found(today - timedelta(days=(today.weekday() - self.weekday) % 7 or 7))
        if self.mode == "after_next":
            return Found(today + timedelta(days=ahead + 7))
        notes = (Note(NoteKind.SAME_WEEKDAY, self.said),) if ahead == 7 else ()
        return Found(today + timedelta(days=ahead), notes)


def valid(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _this_or_next_year(month: int, day: int, year: int | None, today: date, said: str) -> Found:
    """C12: without a year, this year's date if it is today or later, else next year's."""
    if year is not None:
        if not valid(year, month, day):
            raise NotATime(f"{said} is not a date")
        return Found(date(year, month, day))
    for candidate in range(today.year, today.year + 8):
        if valid(candidate, month, day) and date(candidate, month, day) >= today:
            notes = (Note(NoteKind.NEXT_YEAR, said),) if candidate > today.year else ()
            return Found(date(candidate, month, day), notes)
    raise NotATime(f"{said} is not a date")


@dataclass(frozen=True)
class CalendarDate:
    month: int
    day: int
    year: int | None = None
    said: str = ""

    def on(self, today: date, order: DateOrder) -> Found:
        if not (1 <= self.month <= 12 and 1 <= self.day <= 31):
            raise NotATime(f"{self.said} is not a date")
        return _this_or_next_year(self.month, self.day, self.year, today, self.said)


@dataclass(frozen=True)
class NumericDate:
    """`3/12`, `12-30-16`: month/day or day/month by the writer's order (C11), unless only one is a date."""

    first: int
    second: int
    year: int | None = None
    said: str = ""

    def on(self, today: date, order: DateOrder) -> Found:
        month_day = (self.first, self.second)
        day_month = (self.second, self.first)
        check_year = self.year or 2024  # a leap year: 2/29 is a date in some year
        can = [pair for pair in (month_day, day_month) if valid(check_year, *pair)]
        if not can:
            raise NotATime(f"{self.said} is not a date")
        if len(can) == 2 and month_day != day_month:
            month, day = month_day if order == "MDY" else day_month
            note: tuple[Note, ...] = (Note(NoteKind.DATE_ORDER, self.said, order),)
        else:
            month, day = can[0]
            note = ()
        found = _this_or_next_year(month, day, self.year, today, self.said)
        return Found(found.day, note + found.notes)


@dataclass(frozen=True)
class DayOfMonth:
    """`the 15th` (the next 15th, today included); `the 20th of next month` (months_ahead 1)."""

    day: int
    months_ahead: int | None = None
    said: str = ""

    def on(self, today: date, order: DateOrder) -> Found:
        if self.months_ahead is not None:
            month = add_months(today.replace(day=1), self.months_ahead)
            if not valid(month.year, month.month, self.day):
                raise NotATime(f"{self.said} is not a date")
            return Found(month.replace(day=self.day))
        month = today.replace(day=1)
        for _ in range(13):
            if valid(month.year, month.month, self.day) and date(month.year, month.month, self.day) >= today:
                return Found(month.replace(day=self.day))
            month = add_months(month, 1)
        raise NotATime(f"{self.said} is not a date")


@dataclass(frozen=True)
class WeekdayOfMonthDay:
    """`friday the 13th`: the next 13th that is a Friday."""

    weekday: int
    day: int
    said: str = ""

    def on(self, today: date, order: DateOrder) -> Found:
        month = today.replace(day=1)
        for _ in range(28):
            if valid(month.year, month.month, self.day):
                candidate = month.replace(day=self.day)
                if candidate >= today and candidate.weekday() == self.weekday:
                    return Found(candidate)
            month = add_months(month, 1)
        raise NotATime(f"{self.said} is not a date")


@dataclass(frozen=True)
class MonthEnd:
    """`the last day of the month`, `last day of march` (the next one, C12)."""

    months_ahead: int | None = 0
    month: int | None = None

    def on(self, today: date, order: DateOrder) -> Found:
        if self.month is None:
            first = add_months(today.replace(day=1), self.months_ahead or 0)
        else:
            year = today.year if self.month >= today.month else today.year + 1
            first = date(year, self.month, 1)
        return Found(first.replace(day=calendar.monthrange(first.year, first.month)[1]))


@dataclass(frozen=True)
class WeekStart:
    """C7: `next week` is Monday of next week; `the week after next` Monday of the one after."""

    weeks: int

    def on(self, today: date, order: DateOrder) -> Found:
        return Found(today - timedelta(days=today.weekday()) + timedelta(weeks=self.weeks))


@dataclass(frozen=True)
class MonthStart:
    """C7: `next month` is its 1st; `in march` is March 1st (the next one, C12)."""

    months_ahead: int | None = None
    month: int | None = None
    year: int | None = None
    said: str = ""

    def on(self, today: date, order: DateOrder) -> Found:
        if self.months_ahead is not None:
            return Found(add_months(today.replace(day=1), self.months_ahead))
        assert self.month is not None
        year = self.year or (today.year if self.month > today.month else today.year + 1)
        notes = (Note(NoteKind.FIRST_OF_MONTH, self.said),)
        if self.year is None and year > today.year:
            notes += (Note(NoteKind.NEXT_YEAR, self.said),)
        return Found(date(year, self.month, 1), notes)


@dataclass(frozen=True)
class YearStart:
    years_ahead: int

    def on(self, today: date, order: DateOrder) -> Found:
        return Found(date(today.year + self.years_ahead, 1, 1))


@dataclass(frozen=True)
class EndOf:
    """C13: end of week = its Friday, end of month = its last day, end of year = Dec 31; at 17:00."""

    unit: Literal["week", "month", "year"]
    ahead: int = 0

    def on(self, today: date, order: DateOrder) -> Found:
        if self.unit == "week":
            day = today - timedelta(days=today.weekday()) + timedelta(days=4 + 7 * self.ahead)
        elif self.unit == "month":
            month = add_months(today, self.ahead)
            day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        else:
            day = date(today.year + self.ahead, 12, 31)
        return Found(day, hour=17)


@dataclass(frozen=True)
class NthWeekday:
    """`the first monday of march`, `last friday of the month`."""

    n: int  # 1..5, or -1 for the last
    weekday: int
    month: int | None = None
    months_ahead: int = 0
    said: str = ""

    def on(self, today: date, order: DateOrder) -> Found:
        if self.month is not None:
            year = today.year
            for _ in range(2):
                found = self._in(year, self.month)
                if found is not None and found >= today:
                    return Found(found)
                year += 1
            raise NotATime(f"there is no {self.said}")
        month = add_months(today.replace(day=1), self.months_ahead)
        found = self._in(month.year, month.month)
        if found is None:
            raise NotATime(f"there is no {self.said}")
        return Found(found)

    def _in(self, year: int, month: int) -> date | None:
        days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)
                if date(year, month, d).weekday() == self.weekday]
        index = self.n - 1 if self.n > 0 else self.n
        return days[index] if -len(days) <= index < len(days) else None


@dataclass(frozen=True)
class Shifted:
    """A day counted from another: `a week from friday`, `3 days after tomorrow`, `friday after next`."""

    base: DaySpec
    duration: Duration

    def on(self, today: date, order: DateOrder) -> Found:
        found = self.base.on(today, order)
        return Found(self.duration.on_date(found.day), found.notes, found.hour)


DaySpec = (RelativeDay | Weekday | CalendarDate | NumericDate | DayOfMonth | WeekdayOfMonthDay | MonthEnd | WeekStart
           | MonthStart | YearStart | EndOf | NthWeekday | Shifted)
Piece = DaySpec | Clock | Part | Zone | Offset | Anchor | End | Length | Invalid
DAY_TYPES = (RelativeDay, Weekday, CalendarDate, NumericDate, DayOfMonth, WeekdayOfMonthDay, MonthEnd, WeekStart,
             MonthStart, YearStart, EndOf, NthWeekday, Shifted)


__all__ = ["Duration", "Clock", "Part", "Zone", "Offset", "Anchor", "End", "Length", "Invalid", "Found",
           "RelativeDay", "Weekday", "CalendarDate", "NumericDate", "DayOfMonth", "WeekdayOfMonthDay", "MonthEnd",
           "WeekStart", "MonthStart", "YearStart", "EndOf", "NthWeekday", "Shifted", "DaySpec", "Piece",
           "DAY_TYPES"]
