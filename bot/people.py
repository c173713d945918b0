"""Who a Slack user is to the bot: name, time zone, email, and their LeadSquared user.

Profiles and CRM links are kept in the store, so opening a modal waits on neither Slack nor the CRM.
People are matched to LeadSquared by email; an admin can link someone whose emails differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.crm.leadsquared import LeadSquared
from bot.store import Store, iso, parse_iso
from bot.when import DateOrder, house_order

PROFILE_TTL = timedelta(hours=12)


@dataclass(frozen=True)
class Person:
    slack_id: str
    name: str
    tz: str
    email: str | None
    tz_from_profile: bool = True
    email_overridden: bool = False
    guest: bool = False
    date_order: DateOrder | None = None  # their own choice on Home; None follows the workspace, then the zone


@dataclass(frozen=True)
class CrmUser:
    id: str
    email: str
    name: str


def date_order(choice: DateOrder | None, workspace: DateOrder | None, tz: str) -> DateOrder:
    """How to read a numeric date like 3/12: the person's own choice, else the workspace's
    (TASKBOT_DATE_ORDER), else what their zone suggests (C11)."""
    return choice or workspace or house_order(tz)


class People:
    def __init__(self, store: Store, slack: AsyncWebClient, lsq: LeadSquared, default_tz: str, clock: Clock,
                 workspace_order: DateOrder | None = None):
        self.store = store
        self.slack = slack
        self.lsq = lsq
        self.default_tz = default_tz
        self.clock = clock
        self.workspace_order = workspace_order

    def date_order(self, person: Person) -> DateOrder:
        """The order this person's numeric dates are read in."""
        return date_order(person.date_order, self.workspace_order, person.tz)

    async def get(self, slack_id: str) -> Person:
        row = self._row(slack_id)
        if not self._fresh(row):
            await self.refresh(slack_id)
            row = self._row(slack_id)
        assert row is not None
        return self._person(row)

    def cached(self, slack_id: str) -> Person | None:
        row = self._row(slack_id)
        return self._person(row) if row and row["refreshed_at"] else None

    async def refresh(self, slack_id: str) -> None:
        response = await self.slack.users_info(user=slack_id)
        user = response["user"]
        profile = user.get("profile") or {}
        email = profile.get("email")
        previous = self._row(slack_id)
        self.store.keep_profile(slack_id, {
            "team_id": user.get("team_id"),
            "name": profile.get("display_name") or user.get("real_name") or user.get("name") or slack_id,
            "tz": user.get("tz"), "email": email, "refreshed_at": iso(self.clock.now()),
            "guest": int(bool(user.get("is_restricted") or user.get("is_ultra_restricted"))),
        }, forget_crm_user=bool(previous and previous["email"] != email and not previous["email_override"]))

    async def crm_user(self, slack_id: str) -> CrmUser | None:
        """The active LeadSquared user behind this Slack user, or None when there is none."""
        person = await self.get(slack_id)
        row = self._row(slack_id)
        if row and row["lsq_user_id"] and row["lsq_email"] == (person.email or "").lower():
            return CrmUser(row["lsq_user_id"], row["lsq_email"], row["lsq_name"] or row["lsq_email"])
        if not person.email:
            return None
        user = await self.lsq.user_by_email(person.email)
        if user is None:
            return None
        self.store.update_person(slack_id, lsq_user_id=user.ID, lsq_email=user.EmailAddress.lower(),
                                 lsq_name=user.name)
        return CrmUser(user.ID, user.EmailAddress.lower(), user.name)

    def cached_crm_user(self, slack_id: str) -> CrmUser | None:
        row = self._row(slack_id)
        if row and row["lsq_user_id"]:
            return CrmUser(row["lsq_user_id"], row["lsq_email"], row["lsq_name"] or row["lsq_email"])
        return None

    async def link(self, slack_id: str, email: str) -> CrmUser | None:
        """An admin says who this person is in the CRM; None when that email has no active user."""
        await self.get(slack_id)
        self.store.update_person(slack_id, email_override=email.strip().lower(), lsq_user_id=None)
        return await self.crm_user(slack_id)

    def slack_id_for_crm_user(self, crm_user_id: str | None) -> str | None:
        """Whose LeadSquared user this is, among the people the bot has met."""
        if not crm_user_id:
            return None
        return self.store.slack_id_for_crm_user(crm_user_id)

    def slack_id_for_email(self, email: str | None) -> str | None:
        """Who has this email (their Slack profile's or the one an admin linked), among people the bot has met."""
        if not email:
            return None
        return self.store.slack_id_for_email(email)

    def set_preferences(self, slack_id: str, **preferences: object) -> None:
        self.store.update_person(slack_id, **preferences)

    def preferences(self, slack_id: str) -> dict:
        row = self._row(slack_id) or {}
        return {"reminder_appt_minutes": row.get("reminder_appt_minutes"),
                "reminder_todo_time": row.get("reminder_todo_time"), "digest_enabled": bool(row.get("digest_enabled")),
                "home_seen": bool(row.get("home_seen")),
                "date_order": row.get("date_order")}

    def _fresh(self, row: dict | None) -> bool:
        return bool(row and row["refreshed_at"] and self.clock.now() - parse_iso(row["refreshed_at"]) < PROFILE_TTL)

    def _row(self, slack_id: str) -> dict | None:
        return self.store.person_row(slack_id)

    def _person(self, row: dict) -> Person:
        tz, from_profile = row["tz"], True
        try:
            ZoneInfo(tz or "")
        except (ZoneInfoNotFoundError, ValueError):
            tz, from_profile = self.default_tz, False
        email = row["email_override"] or row["email"]
        return Person(row["slack_id"], row["name"], tz, email, from_profile, bool(row["email_override"]),
                      bool(row.get("guest")), row.get("date_order"))
