"""Natural-language times, read the way a colleague would read them.

Reps write "tmrw 3p", "fri eod", "next thu at 10", "in 45 mins" or "3/12 2pm PT". A small grammar
reads those by the house conventions (business hours for a bare "at 4", 09:00 for a date alone, the
next occurrence for a time alone, the rep's own zone with its DST rules on the day in question);
dateparser reads the written-out dates the grammar does not know ("Wednesday, March 12th 2025").
Every instant leaves here as aware UTC.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

Grain = Literal["minute", "part", "day", "elapsed"]

# ----- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A phrase read into an instant, with how precisely it was said and an optional end."""

    start: datetime | None
    grain: Grain | None = None
    end: datetime | None = None
    duration: timedelta | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a phrase gives no usable instant; `reading` is what a past phrase was read as."""

    kind: Literal["past", "unreadable", "ambiguous"]
    message: str
    reading: datetime | None = None
    candidates: tuple[datetime, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class Split:
    """A command line cut into what to do and when."""

    title: str
    time_text: str
    result: Reading | Refusal | None


@dataclass(frozen=True)
class Recurrence:
    rrule: str
    first: datetime


# ----- vocabulary ---------------------------------------------------------------------------------

SPELLINGS = {
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmrow": "tomorrow", "2moro": "tomorrow", "2morrow": "tomorrow",
    "tomorow": "tomorrow", "tommorow": "tomorrow", "tommorrow": "tomorrow", "tomorrw": "tomorrow",
    "tomm": "tomorrow", "tmw": "tomorrow", "tomo": "tomorrow", "morrow": "tomorrow",
    "tdy": "today", "2day": "today", "tonite": "tonight", "2nite": "tonight", "ystrdy": "yesterday",
    "nxt": "next", "thru": "through", "til": "till", "untill": "until",
    "mins": "minutes", "min": "minutes", "hrs": "hours", "hr": "hours",
    "wendsday": "wednesday", "wensday": "wednesday", "wednsday": "wednesday", "wedensday": "wednesday",
    "thrusday": "thursday", "thursay": "thursday", "thurday": "thursday", "tuseday": "tuesday",
    "teusday": "tuesday", "fryday": "friday", "firday": "friday", "saturady": "saturday", "sunady": "sunday",
    "monady": "monday", "mondy": "monday",
    "arvo": "afternoon", "aft": "afternoon", "eve": "evening", "nite": "night", "mornin": "morning",
    "mrng": "morning", "morn": "morning", "noonish": "noon",
}

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "tu": 1, "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "thr": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
WEEKDAY_PLURALS = {name + "s": day for name, day in WEEKDAYS.items() if len(name) > 3}

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "forty-five": 45, "fortyfive": 45, "sixty": 60, "ninety": 90, "a": 1, "an": 1,
    "couple": 2, "few": 3,
}

UNITS = {
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds", "seconds": "seconds",
    "m": "minutes", "minute": "minutes", "minutes": "minutes", "mn": "minutes",
    "h": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks", "fortnight": "fortnights",
    "mo": "months", "mos": "months", "month": "months", "months": "months",
    "y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years",
}

ZONES = {
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York", "eastern": "America/New_York",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago", "central": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver", "mountain": "America/Denver",
    "gmt": "UTC", "utc": "UTC", "z": "UTC", "bst": "Europe/London", "uk": "Europe/London",
    "ist": "Asia/Kolkata", "cet": "Europe/Paris", "cest": "Europe/Paris", "sgt": "Asia/Singapore",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
}

PARTS = {"morning": 9, "noon": 12, "midday": 12, "lunch": 12, "lunchtime": 12, "afternoon": 15,
         "evening": 18, "tonight": 20, "night": 20, "midnight": 0, "eod": 17}
PM_PARTS = {"afternoon", "evening", "tonight", "night"}
NO_TIME = {"asap", "whenever", "soon", "later", "tbd", "tba", "n/a", "na", "someday", "sometime",
           "eventually", "unknown", "none", "never", "anytime"}
CONNECTORS = {"at", "on", "by", "due", "@", "around", "about", "before", "~", "approx", "is", "the"}
END_WORDS = {"-", "–", "to", "till", "until", "through"}

ELAPSED_UNITS = {"seconds", "minutes", "hours"}
END_OF = [(("next", "week"), ("eow", 1)), (("week",), ("eow", 0)), (("next", "month"), ("eom", 1)),
          (("month",), ("eom", 0))]
DATE_KINDS = {"date", "numeric", "dom"}
DEFAULT_HOUR = 9
MAX_CLOCK_END = timedelta(hours=12)
EOD_HOUR = 17

_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}"                    # ISO date
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"        # numeric date
    r"|\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m?\.?\b)?"  # clock time 3:30, 10.30, 3:30pm
    r"|\d+(?:\.\d+)?(?:/\d+)?[a-z]*"        # numbers, possibly glued: 3pm 45m 1.5h 1/2h 15th
    r"|n/a|[a-z]+(?:-[a-z]+)?|[-–@~,&]"
)


def _tokens(phrase: str) -> list[str]:
    text = phrase.lower().replace("’", "'").replace("'s", "")
    text = re.sub(r"\b(\d{1,2})\s*([ap])\.\s*m\.", r"\1\2m", text)
    text = re.sub(r"(\d)\s+(am|pm|a|p)\b", r"\1\2", text)
    text = re.sub(r"\b(\d{1,2})\s*o\s*'?\s*clock\b", r"\1:00", text)
    text = re.sub(r"\bfirst thing( in the morning)?\b", "morning", text)
    return [SPELLINGS.get(token, token) for token in _TOKEN.findall(text)]


# ----- the grammar: tokens -> a spec of what was said --------------------------------------------


@dataclass
class Spec:
    """What a phrase says, before it meets a clock and a zone."""

    day: tuple | None = None          # ("rel", n) ("weekday", wd, mode) ("date", y|None, m, d) ("dom", d) ...
    clock: tuple | None = None        # (hour, minute, meridiem | None, is_24h)
    part: str | None = None
    this_part: bool = False
    zone: str | None = None
    offset: relativedelta | None = None
    elapsed: timedelta | None = None
    end_clock: tuple | None = None
    duration: timedelta | None = None
    strong: bool = False
    conflicts: int = 0
    weekday_hint: int | None = None
    alternatives: list[tuple] = field(default_factory=list)

    def set_day(self, day: tuple) -> None:
        """A second day conflicts, except a weekday beside a date (`Wednesday, March 12th`)."""
        self.strong = True
        if self.day is None or self.day == day:
            self.day = day
        elif day[0] == "weekday" and day[2] == "bare" and self.day[0] in DATE_KINDS:
            self.weekday_hint = day[1]
        elif self.day[0] == "weekday" and self.day[2] == "bare" and day[0] in DATE_KINDS:
            self.weekday_hint, self.day = self.day[1], day
        else:
            self.conflicts += 1
            self.alternatives.append(("day", day))

    def set_clock(self, clock: tuple) -> None:
        if self.clock is not None and self.clock != clock:
            self.conflicts += 1
            self.alternatives.append(("clock", clock))
            return
        self.clock = clock
        self.strong = True


class NoParse(Exception):
    pass


def _number(token: str) -> float | None:
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    if re.fullmatch(r"\d+(\.\d+)?", token):
        return float(token)
    if re.fullmatch(r"\d+/\d+", token):
        top, bottom = token.split("/")
        return int(top) / int(bottom) if int(bottom) else None
    return None


def _duration(tokens: list[str], i: int) -> tuple[relativedelta | timedelta, int] | None:
    """`45 mins`, `45m`, `1.5h`, `1/2h`, `half an hour`, `an hour and a half`, `two days`, `a week`."""
    n = len(tokens)
    amount: float | None = None
    unit: str | None = None
    j = i
    if j < n and tokens[j] == "half" and j + 2 < n and tokens[j + 1] in ("an", "a") and tokens[j + 2] in UNITS:
        amount, unit, j = 0.5, UNITS[tokens[j + 2]], j + 3
    else:
        if j + 1 < n and tokens[j] == "a" and tokens[j + 1] in ("couple", "few"):
            j += 1
        glued = re.fullmatch(r"(\d+(?:\.\d+)?(?:/\d+)?)([a-z]+)", tokens[j]) if j < n else None
        if glued and glued.group(2) in UNITS and glued.group(2) not in ("a", "p"):
            amount, unit, j = _number(glued.group(1)), UNITS[glued.group(2)], j + 1
        elif j < n and _number(tokens[j]) is not None:
            amount = _number(tokens[j])
            j += 1
            if j < n and tokens[j] == "of":
                j += 1
            if j < n and tokens[j] in ("and", "&") and j + 2 < n and tokens[j + 1] == "a" and tokens[j + 2] == "half":
                amount, j = (amount or 0) + 0.5, j + 3
            if j < n and tokens[j] == "half" and j + 1 < n and tokens[j + 1] in UNITS:
                amount, j = (amount or 0) + 0.5, j + 1
            if j < n and tokens[j] in UNITS and tokens[j] not in ("a", "p"):
                unit, j = UNITS[tokens[j]], j + 1
            else:
                return None
        else:
            return None
    if amount is None or unit is None:
        return None
    if j + 2 < n and tokens[j] in ("and", "&") and tokens[j + 1] == "a" and tokens[j + 2] == "half":
        amount, j = amount + 0.5, j + 3
    if unit == "fortnights":
        unit, amount = "weeks", amount * 2
    if unit in ELAPSED_UNITS:
        return timedelta(**{unit: amount}), j - i
    if amount != int(amount):
        if unit == "days":
            return timedelta(hours=amount * 24), j - i
        return None
    return relativedelta(**{unit: int(amount)}), j - i


_HOURISH = re.compile(r"\d{1,2}(?::\d{2})?(?:[ap]m?)?")
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])?\.?m?\.?")
_COMPACT = re.compile(r"(\d{4}|\d{3}(?=[ap]))([ap]m?)?")


def _clock(token: str, bare_ok: bool) -> tuple | None:
    """A time of day: 3pm, 3p, 3:30, 15:30, 10.30, 1030; a bare hour only where `bare_ok`."""
    match = _CLOCK.fullmatch(token)
    if match and (match.group(2) or match.group(3) or bare_ok):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        meridiem = match.group(3)
        if meridiem is None and match.group(3) is None and token.endswith("m") and not match.group(2):
            return None
        is_24h = meridiem is None and (hour >= 13 or hour == 0 or (match.group(1).startswith("0") and match.group(2)))
        return _checked_clock(hour, minute, meridiem, is_24h)
    match = _COMPACT.fullmatch(token)
    if match:
        digits = match.group(1)
        hour, minute = int(digits[:-2]), int(digits[-2:])
        meridiem = match.group(2)[0] if match.group(2) else None
        is_24h = meridiem is None and (hour >= 13 or digits.startswith("0") or hour == 0)
        return _checked_clock(hour, minute, meridiem, is_24h)
    return None


def _checked_clock(hour: int, minute: int, meridiem: str | None, is_24h: bool) -> tuple:
    if minute > 59 or hour > 23 or (meridiem and not 1 <= hour <= 12):
        raise NoParse(f"{hour}:{minute:02d} is not a time of day")
    return (hour, minute, meridiem, is_24h)


def _ordinal_day(token: str) -> int | None:
    match = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", token)
    if match and 1 <= int(match.group(1)) <= 31:
        return int(match.group(1))
    return None


def _year(token: str) -> int | None:
    if re.fullmatch(r"(19|20)\d{2}", token):
        return int(token)
    return None


def _weekday(token: str) -> int | None:
    return WEEKDAYS.get(token, WEEKDAY_PLURALS.get(token))


def parse_spec(tokens: list[str]) -> Spec:
    """Read every token into a Spec, or raise NoParse: nothing may be left over."""
    spec = Spec()
    i, n = 0, len(tokens)
    if n == 0:
        raise NoParse("empty")
    whole = _duration(tokens, 0)
    if whole and whole[1] == n:
        _add_offset(spec, whole[0])
        return spec
    while i < n:
        used = _step(tokens, i, spec)
        if not used:
            raise NoParse(f"don't know {tokens[i]!r}")
        i += used
    if spec.conflicts:
        raise Conflict(spec)
    if not (spec.day or spec.clock or spec.part or spec.offset or spec.elapsed or spec.duration or spec.end_clock):
        raise NoParse("no time in it")
    return spec


class Conflict(NoParse):
    def __init__(self, spec: Spec):
        super().__init__("two different times")
        self.spec = spec


def _step(t: list[str], i: int, spec: Spec) -> int:
    """Consume one construction starting at t[i]; return how many tokens it used (0: none fits)."""
    n = len(t)
    word = t[i]
    nxt = t[i + 1] if i + 1 < n else None
    after = t[i + 2] if i + 2 < n else None

    if word in NO_TIME:
        raise NoParse("no usable time")
    if word in (",", "&") or (word == "and" and i > 0):
        return 1
    # durations and offsets
    if word == "in" and nxt is not None:
        if nxt == "the" and after in ("morning", "afternoon", "evening"):
            spec.part = after
            return 3
        found = _duration(t, i + 1)
        if found:
            _add_offset(spec, found[0])
            return 1 + found[1]
    if word == "for" and nxt is not None:
        found = _duration(t, i + 1)
        if found and isinstance(found[0], timedelta):
            spec.duration = found[0]
            return 1 + found[1]
        if found:
            delta = found[0]
            spec.duration = timedelta(days=delta.days + 7 * delta.weeks) if not (delta.months or delta.years) else None
            if spec.duration is None:
                return 0
            return 1 + found[1]
        if nxt in ("the", "today", "tomorrow", "tonight", "next", "this") or nxt in MONTHS or _weekday(nxt) is not None:
            return 1
        return 0
    found = _duration(t, i) if _number(word) is not None or re.match(r"\d", word) else None
    if found and i + found[1] < n and t[i + found[1]] in ("from", "later", "ago"):
        rest = t[i + found[1]:]
        if rest[0] == "ago":
            _add_offset(spec, -found[0] if isinstance(found[0], timedelta) else -found[0])
            return found[1] + 1
        if rest[:2] == ["from", "now"]:
            _add_offset(spec, found[0])
            return found[1] + 2
        if rest[0] == "later":
            _add_offset(spec, found[0])
            return found[1] + 1
    # a week from friday / a week from tomorrow / a week from today
    if word in ("a", "one", "1") and nxt in ("week", "wk") and after == "from" and i + 3 < n:
        base = t[i + 3]
        if _weekday(base) is not None:
            spec.set_day(("week_from", _weekday(base)))
            return 4
        if base in ("tomorrow", "today"):
            spec.set_day(("rel", 7 + (1 if base == "tomorrow" else 0)))
            return 4
    # day words
    if word in ("today", "tonight", "tomorrow", "yesterday"):
        spec.set_day(("rel", {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}[word]))
        if word == "tonight":
            spec.part = "tonight"
        if word == "tomorrow" and nxt in ("morning", "afternoon", "evening", "night", "noon", "lunch", "eod"):
            spec.part = "tonight" if nxt == "night" else nxt
            return 2
        return 1
    if word == "day" and nxt == "after" and after == "tomorrow":
        spec.set_day(("rel", 2))
        return 3
    if word == "this" and nxt in ("morning", "afternoon", "evening"):
        spec.part, spec.this_part = nxt, True
        if spec.day is None:
            spec.set_day(("rel", 0))
        return 2
    if word == "this" and nxt == "coming" and after is not None and _weekday(after) is not None:
        spec.set_day(("weekday", _weekday(after), "bare"))
        return 3
    if word in ("this", "next") and nxt == "weekend":
        spec.set_day(("weekday", 5, "bare" if word == "this" else "next"))
        return 2
    if word in ("this", "coming", "next", "last") and nxt is not None and _weekday(nxt) is not None:
        mode = {"this": "bare", "coming": "bare", "next": "next", "last": "last"}[word]
        spec.set_day(("weekday", _weekday(nxt), mode))
        return 2
    if word in ("next", "this") and nxt in ("week", "month", "wk"):
        if word == "next":
            if after is not None and _weekday(after) is not None:
                spec.set_day(("weekday", _weekday(after), "next"))
                return 3
            spec.set_day(("next_week",) if nxt in ("week", "wk") else ("next_month",))
            return 2
        return 0
    if _weekday(word) is not None:
        if nxt == "of" and after == "next" and i + 3 < n and t[i + 3] in ("week", "wk"):
            spec.set_day(("weekday", _weekday(word), "next"))
            return 4
        if nxt == "next" and after in ("week", "wk"):
            spec.set_day(("weekday", _weekday(word), "next"))
            return 3
        if nxt == "week" and after == "after" and i + 3 < n and t[i + 3] == "next":
            spec.set_day(("weekday_after_next", _weekday(word)))
            return 4
        spec.set_day(("weekday", _weekday(word), "bare"))
        if nxt in ("am", "pm"):
            spec.part = "morning" if nxt == "am" else "afternoon"
            return 2
        if nxt in ("morning", "afternoon", "evening", "night", "eod", "noon", "lunch"):
            spec.part = "tonight" if nxt == "night" else nxt
            return 2
        return 1
    # end-of words
    if word in ("eod", "cob", "eob"):
        spec.part = "eod"
        spec.strong = True
        return 1
    if word in ("eow",):
        spec.set_day(("eow", 0))
        spec.part = "eod"
        return 1
    if word in ("eom",):
        spec.set_day(("eom", 0))
        spec.part = "eod"
        return 1
    if word in ("end", "close") and nxt == "of":
        rest = t[i + 2:i + 5]
        skip = 1 if rest[:1] == ["the"] else 0
        rest = rest[skip:]
        if rest[:1] in (["day"], ["business"]):
            spec.part, spec.strong = "eod", True
            return 3 + skip
        for words, day in END_OF:
            if rest[:len(words)] == list(words):
                spec.set_day(day)
                spec.part = "eod"
                return 2 + len(words) + skip
        return 0
    # dates
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        year, month, day = map(int, word.split("-"))
        spec.set_day(("date", year, month, day))
        return 1
    if re.fullmatch(r"\d{1,2}/\d{1,2}(/\d{2,4})?", word):
        spec.set_day(("numeric", word))
        return 1
    if word in MONTHS:
        day = _ordinal_day(nxt) if nxt else None
        if day is not None and not _looks_like_clock(nxt):
            year = _year(after) if after else None
            if after == "," and i + 3 < n and _year(t[i + 3]):
                year = _year(t[i + 3])
                spec.set_day(("date", year, MONTHS[word], day))
                return 4
            spec.set_day(("date", year, MONTHS[word], day))
            return 3 if year else 2
        return 0
    day = _ordinal_day(word)
    if day is not None and nxt == "of" and after in MONTHS:
        year = _year(t[i + 3]) if i + 3 < n else None
        spec.set_day(("date", year, MONTHS[after], day))
        return 4 if year else 3
    if day is not None and nxt in MONTHS:
        year = _year(after) if after else None
        spec.set_day(("date", year, MONTHS[nxt], day))
        return 3 if year else 2
    if word == "the" and nxt and _ordinal_day(nxt) and re.search(r"(st|nd|rd|th)$", nxt):
        if after == "of" and i + 3 < n and t[i + 3] in MONTHS:
            spec.set_day(("date", None, MONTHS[t[i + 3]], _ordinal_day(nxt)))
            return 4
        spec.set_day(("dom", _ordinal_day(nxt)))
        return 2
    if re.fullmatch(r"\d{1,2}(st|nd|rd|th)", word):
        spec.set_day(("dom", _ordinal_day(word)))
        return 1
    # parts of the day
    if word in ("noon", "midday", "midnight", "lunchtime"):
        spec.part, spec.strong = word, True
        return 1
    if word in ("morning", "afternoon", "evening", "lunch", "night"):
        spec.part = "tonight" if word == "night" else word
        return 1
    if word == "at" and nxt in ("noon", "midnight", "lunch", "night", "midday"):
        spec.part, spec.strong = ("tonight" if nxt == "night" else nxt), True
        return 2
    # zones
    if word in ZONES and (spec.clock or spec.part or spec.end_clock) and spec.zone is None:
        spec.zone = ZONES[word]
        return 1
    # ranges and ends
    if word == "from" and nxt is not None:
        clock = _clock(nxt, bare_ok=True)
        if clock:
            spec.set_clock(clock)
            return 2
        return 0
    if word == "between" and nxt is not None and after == "and" and i + 3 < n:
        start, end = _clock(nxt, True), _clock(t[i + 3], True)
        if start and end:
            spec.set_clock(start)
            spec.end_clock = end
            return 4
        return 0
    if word in END_WORDS and nxt is not None and spec.clock is not None:
        end = _clock(nxt, bare_ok=True)
        if end:
            spec.end_clock = end
            return 2
        return 0
    # clock times
    if word in CONNECTORS:
        if nxt is not None and word in ("at", "@", "around", "about", "~", "by") and _clock(nxt, bare_ok=True):
            spec.set_clock(_clock(nxt, bare_ok=True))
            return 2
        return 1 if nxt is not None else 0
    starts_range = (nxt in END_WORDS and after is not None and bool(_HOURISH.fullmatch(word))
                    and bool(_HOURISH.fullmatch(after)))
    before_day = nxt in ("today", "tomorrow", "tonight") or (nxt is not None and _weekday(nxt) is not None)
    bare_ok = spec.day is not None or starts_range or before_day or (i > 0 and t[i - 1] in ("at", "@"))
    clock = _clock(word, bare_ok=bare_ok)
    if clock:
        if nxt in END_WORDS and after is not None:
            end = _clock(after, bare_ok=True)
            if end:
                spec.set_clock(clock)
                spec.end_clock = end
                return 3
        spec.set_clock(clock)
        return 1
    return 0


def _looks_like_clock(token: str | None) -> bool:
    return bool(token and re.fullmatch(r"\d{1,2}(:\d{2})?[ap]m?|\d{1,2}:\d{2}", token))


def _add_offset(spec: Spec, delta: relativedelta | timedelta) -> None:
    if isinstance(delta, timedelta):
        spec.elapsed = (spec.elapsed or timedelta(0)) + delta
    else:
        spec.offset = (spec.offset or relativedelta()) + delta
    spec.strong = True


# ----- resolution: a spec meets a clock and a zone -----------------------------------------------


def _zone(name: str) -> ZoneInfo:
    return _zone_cached(name)


@lru_cache(maxsize=64)
def _zone_cached(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """A local wall time as UTC; a time inside a spring-forward gap moves forward by the gap."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def day_first(tz: str) -> bool:
    """Numeric dates: month/day in the Americas and UTC, day/month everywhere else."""
    return not (tz.startswith("America/") or tz in ("UTC", "Etc/UTC", "GMT", "US/Pacific", "US/Eastern"))


