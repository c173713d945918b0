"""People the bot has met: their Slack profile, their CRM user, their preferences."""

from __future__ import annotations

from typing import Any

from bot.store.database import Database

PROFILE = ("team_id", "name", "tz", "email", "refreshed_at", "guest")


class PeopleQueries(Database):
    def person_row(self, slack_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM users WHERE slack_id = :slack_id", slack_id=slack_id)

    def keep_profile(self, slack_id: str, profile: dict[str, Any], forget_crm_user: bool) -> None:
        """Store what Slack says of a person (a changed email unlinks their CRM user unless an admin linked it)."""
        values = {"slack_id": slack_id, **{key: profile.get(key) for key in PROFILE}}
        updates = ", ".join(f"{key} = excluded.{key}" for key in PROFILE)
        if forget_crm_user:
            updates += ", lsq_user_id = NULL"
        self._write(f"INSERT INTO users (slack_id, {', '.join(PROFILE)}) VALUES (:slack_id, "
                    f"{', '.join(':' + key for key in PROFILE)}) ON CONFLICT (slack_id) DO UPDATE SET {updates}",
                    **values)

    def update_person(self, slack_id: str, **changes: Any) -> None:
        self._update("users", "slack_id", slack_id, changes)

    def slack_id_for_crm_user(self, crm_user_id: str) -> str | None:
        return self._scalar("SELECT slack_id FROM users WHERE lsq_user_id = :id", id=crm_user_id)

    def slack_id_for_email(self, email: str) -> str | None:
        return self._scalar("SELECT slack_id FROM users WHERE lower(coalesce(email_override, email)) = :email",
                            email=email.lower())
