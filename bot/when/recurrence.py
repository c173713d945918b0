"""Repeats for HighLevel appointments: `every weekday at 9`, `every mon and wed 10am`, `daily at 9 for 5 days`,
`every other friday`, `weekly until dec 20` -> an RFC 5545 RRULE whose first occurrence is the start."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.when.chart import Chart
from bot.when.errors import NoParse
from bot.when.grammar import duration
from bot.when.notes import DateOrder
from bot.when.pieces import Duration
from bot.when.reader import read_any
from bot.when.refine import refine
from bot.when.resolve import place, resolve
from bot.when.results import Reading, Recurrence, Refusal
from bot.when.show import describe
from bot.when.tokens import Token, tokenize
from bot.when.vocabulary import DEFAULT_HOUR, PART_HOURS, UNITS, WEEKDAY_PLURALS, WEEKDAYS
from bot.when.zones import at, house_order, zone_of

RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
FREQUENCIES = {"days": "DAILY", "weeks": "WEEKLY", "months": "MONTHLY"}
SKIPPED = {"every", "each", "on", "and", ",", "&", "repeat", "repeats", "repeating"}


def _weekday(word: str) -> int | None:
    return WEEKDAYS.get(word, WEEKDAY_PLURALS.get(word))


def _duration_at(words: list[str], i: int) -> tuple[Duration, int] | None:
    """The longest length starting at words[i] (`5 days`, `2 weeks`), and how many words it used."""
    for stop in range(min(len(words), i + 6), i, -1):
        found = duration(" ".join(words[i:stop]))
        if found is not None:
            return found, stop - i
    return None


def read_recurrence(phrase: str, now: datetime, tz: str, start: datetime | None = None,
                    date_order: DateOrder | None = None) -> Recurrence | Refusal:
    tokens = tokenize(phrase.split())
    words = [t.text for t in tokens]
    zone = zone_of(tz)
    order = date_order or house_order(tz)
    freq, interval, days = None, 1, []
    count: int | None = None
    until: date | None = None
    span: Duration | None = None
    rest: list[Token] = []
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        nxt = words[i + 1] if i + 1 < n else None
        if word in SKIPPED:
            i += 1
            continue
        if word in ("other", "second"):
            interval = 2
        elif word.isdigit() and nxt in UNITS and UNITS[nxt] in FREQUENCIES and (i == 0 or words[i - 1] == "every"):
            interval, freq = int(word), FREQUENCIES[UNITS[nxt]]
            i += 2
            continue
        elif word in ("daily", "day", "days") and freq is None and (i == 0 or words[i - 1] in ("every", "other")):
            freq = "DAILY"
        elif word in ("weekday", "weekdays", "workday", "workdays"):
            freq, days = "WEEKLY", ["MO", "TU", "WE", "TH", "FR"]
        elif word in ("weekly", "week") and freq is None:
            freq = "WEEKLY"
        elif word in ("monthly", "month") and freq is None:
            freq = "MONTHLY"
        elif _weekday(word) is not None and freq in (None, "WEEKLY"):
            freq = "WEEKLY"
            days.append(RRULE_DAYS[_weekday(word)])
        elif word == "for" and nxt is not None:
            found = _duration_at(words, i + 1)
            if found:
                span, used = found
                i += 1 + used
                continue
            if nxt.isdigit() and i + 2 < n and words[i + 2] in ("times", "occurrences"):
                count = int(nxt)
                i += 3
                continue
            rest.append(tokens[i])
        elif word.isdigit() and nxt in ("times", "occurrences"):
            count = int(word)
            i += 2
            continue
        elif word in ("until", "till", "through") and nxt is not None:
            remaining = " ".join(words[i + 1:])
            target = read_any(remaining, now, tz, order)
            if not isinstance(target, Reading) or target.start is None:
                return Refusal("unreadable", f"I couldn't read the last day in {remaining!r}")
            until = target.start.astimezone(zone).date()
            break
        else:
            rest.append(tokens[i])
        i += 1
    if freq is None:
        return Refusal("unreadable", f"I couldn't read a repeat in {phrase.strip()!r}; try `every weekday at 9`")
    first = _first_occurrence(rest, days, now, tz, order, start)
    if isinstance(first, Refusal):
        return first
    parts = [f"FREQ={freq}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    if days:
        parts.append("BYDAY=" + ",".join(sorted(set(days), key=RRULE_DAYS.index)))
    if span is not None:
        local_first = first.astimezone(zone)
        horizon_day = span.on_date(local_first.date())
        horizon = datetime.combine(horizon_day, local_first.time(), tzinfo=zone).astimezone(UTC) + span.elapsed
        count = _count_between(freq, interval, days, first, horizon, zone)
    if count is not None:
        parts.append(f"COUNT={count}")
    elif until is not None:
        last = datetime.combine(until, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
        if last < first:
            return Refusal("past", f"the series would end before it starts ({describe(first, tz)})")
        parts.append(f"UNTIL={last:%Y%m%dT%H%M%SZ}")
    return Recurrence("RRULE:" + ";".join(parts), first)


def _first_occurrence(rest: list[Token], days: list[str], now: datetime, tz: str, order: DateOrder,
                      start: datetime | None) -> datetime | Refusal:
    zone = zone_of(tz)
    if rest:
        spec = None
        for cover in Chart(rest).covers(0, len(rest)):
            try:
                spec = refine(cover, rest)
                break
            except NoParse:
                continue
        said = " ".join(t.text for t in rest)
        if spec is None:
            return Refusal("unreadable", f"I couldn't read {said!r} in the repeat")
        if spec.day is None and (spec.clock or spec.part):
            part = spec.part.name if spec.part else None
            minutes = place(spec.clock, part)[0] if spec.clock else PART_HOURS[part or "morning"] * 60
            earliest = now
        else:
            try:
                reading = resolve(spec, now, tz, order)
            except NoParse:
                return Refusal("unreadable", f"I couldn't read {said!r} in the repeat")
            if reading.start is None:
                return Refusal("unreadable", "the repeat has no start")
            local = reading.start.astimezone(zone)
            minutes, earliest = local.hour * 60 + local.minute, reading.start - timedelta(seconds=1)
    elif start is not None:
        local = start.astimezone(zone)
        minutes, earliest = local.hour * 60 + local.minute, start - timedelta(seconds=1)
    else:
        minutes, earliest = DEFAULT_HOUR * 60, now
    day = earliest.astimezone(zone).date()
    for _ in range(400):
        candidate = at(day, minutes, zone)
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