def _date_of(spec_day: tuple, today: date, tz: str) -> date:
    kind = spec_day[0]
    if kind == "rel":
        return today + timedelta(days=spec_day[1])
    if kind == "weekday":
        weekday, mode = spec_day[1], spec_day[2]
        if mode == "next":
            return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)
        if mode == "last":
            return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if kind == "weekday_after_next":
        return today - timedelta(days=today.weekday()) + timedelta(days=14 + spec_day[1])
    if kind == "week_from":
        return today + timedelta(days=((spec_day[1] - today.weekday()) % 7 or 7) + 7)
    if kind == "next_week":
        return today - timedelta(days=today.weekday()) + timedelta(days=7)
    if kind == "next_month":
        return (today.replace(day=1) + relativedelta(months=1))
    if kind == "eow":
        return today - timedelta(days=today.weekday()) + timedelta(days=4 + 7 * spec_day[1])
    if kind == "eom":
        month = today + relativedelta(months=spec_day[1])
        return month.replace(day=calendar.monthrange(month.year, month.month)[1])
    if kind == "dom":
        return _day_of_month(today, spec_day[1])
    if kind == "numeric":
        parts = [int(p) for p in spec_day[1].split("/")]
        first, second = parts[0], parts[1]
        month, day = (second, first) if day_first(tz) else (first, second)
        year = None
        if len(parts) == 3:
            year = parts[2] + (2000 if parts[2] < 100 else 0)
        return _calendar_date(year, month, day, today)
    year, month, day = spec_day[1], spec_day[2], spec_day[3]
    return _calendar_date(year, month, day, today)


