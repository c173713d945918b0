"""Days: `tomorrow`, `fri`, `next thu`, `march 3rd 2015`, `the 1st of march`, `3/12`, `2015-03-03`, `the 15th`,
`wednesday of next week`, `friday after next`, `the 20th of next month`, `next week`, `eom`."""

from __future__ import annotations

import re

from bot.when.grammar import rule
from bot.when.pieces import (
    CalendarDate,
    DayOfMonth,
    Duration,
    EndOf,
    MonthEnd,
    MonthStart,
    NthWeekday,
    NumericDate,
    RelativeDay,
    Shifted,
    Weekday,
    WeekStart,
    YearStart,
)
from bot.when.vocabulary import MONTHS, WEEKDAYS

WEEKDAY_MODES = {None: "coming", "this": "coming", "coming": "coming", "this coming": "coming", "upcoming": "coming",
                 "this upcoming": "coming", "next": "next",
                 "last": "last", "past": "last", "previous": "last"}
YEAR_TAIL = r"(?: (?P<y><YEAR>)| ' (?P<yy>\d{2}))?"


def _year(m: re.Match) -> int | None:
    if m.groupdict().get("y"):
        return int(m.group("y"))
    if m.groupdict().get("yy"):
        return 2000 + int(m.group("yy"))
    return None


def _said(m: re.Match) -> str:
    """The words as a rep would write them: `3/12`, `march 3rd`."""
    return re.sub(r"(\d) (st|nd|rd|th)\b", r"\1\2", m.group(0).replace(" / ", "/").replace(" - ", "-"))


@rule("day.relative", r"(?P<w>today|tomorrow|yesterday)", "today", "tmrw", "yesterday")
def relative(m: re.Match):
    return (RelativeDay({"today": 0, "tomorrow": 1, "yesterday": -1}[m.group("w")]),)


@rule("day.day_after", r"(?:the )?day (?P<w>after tomorrow|before yesterday)|(?P<next>next day)",
      "the day after tomorrow", "day before yesterday", "next day", needs="day")
def day_after(m: re.Match):
    return (RelativeDay(1 if m.group("next") else 2 if m.group("w") == "after tomorrow" else -2),)


@rule("day.weekday", r"(?:(?P<q>this coming|this upcoming|this|coming|upcoming|next|last|past|previous) )?(?P<wd><WEEKDAY>)",
      "friday", "thurs", "this sunday", "next tue", "last friday", "this coming monday")
def weekday(m: re.Match):
    return (Weekday(WEEKDAYS[m.group("wd")], WEEKDAY_MODES[m.group("q")], m.group("wd")),)  # type: ignore[arg-type]


@rule("day.weekday_of_week",
      r"(?P<wd><WEEKDAY>) (?:of )?(?:the )?(?P<which>this|next|last|following) week"
      r"|(?P<which2>this|next|last) week(?: on)? (?P<wd2><WEEKDAY>)",
      "wednesday of next week", "tuesday of this week", "friday next week", "next week friday", needs="week")
def weekday_of_week(m: re.Match):
    which = m.group("which") or m.group("which2")
    mode = {"this": "this_week", "next": "next_week", "following": "next_week", "last": "last_week"}[which]
    name = m.group("wd") or m.group("wd2")
    return (Weekday(WEEKDAYS[name], mode, name),)  # type: ignore[arg-type]


@rule("day.after_next", r"(?P<wd><WEEKDAY>) (?:after next|week)", "friday after next", "tuesday week",
      needs="next week")
def after_next(m: re.Match):
    """`friday after next`, British `tuesday week`: the coming one, a week on (C5 + 7 days)."""
    return (Weekday(WEEKDAYS[m.group("wd")], "after_next", m.group("wd")),)


@rule("day.month_day", r"(?P<mon><MONTH>)(?: the)? (?P<d>\d{1,2})(?: (?:st|nd|rd|th))?" + YEAR_TAIL,
      "march 3", "march 3rd 2015", "february the 15th", "june twenty first", "Dec. 21", "feb 30")
def month_day(m: re.Match):
    day = int(m.group("d"))
    return None if day > 31 else (CalendarDate(MONTHS[m.group("mon")], day, _year(m), _said(m)),)


