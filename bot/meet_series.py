"""A repeating HighLevel meeting: given an end, listed, and checked meeting by meeting before it is booked.

HighLevel books a series with ignoreFreeSlotValidation (it applies an rrule only then), so it checks
none of its meetings: the bot checks every one against the calendar's free slots, 31 days at a time.
A repeat with no end ("every weekday") ends after DEFAULT_SPAN, and none runs past CAP; the preview
says when it ends, with the year.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from bot.crm.highlevel import MAX_SLOT_RANGE, HighLevel
from bot.crm.highlevel_models import Calendar
from bot.when import Recurrence

DEFAULT_SPAN = timedelta(weeks=4)
CAP = timedelta(days=90)
MAX_MEETINGS = 100
SHOWN_CLASHES = 5


@dataclass(frozen=True)
class Series:
    rrule: str
    starts: list[datetime]
    defaulted: bool

    @property
    def first(self) -> datetime:
        return self.starts[0]

    @property
    def last(self) -> datetime:
        return self.starts[-1]


def with_year(instant: datetime, tz: str) -> str:
    """`Tue Apr 1, 2025, 10:00 AM PDT`: a date far enough ahead to need its year."""
    local = instant.astimezone(ZoneInfo(tz))
    hour = local.hour % 12 or 12
    return f"{local:%a %b} {local.day}, {local.year}, {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} " \
           f"{local.tzname()}"


def bounded(recurrence: Recurrence, tz: str) -> Series | str:
    """The series asked for, with an end (the default one when none was said); or why it cannot be booked."""
    zone = ZoneInfo(tz)
    first = recurrence.first.astimezone(zone)
    rule, defaulted = recurrence.rrule, not re.search(r"\b(COUNT|UNTIL)=", recurrence.rrule)
    if defaulted:
        until = (first + DEFAULT_SPAN - timedelta(seconds=1)).astimezone(UTC)
        rule += f";UNTIL={until:%Y%m%dT%H%M%SZ}"
    cap = first + CAP
    starts = [start.astimezone(UTC) for start in itertools.islice(rrulestr(rule, dtstart=first), MAX_MEETINGS + 1)]
    if not starts:
        return "That repeat has no meeting; try `every weekday for 2 weeks`."
    if len(starts) > MAX_MEETINGS or starts[-1] > cap:
        return (f"A series can run for at most {CAP.days} days: its last meeting could be on "
                f"{with_year(cap, tz).rsplit(',', 1)[0]}. Say `until …` or `for 6 weeks`.")
    return Series(rule, starts, defaulted)


def meeting_starts(rrule: str, first: datetime, tz: str) -> list[datetime]:
    """Every meeting's start (UTC) of a series whose first meeting is `first` (an endless rule is cut at
    MAX_MEETINGS); just `first` when there is no rule."""
    if not rrule:
        return [first]
    local = first.astimezone(ZoneInfo(tz))
    return [start.astimezone(UTC) for start in itertools.islice(rrulestr(rrule, dtstart=local), MAX_MEETINGS)]


def preview(series: Series, tz: str) -> str:
    """`20 meetings, from Wed Mar 5, 2025, ... to Tue Apr 1, 2025, ...` and how the end was chosen."""
    count = f"{len(series.starts)} meeting" + ("s" if len(series.starts) != 1 else "")
    text = f":repeat: {count}, from {with_year(series.first, tz)} to {with_year(series.last, tz)}"
    if series.defaulted:
        text += (f" · it ends after {DEFAULT_SPAN.days // 7} weeks: say `until …` or `for 6 weeks` for another end "
                 f"(at most {CAP.days} days)")
    return text


def is_free(start: datetime, end: datetime, slots: list[datetime], duration: int, interval: int) -> bool:
    """Whether [start, end) is free, from HighLevel's free slots: each slot starts every `interval` minutes
    and means the calendar is free for `duration` minutes from it. The meeting must start on a free slot,
    and the free slots that follow it on the grid must cover it to its end, without a gap."""
    free = {slot.timestamp() for slot in slots}
    covered, at = start, start
    while covered < end:
        if at > covered or at.timestamp() not in free:
            return False
        covered = max(covered, at + timedelta(minutes=duration))
        at += timedelta(minutes=interval)
    return True


async def clashes(ghl: HighLevel, calendar: Calendar, starts: list[datetime], length: timedelta, tz: str,
                  user_id: str | None, own: set[datetime] | None = None) -> list[datetime]:
    """The meetings (by start) that are not free, asking HighLevel for free slots 31 days at a time.

    `own`: the times the series holds now, when it is being moved (they count as free for it)."""
    if not starts:
        return []
    zone = ZoneInfo(tz)
    day = datetime.combine(starts[0].astimezone(zone).date(), datetime.min.time(), zone)
    last = starts[-1] + length
    slots: list[datetime] = []
    while day < last:
        until = min(day + MAX_SLOT_RANGE, last + timedelta(days=1))
        slots += await ghl.free_slots(calendar.id, day, until, tz, user_id)
        day = until
    taken = set(slots) | _grid(own or set(), length, calendar.interval_minutes)
    return [start for start in starts if not is_free(start, start + length, sorted(taken), calendar.slot_minutes,
                                                     calendar.interval_minutes)]


def _grid(starts: set[datetime], length: timedelta, interval: int) -> set[datetime]:
    """Slot starts inside meetings the series holds now."""
    step = timedelta(minutes=interval)
    return {start + step * i for start in starts for i in range(max(1, int(length / step)))}


def clash_text(found: list[datetime], total: int, tz: str) -> str:
    shown = ", ".join(with_year(start, tz) for start in found[:SHOWN_CLASHES])
    more = f" and {len(found) - SHOWN_CLASHES} more" if len(found) > SHOWN_CLASHES else ""
    return f"{len(found)} of the {total} meetings clash with the calendar: {shown}{more}"