def _dated(spec: Spec, today: date, tz: str) -> date:
    assert spec.day is not None
    day = _date_of(spec.day, today, tz)
    if spec.weekday_hint is not None and day.weekday() != spec.weekday_hint:
        raise Conflict(spec)
    return day


def _calendar_date(year: int | None, month: int, day: int, today: date) -> date:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day) if _valid(today.year, month, day) else None
        if candidate is None or candidate < today:
            for later in range(today.year + 1, today.year + 9):
                if _valid(later, month, day):
                    return date(later, month, day)
            raise ValueError
        return candidate
    except ValueError:
        raise NoParse(f"{calendar.month_abbr[month] if 1 <= month <= 12 else month} {day} is not a date") from None


def _valid(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _day_of_month(today: date, day: int) -> date:
    month = today.replace(day=1)
    for _ in range(12):
        if _valid(month.year, month.month, day) and date(month.year, month.month, day) >= today:
            return date(month.year, month.month, day)
        month += relativedelta(months=1)
    raise NoParse(f"the {day}th is not a date")


def _hour_minute(clock: tuple, part: str | None) -> tuple[int, int]:
    hour, minute, meridiem, is_24h = clock
    if meridiem == "a":
        return (0 if hour == 12 else hour), minute
    if meridiem == "p":
        return (hour if hour == 12 else hour + 12), minute
    if is_24h:
        return hour, minute
    if part in PM_PARTS and hour < 12:
        return hour + 12, minute
    if part == "morning":
        return (0 if hour == 12 else hour), minute
    if 1 <= hour <= 6:
        return hour + 12, minute
    return hour, minute


def _end_hour_minute(end: tuple, start: datetime, zone: ZoneInfo, start_clock: tuple | None) -> datetime:
    """An end time is the first reading of it after the start: `3-4pm`, `3pm to 4:30`, `2 till 3`."""
    hour, minute, meridiem, is_24h = end
    local_start = start.astimezone(zone)
    options = []
    if meridiem or is_24h:
        options.append(_hour_minute(end, None))
    else:
        options += [(hour % 12, minute), (hour % 12 + 12, minute)]
    for days in (0, 1):
        for h, m in sorted(options):
            candidate = _at(local_start.date() + timedelta(days=days), h, m, zone)
            if start < candidate <= start + MAX_CLOCK_END:
                return candidate
    raise NoParse("the end is not after the start")


def resolve(spec: Spec, now: datetime, tz: str) -> Reading:
    zone = _zone(tz)
    local_now = now.astimezone(zone)
    today = local_now.date()
    time_zone = _zone(spec.zone) if spec.zone else zone

    if spec.elapsed is not None:
        if spec.day or spec.clock or spec.part or spec.offset:
            raise NoParse("an elapsed time and a date together")
        start = now + spec.elapsed
        return _with_end(Reading(start, "elapsed"), spec, zone)

    start_clock = spec.clock
    if spec.offset is not None:
        base = _date_of(spec.day, today, tz) if spec.day else today
        target = base + spec.offset
        if start_clock or spec.part:
            spec = replace(spec, day=("date", target.year, target.month, target.day))
        else:
            moved = datetime.combine(target, local_now.time().replace(second=0, microsecond=0), tzinfo=zone)
            return _with_end(Reading(moved.astimezone(UTC), "minute"), spec, zone)

    if start_clock is None and spec.part is None:
        if spec.day is None:
            if spec.duration is not None:
                return Reading(None, None, None, spec.duration)
            raise NoParse("no time in it")
        day = _dated(spec, today, tz)
        grain: Grain = "day"
        hour, minute = DEFAULT_HOUR, 0
        if spec.day[0] in ("eow", "eom"):
            hour, grain = EOD_HOUR, "part"
        return _with_end(Reading(_at(day, hour, minute, zone), grain), spec, zone)

    if start_clock is not None:
        hour, minute = _hour_minute(start_clock, spec.part)
        grain = "minute"
    else:
        hour, minute = PARTS[spec.part], 0
        grain = "part"

    if spec.part == "midnight" and start_clock is None:
        day = _date_of(spec.day, today, tz) if spec.day else today
        return _with_end(Reading(_at(day + timedelta(days=1), 0, 0, zone), grain), spec, zone)

    if spec.day is not None:
        day = _dated(spec, today, tz)
        return _with_end(Reading(_at(day, hour, minute, time_zone), grain), spec, time_zone, start_clock)

    if spec.this_part or spec.part in ("tonight", "eod"):
        return _with_end(Reading(_at(today, hour, minute, time_zone), grain), spec, time_zone, start_clock)

    zone_today = now.astimezone(time_zone).date()
    candidate = _at(zone_today, hour, minute, time_zone)
    if candidate <= now:
        candidate = _at(zone_today + timedelta(days=1), hour, minute, time_zone)
    return _with_end(Reading(candidate, grain), spec, time_zone, start_clock)


def _with_end(reading: Reading, spec: Spec, zone: ZoneInfo, start_clock: tuple | None = None) -> Reading:
    if reading.start is None:
        return reading
    if spec.end_clock is not None:
        end = _end_hour_minute(spec.end_clock, reading.start, zone, start_clock)
        if spec.clock and spec.clock[2] is None and spec.end_clock[2] is not None and not spec.clock[3]:
            reading = _align_start_meridiem(reading, spec, zone, end)
        return replace(reading, end=end, duration=end - reading.start)
    if spec.duration is not None:
        return replace(reading, end=reading.start + spec.duration, duration=spec.duration)
    return reading


def _align_start_meridiem(reading: Reading, spec: Spec, zone: ZoneInfo, end: datetime) -> Reading:
    """`11-1pm` is 11 AM to 1 PM, `3-4pm` is 3 PM to 4 PM: the start is the latest reading before the end."""
    assert reading.start is not None and spec.clock is not None
    local = reading.start.astimezone(zone)
    hour = spec.clock[0] % 12
    options = [_at(local.date(), h, spec.clock[1], zone) for h in (hour, hour + 12)]
    before = [option for option in options if option < end]
    return replace(reading, start=max(before)) if before else reading


# ----- dateparser for written-out dates the grammar does not know ---------------------------------


@lru_cache(maxsize=1)
def _dateparser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={"RETURN_TIME_AS_PERIOD": True, "STRICT_PARSING": False,
                                                      "PREFER_DAY_OF_MONTH": "first"})