@rule("day.day_month",
      r"(?P<d>\d{1,2})(?: (?P<suf>st|nd|rd|th))?(?: (?:-|/))?(?: (?:day )?of)?(?: the)? (?P<mon><MONTH>)(?: (?:-|/))?"
      r"(?: (?P<y><YEAR>)| ' (?P<yy>\d{2})|(?(suf) (?P<y2>\d{2})(?! (?:am|pm|a|p|:|h|oclock|\.))|(?!)))?",
      "1st of march", "first of march", "15 of february", "14april 2015", "10-August-2012", "8/Oct/2012",
      "14th April 15", "4th of July")
def day_month(m: re.Match):
    """A two-digit year only after an ordinal day (`14th April 15`): `4 mar 12` could be 4 o'clock."""
    day = int(m.group("d"))
    year = _year(m) or (2000 + int(m.group("y2")) if m.group("y2") else None)
    return None if day > 31 else (CalendarDate(MONTHS[m.group("mon")], day, year, _said(m)),)


@rule("day.year_month_day", r"(?P<y><YEAR>) (?:(?:-|/) )?(?P<mon><MONTH>) (?:(?:-|/) )?(?P<d>\d{1,2})",
      "2012/Aug/10", "2018 March 18")
def year_month_day(m: re.Match):
    return (CalendarDate(MONTHS[m.group("mon")], int(m.group("d")), int(m.group("y")), _said(m)),)


@rule("day.iso", r"(?P<y><YEAR>) (?P<sep>-|/|\.) (?P<m>\d{1,2}) (?P=sep) (?P<d>\d{1,2})",
      "2015-03-03", "2015-3-3", "2012/8/10", needs="- / .")
def iso(m: re.Match):
    return (CalendarDate(int(m.group("m")), int(m.group("d")), int(m.group("y")), _said(m)),)


@rule("day.numeric", r"(?P<a>\d{1,2}) (?:/ (?P<b>\d{1,2})(?: / (?P<y>\d{4}|\d{2}))?"
      r"|(?P<dash>-) (?P<b2>\d{1,2})(?: - (?P<y2>\d{4}|\d{2}))?)",
      "2/15", "3/12", "2 - 15", "07-27-2022", "3/3/15", "12-30-16", needs="- /")
def numeric(m: re.Match):
    """Dashes without a year make a date only when the numbers cannot both be hours: `2-15` is February 15th,
    but `4-5` and `10-11` are more likely hours (C4) than April 5th or October 11th, so they are not read."""
    first, second = int(m.group("a")), int(m.group("b") or m.group("b2"))
    year = m.group("y") or m.group("y2")
    if m.group("dash") and year is None and max(first, second) <= 12:
        return None
    full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
    return (NumericDate(first, second, full_year, _said(m)),)


@rule("day.numeric_dots", r"(?P<a>\d{1,2}) \. (?P<b>\d{1,2}) \. (?P<y>\d{4}|\d{2})", "12.3.2025", needs=".")
def numeric_dots(m: re.Match):
    year = int(m.group("y")) + (2000 if len(m.group("y")) == 2 else 0)
    return (NumericDate(int(m.group("a")), int(m.group("b")), year, _said(m).replace(" . ", ".")),)


@rule("day.ordinal", r"(?:the )?(?P<d>\d{1,2}) (?:st|nd|rd|th)|the (?P<bare>\d{1,2})", "the 15th", "15th", "the 15",
      "the first", needs="st nd rd th the")
def ordinal(m: re.Match):
    day = int(m.group("d") or m.group("bare"))
    return None if not 1 <= day <= 31 else (DayOfMonth(day, None, f"the {day}"),)


@rule("day.of_relative_month",
      r"(?:the )?(?P<d>\d{1,2})(?: (?:st|nd|rd|th))?(?: day)? of (?:the )?(?P<which>next|this|current|following|coming)"
      r" month", "20 of next month", "20th of the current month", "20th day of next month", needs="month")
def of_relative_month(m: re.Match):
    ahead = 0 if m.group("which") in ("this", "current") else 1
    return (DayOfMonth(int(m.group("d")), ahead, m.group(0)),)


@rule("day.next_period",
      r"(?:(?:the )?(?:beginning|start) of )?(?:next|the following|following) (?P<unit>week|month|year)"
      r"|(?:the )?(?P<after>week|month) after next",
      "next week", "next month", "the week after next", "start of next month", needs="next following")
def next_period(m: re.Match):
    unit, ahead = (m.group("unit"), 1) if m.group("unit") else (m.group("after"), 2)
    return ({"week": WeekStart(ahead), "month": MonthStart(ahead)}.get(unit) or YearStart(ahead),)


