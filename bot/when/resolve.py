"""A spec meets a clock and a zone: the house conventions turn what was said into one instant."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.when.errors import Ambiguous, NoParse
from bot.when.notes import DateOrder, Note, NoteKind
from bot.when.pieces import Clock, RelativeDay
from bot.when.refine import Conflict, Spec
from bot.when.results import Grain, Reading
from bot.when.vocabulary import (
    DAYLIGHT_ABBREVIATIONS,
    DEFAULT_HOUR,
    EOD_HOUR,
    PART_HOURS,
    PM_PARTS,
    STANDARD_ABBREVIATIONS,
)
from bot.when.zones import at, zone_of

MAX_CLOCK_END = timedelta(hours=12)
SMALL_HOURS = range(1, 6)
"""`2 at night` is the small hours of the coming night, not 2 PM."""


def resolve(spec: Spec, now: datetime, tz: str, order: DateOrder) -> Reading:
    zone = zone_of(tz)
    local_now = now.astimezone(zone)
    today = local_now.date()
    time_zone = zone_of(spec.zone.name) if spec.zone else zone
    if spec.offset is not None:
        return _with_end(_from_now(spec, now, tz, order), spec, zone)
    if spec.clock is None and spec.part is None:
        return _date_only(spec, local_now, zone, order)

    notes: list[Note] = []
    part = spec.part.name if spec.part else None
    if spec.clock is not None:
        minutes, bare = place(spec.clock, part)
        if bare and not (spec.end is not None and spec.end.meridiem):
            notes.append(bare)
        grain: Grain = "minute"
        second = spec.clock.second
    else:
        assert part is not None
        minutes, second, grain = PART_HOURS[part] * 60, 0, "part"
        if part == "midnight":
            minutes = 1440
            if spec.day is not None and not spec.part.this:
                found = spec.day.on(today, order)
                raise Ambiguous((at(found.day, 0, time_zone), at(found.day, 1440, time_zone)))
        elif part != "noon":
            notes.append(Note(NoteKind.PART_OF_DAY, part))

    if spec.day is not None:
        found = spec.day.on(today, order)
        _check_hint(spec, found.day)
        notes += found.notes
        start = at(found.day, minutes, time_zone, second)
    elif spec.part is not None and (spec.part.this or part in ("tonight", "eod", "midnight")):
        start = at(today, minutes, time_zone, second)
    else:
        zone_today = now.astimezone(time_zone).date()
        start = at(zone_today, minutes, time_zone, second)
        if start <= now:
            start = at(zone_today + timedelta(days=1), minutes, time_zone, second)
    notes += _zone_note(spec, start)
    return _with_end(Reading(start, grain, notes=tuple(notes)), spec, time_zone)


def place(clock: Clock, part: str | None) -> tuple[int, Note | None]:
    """Minutes from midnight for a clock said with or without am/pm, beside a part of the day (C4, C8)."""
    hour, note = clock.hour, None
    if clock.meridiem == "am":
        hour = 0 if hour == 12 else hour
    elif clock.meridiem == "pm":
        hour = hour if hour == 12 else hour + 12
    elif clock.h24:
        pass
    elif part == "night" and hour in SMALL_HOURS:
        pass
    elif part in PM_PARTS:
        hour = hour + 12 if hour < 12 else (24 if part != "afternoon" else 12)
    elif part == "morning":
        hour = 0 if hour == 12 else hour
    else:
        hour = hour + 12 if 1 <= hour <= 6 else hour
        if part not in ("noon", "lunch"):
            note = Note(NoteKind.BARE_HOUR, clock.said, hour=hour)
    if part == "morning" and hour >= 12 or part in PM_PARTS and hour < 12 and not (part == "night"
                                                                                  and hour in SMALL_HOURS):
        raise NoParse(f"{clock.said} is not in the {part}")
    if part in ("midnight", "eod") or (part == "noon" and hour != 12):
        raise NoParse(f"{clock.said} and {part} together")
    return hour * 60 + clock.minute + clock.shift, note


def _date_only(spec: Spec, local_now: datetime, zone: ZoneInfo, order: DateOrder) -> Reading:
    """C2: a date alone is at 09:00; today alone is 17:00 once 09:00 has passed (the end of the working day)."""
    if spec.day is None:
        if spec.length is not None:
            return Reading(None, None, None, spec.length)
        raise NoParse("no time in it")
    today = local_now.date()
    found = spec.day.on(today, order)
    _check_hint(spec, found.day)
    notes = list(found.notes)
    if found.hour is not None:
        start, grain = at(found.day, found.hour * 60, zone), "part"
    elif found.day == today and local_now.hour >= DEFAULT_HOUR:
        start, grain = at(found.day, EOD_HOUR * 60, zone), "day"
        notes.append(Note(NoteKind.END_OF_DAY))
    else:
        start, grain = at(found.day, DEFAULT_HOUR * 60, zone), "day"
        notes.append(Note(NoteKind.DEFAULT_TIME))
    return _with_end(Reading(start, grain, notes=tuple(notes)), spec, zone)  # type: ignore[arg-type]


def _from_now(spec: Spec, now: datetime, tz: str, order: DateOrder) -> Reading:
    """C9: seconds, minutes and hours are elapsed time; days, weeks and months keep the wall clock."""
    zone = zone_of(tz)
    local_now = now.astimezone(zone)
    shift = spec.offset
    assert shift is not None
    today_only = spec.day is None or spec.day == RelativeDay(0)
    if not shift.calendar:
        if spec.clock or spec.part or not today_only:
            raise NoParse("a time from now and a day together")
        return Reading((now + shift.elapsed).astimezone(UTC), "elapsed")
    if not today_only:
        raise NoParse("a time from now and a day together")
    target = shift.on_date(local_now.date())
    if spec.clock or spec.part:
        if shift.elapsed:
            raise NoParse("hours from now and a time of day together")
        day_spec = replace(spec, offset=None, day=RelativeDay((target - local_now.date()).days))
        return resolve(day_spec, now, tz, order)
    wall = local_now.replace(second=0, microsecond=0).time()
    moved = datetime.combine(target, wall, tzinfo=zone).astimezone(UTC) + shift.elapsed
    return Reading(moved, "minute")


def _check_hint(spec: Spec, day: date) -> None:
    if spec.weekday_hint is not None and day.weekday() != spec.weekday_hint.weekday:
        raise Conflict(spec)


def _zone_note(spec: Spec, start: datetime) -> list[Note]:
    """C10: `PST` in July is Pacific time, which is PDT then: say so."""
    if spec.zone is None:
        return []
    said = spec.zone.said
    daylight = bool(start.astimezone(zone_of(spec.zone.name)).dst())
    if (said in STANDARD_ABBREVIATIONS and daylight) or (said in DAYLIGHT_ABBREVIATIONS and not daylight):
        return [Note(NoteKind.ZONE, said)]
    return []


def _with_end(reading: Reading, spec: Spec, zone: ZoneInfo) -> Reading:
    if reading.start is None:
        return reading
    if spec.end is not None:
        end = end_after(spec.end, reading.start, zone)
        if spec.clock and spec.clock.meridiem is None and not spec.clock.h24 and spec.end.meridiem:
            reading = _align_start(reading, spec.clock, zone, end)
        return replace(reading, end=end, duration=end - reading.start)
    if spec.length is not None:
        return replace(reading, end=reading.start + spec.length, duration=spec.length)
    return reading


def end_after(end: Clock, start: datetime, zone: ZoneInfo) -> datetime:
    """An end time is its first reading after the start: `3-4pm`, `3pm to 4:30`, `2 till 3`."""
    local_start = start.astimezone(zone)
    if end.meridiem or end.h24:
        options = [place(end, None)[0]]
    else:
        options = [(end.hour % 12) * 60 + end.minute, (end.hour % 12 + 12) * 60 + end.minute]
    for days in (0, 1):
        for minutes in sorted(options):
            candidate = at(local_start.date() + timedelta(days=days), minutes, zone)
            if start < candidate <= start + MAX_CLOCK_END:
                return candidate
    raise NoParse("the end is not after the start")


def _align_start(reading: Reading, clock: Clock, zone: ZoneInfo, end: datetime) -> Reading:
    """`11-1pm` is 11 AM to 1 PM, `3-4pm` 3 PM to 4 PM: the start is its latest reading before the end."""
    assert reading.start is not None
    local = reading.start.astimezone(zone)
    hour = clock.hour % 12
    options = [at(local.date(), h * 60 + clock.minute, zone) for h in (hour, hour + 12)]
    before = [option for option in options if option < end]
    return replace(reading, start=max(before)) if before else reading