def _fallback(phrase: str, now: datetime, tz: str) -> Reading | None:
    """Only absolute dates: day and month must both be there, else a guess is worse than a refusal."""
    if not re.search(r"\d", phrase) or not any(token in MONTHS for token in _tokens(phrase)):
        return None
    data = _dateparser().get_date_data(phrase)
    if data is None or data.date_obj is None or not {"day", "month"} <= set(data.parts or ()):
        return None
    zone = _zone(tz)
    today = now.astimezone(zone).date()
    parsed = data.date_obj
    year = parsed.year if "year" in data.parts else None
    day = _calendar_date(year, parsed.month, parsed.day, today)
    if "time" in data.parts:
        return Reading(_at(day, parsed.hour, parsed.minute, zone), "minute")
    return Reading(_at(day, DEFAULT_HOUR, 0, zone), "day")


# ----- the API ------------------------------------------------------------------------------------

EXAMPLES = "try `tmrw 3pm`, `fri eod`, `next thu at 10` or `in 45 mins`"


def read(phrase: str, now: datetime, tz: str) -> Reading | Refusal:
    """A phrase into an instant (aware UTC), or a refusal saying why not."""
    result = _read_any(phrase, now, tz)
    if isinstance(result, Reading) and result.start is not None and result.start <= now:
        return Refusal("past", f"{phrase.strip()!r} is in the past (read as {describe(result.start, tz)})",
                       reading=result.start)
    return result


