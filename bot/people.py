"""Who a Slack user is to the bot: name, time zone, email, and (once linked) their CRM user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.store import Store, iso, parse_iso

PROFILE_TTL = timedelta(hours=12)


@dataclass(frozen=True)
class Person:
    slack_id: str
    name: str
    tz: str
    email: str | None
    tz_from_profile: bool = True


class People:
    """Slack profiles cached in SQLite, so a modal opens without waiting on users.info."""

    def __init__(self, store: Store, slack: AsyncWebClient, default_tz: str, clock: Clock):
        self.store = store
        self.slack = slack
        self.default_tz = default_tz
        self.clock = clock

    async def get(self, slack_id: str) -> Person:
        row = self._row(slack_id)
        fresh = row and row["refreshed_at"] and (
            self.clock.now() - parse_iso(row["refreshed_at"]) < PROFILE_TTL)
        if not fresh:
            await self.refresh(slack_id)
            row = self._row(slack_id)
        assert row is not None
        return self._person(row)

    async def refresh(self, slack_id: str) -> None:
        response = await self.slack.users_info(user=slack_id)
        user = response["user"]
        profile = user.get("profile") or {}
        self.store.db["users"].upsert({
            "slack_id": slack_id,
            "team_id": user.get("team_id"),
            "name": profile.get("display_name") or user.get("real_name") or user.get("name") or slack_id,
            "tz": user.get("tz"),
            "email": profile.get("email"),
            "refreshed_at": iso(self.clock.now()),
        }, pk="slack_id")

    def _row(self, slack_id: str) -> dict | None:
        rows = list(self.store.db["users"].rows_where("slack_id = ?", [slack_id]))
        return rows[0] if rows else None

    def _person(self, row: dict) -> Person:
        tz, from_profile = row["tz"], True
        try:
            ZoneInfo(tz or "")
        except (ZoneInfoNotFoundError, ValueError):
            tz, from_profile = self.default_tz, False
        email = row["email_override"] or row["email"]
        return Person(row["slack_id"], row["name"], tz, email, from_profile)
