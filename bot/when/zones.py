"""Zones and local wall times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.when.notes import DateOrder

MONTH_FIRST_ZONES = ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu")


@lru_cache(maxsize=128)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def at(day: date, minutes: int, zone: ZoneInfo, second: int = 0) -> datetime:
    """Local wall time as UTC (minutes from the day's midnight; 1440 is the next midnight). A time inside
    a spring-forward gap moves forward by the gap (C1)."""
    days, minute_of_day = divmod(minutes, 1440)
    wall = time(minute_of_day // 60, minute_of_day % 60, second)
    return datetime.combine(day + timedelta(days=days), wall, tzinfo=zone).astimezone(UTC)


def house_order(tz: str) -> DateOrder:
    """C11: month/day in the Americas and UTC, day/month everywhere else."""
    return "MDY" if tz.startswith(("America/", "US/")) or tz in MONTH_FIRST_ZONES else "DMY"


def day_first(tz: str) -> bool:
    return house_order(tz) == "DMY"