def _read_any(phrase: str, now: datetime, tz: str) -> Reading | Refusal:
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    tokens = _tokens(phrase)
    try:
        return resolve(parse_spec(tokens), now, tz)
    except Conflict as conflict:
        return _ambiguous(phrase, conflict.spec, now, tz)
    except NoParse as reason:
        if str(reason) == "no usable time" or "is not" in str(reason):
            return Refusal("unreadable", f"I couldn't read a time in {phrase.strip()!r}: {reason}; {EXAMPLES}")
    fallback = _fallback(phrase, now, tz)
    if fallback is not None:
        return fallback
    return Refusal("unreadable", f"I couldn't read a time in {phrase.strip()!r}; {EXAMPLES}")


def _ambiguous(phrase: str, spec: Spec, now: datetime, tz: str) -> Refusal:
    """Two readings in one phrase: offer each, so the rep can pick instead of retyping."""
    options = [replace(spec, alternatives=[], conflicts=0, weekday_hint=None)]
    if spec.weekday_hint is not None:
        options.append(replace(options[0], day=("weekday", spec.weekday_hint, "bare")))
    for kind, value in spec.alternatives:
        options.append(replace(options[0], **{kind: value}))
    candidates = []
    for option in options:
        try:
            reading = resolve(option, now, tz)
        except NoParse:
            continue
        if reading.start is not None and reading.start not in candidates:
            candidates.append(reading.start)
    shown = " or ".join(describe(candidate, tz) for candidate in candidates)
    return Refusal("ambiguous", f"{phrase.strip()!r} could mean {shown}; say which",
                   candidates=tuple(candidates))