@rule("day.month", r"(?:in|during) (?P<mon><MONTH>)(?: (?P<y><YEAR>))?|(?P<mon2><MONTH>) (?P<y2><YEAR>)",
      "in march", "march 2015")
def month(m: re.Match):
    name = m.group("mon") or m.group("mon2")
    year = m.group("y") or m.group("y2")
    return (MonthStart(None, MONTHS[name], int(year) if year else None, name),)


@rule("day.end_of",
      r"(?P<short>eow|eom|eoy)|(?:the )?end of (?:the |this )?(?P<unit>week|month|year)"
      r"|(?:the )?end of (?:the )?next (?P<next>week|month|year)",
      "eow", "end of the month", "end of next week", "eoy", needs="end eow eom eoy")
def end_of(m: re.Match):
    short = {"eow": "week", "eom": "month", "eoy": "year"}
    unit = short.get(m.group("short") or "") or m.group("unit") or m.group("next")
    return (EndOf(unit, 1 if m.group("next") else 0),)


@rule("day.nth_weekday",
      r"(?P<n>\d (?:st|nd|rd|th)|second|last) (?P<wd><WEEKDAY>) (?:of|in) (?:(?P<mon><MONTH>)|(?P<which>next|this|the) month)",
      "first monday of march", "last friday of the month", "2nd tuesday of next month", needs="of in")
def nth_weekday(m: re.Match):
    word = m.group("n")
    n = -1 if word == "last" else 2 if word == "second" else int(word.split()[0])
    if not (n == -1 or 1 <= n <= 5):
        return None
    if m.group("mon"):
        return (NthWeekday(n, WEEKDAYS[m.group("wd")], MONTHS[m.group("mon")], 0, m.group(0)),)
    ahead = 1 if m.group("which") == "next" else 0
    return (NthWeekday(n, WEEKDAYS[m.group("wd")], None, ahead, m.group(0)),)


@rule("day.weekend", r"(?:(?P<q>this|next|coming) )?weekend", "this weekend", "next weekend", "weekend",
      needs="weekend")
def weekend(m: re.Match):
    """A weekend starts on its Saturday."""
    return (Weekday(5, "next" if m.group("q") == "next" else "coming", "weekend"),)


@rule("day.week_from_day", r"(?:a|1) week (?P<base>today|tomorrow)", "a week today", "a week tomorrow", needs="week")
def week_from_day(m: re.Match):
    """British `a week today`: the same weekday next week."""
    return (Shifted(RelativeDay(0 if m.group("base") == "today" else 1), Duration(days=7)),)


HOLIDAYS = {"christmas": (12, 25), "christmas day": (12, 25), "xmas": (12, 25), "christmas eve": (12, 24),
            "boxing day": (12, 26), "new year day": (1, 1), "new years day": (1, 1), "new year eve": (12, 31),
            "new years eve": (12, 31), "halloween": (10, 31), "valentine day": (2, 14), "valentines day": (2, 14),
            "independence day": (7, 4), "st patrick day": (3, 17)}


@rule("day.holiday", r"(?P<name>christmas(?: (?:day|eve))?|xmas|boxing day|new years? (?:day|eve)|halloween"
      r"|valentines? day|independence day|st patrick day|(?P<thanksgiving>thanksgiving)(?: day)?)",
      "christmas", "new year's day", "new year's eve", "thanksgiving", "valentine's day", "halloween",
      needs="christmas xmas boxing new halloween valentine valentines independence patrick thanksgiving")
def holiday(m: re.Match):
    """Holidays on a fixed date, and US Thanksgiving (the fourth Thursday of November)."""
    if m.group("thanksgiving"):
        return (NthWeekday(4, 3, 11, 0, "thanksgiving"),)
    month, day = HOLIDAYS[m.group("name")]
    return (CalendarDate(month, day, None, m.group("name")),)


@rule("day.last_day", r"(?:the )?last day of (?:(?:the |this )?(?P<this>month)|(?:the )?next (?P<next>month)|(?P<mon><MONTH>))",
      "the last day of the month", "last day of next month", "last day of march", needs="last")
def last_day(m: re.Match):
    if m.group("mon"):
        return (MonthEnd(None, MONTHS[m.group("mon")]),)
    return (MonthEnd(1 if m.group("next") else 0),)
