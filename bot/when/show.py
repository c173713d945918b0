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
    """`in 15 min`, `in 1 h 30 min`, `in 2 h`, `3 days ago`: for reminders, measured from when they are read."""
    seconds = (instant - now).total_seconds()
    ahead = seconds >= 0
    seconds = abs(seconds)
    if seconds < 60:
        text = "now" if seconds < 30 else "1 min"
    elif seconds < 3600:
        text = f"{round(seconds / 60)} min"
    elif seconds < 10 * 3600:
        hours, minutes = divmod(round(seconds / 300) * 5, 60)
        text = f"{hours} h" + (f" {minutes} min" if minutes else "")
    elif seconds < 86400:
        text = f"{round(seconds / 3600)} h"
    else:
        text = f"{round(seconds / 86400)} days" if seconds >= 1.5 * 86400 else "1 day"
    if text == "now":
        return text
    return f"in {text}" if ahead else f"{text} ago"


def due_relative(instant: datetime, now: datetime, future: str = "", present: str = "is due now",
                 past: str = "was due") -> str:
    """A reminder's wording from the moment it is sent, so one that arrives late says so truthfully."""
    said = relative(instant, now)
    if said == "now":
        return present
    return f"{future} {said}".strip() if instant > now else f"{past} {said}"