MAX_TIME_WORDS = 9
_WEAK_ALONE = {"morning", "afternoon", "evening", "lunch", "night", "the", "a", "an", "for", "this", "next"}


def split(text: str, now: datetime, tz: str) -> Split:
    """`call Priya re pricing tmrw 3pm` -> title `call Priya re pricing`, time `tmrw 3pm`.

    The time stands at the end or the start; the longest span that reads as a time wins, the end
    before the start, so title words that only look like times (`call May`, `Q3`, `2 quotes`) stay
    in the title.
    """
    words = text.split()
    if not words:
        return Split("", "", None)
    best: tuple[int, int] | None = None
    for size in range(min(len(words), MAX_TIME_WORDS), 0, -1):
        if _is_time_span(words[-size:]):
            best = (len(words) - size, len(words))
            break
    if best is None:
        for size in range(min(len(words), MAX_TIME_WORDS), 0, -1):
            if _is_time_span(words[:size]) and _is_strong(words[:size]):
                best = (0, size)
                break
    if best is None:
        best = _middle_span(words)
    if best is None:
        return Split(text.strip(), "", None)
    start, stop = best
    title_words = words[:start] + words[stop:]
    time_text = " ".join(words[start:stop])
    while title_words and title_words[-1].lower() in CONNECTORS - {"the"} | {"-", ","}:
        title_words.pop()
    title = " ".join(title_words).strip(" ,-–")
    return Split(title, time_text, read(time_text, now, tz))


