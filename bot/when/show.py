"""Showing a time back: `Thu Mar 6, 3:00 PM PST`, Slack's date token, `in 15 min`."""

from __future__ import annotations

from datetime import datetime

from bot.when.zones import zone_of


def describe(instant: datetime, tz: str) -> str:
    """`Thu Mar 6, 3:00 PM PST`: how a phrase was read, in the rep's own zone."""
    local = instant.astimezone(zone_of(tz))
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