def _middle_span(words: list[str]) -> tuple[int, int] | None:
    """A time inside the line (`meet Priya tmrw 3pm re pricing`): only a strong one of two words or more."""
    for size in range(min(len(words) - 2, MAX_TIME_WORDS), 1, -1):
        for start in range(1, len(words) - size):
            span = words[start:start + size]
            if _is_time_span(span) and _is_strong(span):
                return start, start + size
    return None


@lru_cache(maxsize=4096)
def _span_spec(span: str) -> Spec | None:
    try:
        return parse_spec(_tokens(span))
    except NoParse:
        return None


def _is_time_span(words: list[str]) -> bool:
    if words[0].lower() in ("and", "&", ","):
        return False
    span = " ".join(words)
    spec = _span_spec(span)
    if spec is None:
        return bool(re.search(r"\d", span) and re.search(r"[a-z]{3}", span.lower())
                    and _fallback_shape(span))
    if not spec.strong and all(w.lower().strip(",") in _WEAK_ALONE | {"in", "at", "on", "by", "due"} for w in words):
        return bool(spec.duration or spec.elapsed or spec.offset) or (
            len(words) > 1 and words[0].lower() in ("in", "this", "at"))
    return True


def _is_strong(words: list[str]) -> bool:
    spec = _span_spec(" ".join(words))
    return spec is not None and spec.strong


def _fallback_shape(span: str) -> bool:
    tokens = _tokens(span)
    return any(t in MONTHS for t in tokens) and all(
        t in MONTHS or t in WEEKDAYS or re.fullmatch(r"\d+(st|nd|rd|th)?|\d{1,2}(:\d{2})?([ap]m?)?|,|at|on|of|the", t)
        for t in tokens)


def read_end(phrase: str, start: datetime, tz: str) -> datetime | Refusal:
    """An appointment's end from `for 30m`, `1.5 hours`, `4:30pm` or `till 4`: after the start."""
    text = phrase.strip().lower()
    if not text:
        return Refusal("unreadable", "no end given")
    tokens = _tokens(text)
    if tokens and tokens[0] not in ("for", "till", "until", "to", "-"):
        found = _duration(tokens, 0)
        if found and found[1] == len(tokens):
            tokens = ["for"] + tokens
    if tokens and tokens[0] in ("till", "until", "to", "-"):
        tokens = tokens[1:]
    zone = _zone(tz)
    try:
        if tokens and tokens[0] == "for":
            found = _duration(tokens, 1)
            if not found or 1 + found[1] != len(tokens):
                raise NoParse("not a length")
            delta = found[0]
            end = start + delta if isinstance(delta, timedelta) else (
                datetime.combine(start.astimezone(zone).date(), start.astimezone(zone).time(), tzinfo=zone)
                + delta).astimezone(UTC)
            return end if end > start else Refusal("unreadable", "the end must come after the start")
        if len(tokens) == 1:
            clock = _clock(tokens[0], bare_ok=True)
            if clock:
                return _end_hour_minute(clock, start, zone, None)
        result = _read_any(phrase, start, tz)
        if isinstance(result, Reading) and result.start is not None:
            if result.start <= start:
                return Refusal("unreadable", f"the end ({describe(result.start, tz)}) is not after the start")
            return result.start
    except NoParse as reason:
        return Refusal("unreadable", f"I couldn't read an end in {phrase.strip()!r}: {reason}")
    return Refusal("unreadable", f"I couldn't read an end in {phrase.strip()!r}; try `for 30m` or `till 4:30pm`")


# ----- recurrence ---------------------------------------------------------------------------------

RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def read_recurrence(phrase: str, now: datetime, tz: str, start: datetime | None = None) -> Recurrence | Refusal:
    """`every weekday at 9`, `every mon and wed 10am`, `daily at 9 for 5 days`, `every other friday`,
    `weekly until dec 20` -> an RFC 5545 RRULE whose first occurrence is the start instant."""
    tokens = _tokens(phrase)
    zone = _zone(tz)
    freq, interval, days = None, 1, []
    count: int | None = None
    until: date | None = None
    span: relativedelta | timedelta | None = None
    rest: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        word = tokens[i]
        if word in ("every", "each", "on", "and", ",", "&", "repeat", "repeats", "repeating"):
            i += 1
            continue
        if word == "other" or word == "second":
            interval = 2
            i += 1
            continue
        if re.fullmatch(r"\d+", word) and i + 1 < n and tokens[i + 1] in UNITS and (i == 0 or tokens[i - 1] == "every"):
            interval = int(word)
            freq = {"days": "DAILY", "weeks": "WEEKLY", "months": "MONTHLY"}.get(UNITS[tokens[i + 1]])
            i += 2
            continue
        if word in ("daily", "day", "days") and freq is None and (i == 0 or tokens[i - 1] in ("every", "other")):
            freq = "DAILY"
        elif word in ("weekday", "weekdays", "workday", "workdays"):
            freq, days = "WEEKLY", ["MO", "TU", "WE", "TH", "FR"]
        elif word in ("weekly", "week") and freq is None:
            freq = "WEEKLY"
        elif word in ("monthly", "month") and freq is None:
            freq = "MONTHLY"
        elif _weekday(word) is not None and (freq in (None, "WEEKLY")):
            freq = "WEEKLY"
            days.append(RRULE_DAYS[_weekday(word)])
        elif word == "for" and i + 1 < n:
            found = _duration(tokens, i + 1)
            if found:
                span = found[0]
                i += 1 + found[1]
                continue
            if re.fullmatch(r"\d+", tokens[i + 1]) and i + 2 < n and tokens[i + 2] in ("times", "occurrences"):
                count = int(tokens[i + 1])
                i += 3
                continue
            rest.append(word)
        elif re.fullmatch(r"\d+", word) and i + 1 < n and tokens[i + 1] in ("times", "occurrences"):
            count = int(word)
            i += 2
            continue
        elif word in ("until", "till", "through") and i + 1 < n:
            remaining = " ".join(tokens[i + 1:])
            target = _read_any(remaining, now, tz)
            if not isinstance(target, Reading) or target.start is None:
                return Refusal("unreadable", f"I couldn't read the last day in {remaining!r}")
            until = target.start.astimezone(zone).date()
            break
        else:
            rest.append(word)
        i += 1
    if freq is None:
        return Refusal("unreadable", f"I couldn't read a repeat in {phrase.strip()!r}; try `every weekday at 9`")
    first = _first_occurrence(rest, freq, days, now, tz, start)
    if isinstance(first, Refusal):
        return first
    parts = [f"FREQ={freq}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    if days:
        parts.append("BYDAY=" + ",".join(sorted(set(days), key=RRULE_DAYS.index)))
    if span is not None:
        local_first = first.astimezone(zone)
        horizon = (local_first + span).astimezone(UTC)
        count = _count_between(freq, interval, days, first, horizon, zone)
    if count is not None:
        parts.append(f"COUNT={count}")
    elif until is not None:
        last = datetime.combine(until, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
        if last < first:
            return Refusal("past", f"the series would end before it starts ({describe(first, tz)})")
        parts.append(f"UNTIL={last:%Y%m%dT%H%M%SZ}")
    return Recurrence("RRULE:" + ";".join(parts), first)


def _first_occurrence(rest: list[str], freq: str, days: list[str], now: datetime, tz: str,
                      start: datetime | None) -> datetime | Refusal:
    zone = _zone(tz)
    if rest:
        try:
            spec = parse_spec(rest)
        except NoParse:
            return Refusal("unreadable", f"I couldn't read {' '.join(rest)!r} in the repeat")
        if spec.day is None and (spec.clock or spec.part):
            hour, minute = _hour_minute(spec.clock, spec.part) if spec.clock else (PARTS[spec.part or "morning"], 0)
            earliest = now
        else:
            reading = resolve(spec, now, tz)
            if reading.start is None:
                return Refusal("unreadable", "the repeat has no start")
            local = reading.start.astimezone(zone)
            hour, minute, earliest = local.hour, local.minute, reading.start - timedelta(seconds=1)
    elif start is not None:
        local = start.astimezone(zone)
        hour, minute, earliest = local.hour, local.minute, start - timedelta(seconds=1)
    else:
        hour, minute, earliest = DEFAULT_HOUR, 0, now
    day = earliest.astimezone(zone).date()
    for _ in range(400):
        candidate = _at(day, hour, minute, zone)
        if candidate > earliest and (not days or RRULE_DAYS[day.weekday()] in days):
            return candidate
        day += timedelta(days=1)
    return Refusal("unreadable", "no occurrence found")


def _count_between(freq: str, interval: int, days: list[str], first: datetime, horizon: datetime,
                   zone: ZoneInfo) -> int:
    from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, weekday

    local_first = first.astimezone(zone).replace(tzinfo=None)
    local_horizon = horizon.astimezone(zone).replace(tzinfo=None)
    byweekday = [weekday(RRULE_DAYS.index(day)) for day in days] or None
    rule = rrule({"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY}[freq], dtstart=local_first,
                 interval=interval, byweekday=byweekday)
    return max(1, len([o for o in rule.between(local_first, local_horizon, inc=True) if o < local_horizon]))


# ----- showing a time back ------------------------------------------------------------------------


def describe(instant: datetime, tz: str) -> str:
    """`Thu Mar 6, 3:00 PM PST`: how a phrase was read, in the rep's own zone."""
    local = instant.astimezone(_zone(tz))
    hour = local.hour % 12 or 12
    return f"{local:%a %b} {local.day}, {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {local.tzname()}"


def slack_token(instant: datetime, tz: str, token: str = "{date_short_pretty} at {time}") -> str:
    """Slack's date token: every reader sees their own zone; the fallback shows the rep's."""
    return f"<!date^{int(instant.timestamp())}^{token}|{describe(instant, tz)}>"


def relative(instant: datetime, now: datetime) -> str:
    """`in 15 min`, `in 2 h`, `tomorrow`, `3 days ago`: for reminders."""
    seconds = (instant - now).total_seconds()
    ahead = seconds >= 0
    seconds = abs(seconds)
    if seconds < 60:
        text = "now" if seconds < 30 else "1 min"
    elif seconds < 3600:
        text = f"{round(seconds / 60)} min"
    elif seconds < 86400:
        hours = seconds / 3600
        text = f"{hours:.0f} h" if hours >= 10 or hours == int(hours) else f"{hours:.1f} h"
    else:
        text = f"{round(seconds / 86400)} days" if seconds >= 1.5 * 86400 else "1 day"
    if text == "now":
        return text
    return f"in {text}" if ahead else f"{text} ago"


__all__ = ["Reading", "Refusal", "Split", "Recurrence", "read", "split", "read_end",
           "read_recurrence", "describe", "slack_token", "relative", "day_first"]

