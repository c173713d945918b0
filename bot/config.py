"""Settings from the environment and `.env`.

Every setting has one name, one meaning and one place where an admin learns how to get it, so a
bad value stops start-up with a line that says exactly what to fix.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WHERE_TO_GET: dict[str, str] = {
    "SLACK_BOT_TOKEN": "api.slack.com/apps > your app > OAuth & Permissions > Bot User OAuth Token (xoxb-...)",
    "SLACK_SIGNING_SECRET": "api.slack.com/apps > your app > Basic Information > App Credentials > Signing Secret",
    "SLACK_APP_TOKEN": "api.slack.com/apps > your app > Basic Information > App-Level Tokens "
    "(scope connections:write, xapp-...)",
    "SLACK_API_URL": "leave unset for Slack itself; a Slack-compatible server's base URL ending in /api/",
    "PORT": "any free TCP port for HTTP mode, e.g. 3000",
    "PUBLIC_URL": "the https:// address Slack and the CRMs reach this server at",
    "LSQ_API_URL": "LeadSquared > My Profile > Settings > API and Webhooks (region host + /v2/)",
    "LSQ_ACCESS_KEY": "LeadSquared > My Profile > Settings > API and Webhooks > Access Key",
    "LSQ_SECRET_KEY": "LeadSquared > My Profile > Settings > API and Webhooks > Secret Key",
    "LSQ_RATE_LIMIT": "your LeadSquared plan's limit as calls/window, e.g. 25/5s",
    "LSQ_BULK_RATE_LIMIT": "your LeadSquared plan's bulk limit as calls/window, e.g. 1/5s",
    "LSQ_APP_URL": "the LeadSquared web app address your team signs in at",
    "LSQ_DEFAULT_TODO_TYPE": "the name of a LeadSquared to-do task type, e.g. Follow Up",
    "LSQ_DEFAULT_APPOINTMENT_TYPE": "the name of a LeadSquared appointment task type, e.g. Meeting",
    "GHL_API_URL": "leave unset for https://services.leadconnectorhq.com",
    "GHL_TOKEN": "HighLevel sub-account > Settings > Private Integrations > token",
    "GHL_LOCATION_ID": "HighLevel sub-account > Settings > Business Profile > Location ID",
    "GHL_CALENDAR_ID": "HighLevel > Calendars > Calendar settings > the calendar's id",
    "GHL_COMPANY_ID": "HighLevel agency > Settings > Company ID (optional; lets one search find a calendar's team)",
    "TASKBOT_SANDBOX": "1 to run against the built-in LeadSquared and HighLevel sandboxes where keys are unset",
    "TASKBOT_DB": "a writable file path, e.g. ./taskbot.db",
    "DATABASE_URL": "postgresql://user:password@host:5432/taskbot (unset: the SQLite file TASKBOT_DB)",
    "TASKBOT_ADMINS": "comma-separated Slack member ids (profile > ... > Copy member ID)",
    "DEFAULT_TZ": "an IANA zone name such as America/New_York",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "LOG_FORMAT": "text or json",
    "TASKBOT_BULK_USERS": "comma-separated Slack member ids allowed to run /bulktasks besides the admins",
    "TASKBOT_WEBHOOK_SECRET": "a long random string, e.g. the output of `openssl rand -hex 32`",
    "TASKBOT_RETENTION_DAYS": "whole days to keep finished work, e.g. 90",
    "TASKBOT_USER_RATE": "commands and shortcuts one person may send, as calls/window, e.g. 10/30s",
    "TASKBOT_DATE_ORDER": "MDY (3/12 is March 12) or DMY (3/12 is 12 March); unset: by each person's time zone",
}

ENV_FILE = Path(".env")
DATABASE_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://", "sqlite:///")
OUR_PREFIXES = ("SLACK_", "LSQ_", "GHL_", "TASKBOT_")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*$")


@dataclass(frozen=True)
class RateLimit:
    """`calls` per `seconds`, as written `25/5s`."""

    calls: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        match = _RATE.match(text)
        if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
            raise ValueError(f"expected calls/window such as 25/5s, got {text!r}")
        return cls(int(match.group(1)), float(match.group(2)))

    def __str__(self) -> str:
        return f"{self.calls}/{self.seconds:g}s"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = 3000
    public_url: str | None = None

    lsq_api_url: str = "https://api.leadsquared.com/v2/"
    lsq_access_key: SecretStr | None = None
    lsq_secret_key: SecretStr | None = None
    lsq_rate_limit: str = "25/5s"
    lsq_bulk_rate_limit: str = "25/5s"
    lsq_app_url: str = "https://run.leadsquared.com"
    lsq_default_todo_type: str | None = None
    lsq_default_appointment_type: str | None = None

    ghl_api_url: str = "https://services.leadconnectorhq.com"
    ghl_token: SecretStr | None = None
    ghl_location_id: str | None = None
    ghl_calendar_id: str | None = None
    ghl_company_id: str | None = None

    taskbot_sandbox: bool = False
    taskbot_db: Path = Path("./taskbot.db")
    database_url: SecretStr | None = None
    taskbot_admins: str = ""
    default_tz: str = "UTC"
    log_level: str = "INFO"
    log_format: str = "text"
    taskbot_bulk_users: str = ""
    taskbot_webhook_secret: SecretStr | None = None
    taskbot_retention_days: int = Field(default=90, ge=1)
    taskbot_user_rate: str = "10/30s"
    taskbot_date_order: Literal["MDY", "DMY"] | None = None

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("a bot token starts with xoxb-")
        return value or None

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp-")
        return value or None

    @field_validator("slack_signing_secret", "lsq_access_key", "lsq_secret_key", "ghl_token", "taskbot_webhook_secret")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @field_validator("ghl_location_id", "ghl_calendar_id", "ghl_company_id")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("port", mode="before")
    @classmethod
    def _port_number(cls, value: Any) -> int:
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise ValueError(f"expected a port number from 1 to 65535, got {text!r}")
        return int(text)

    @field_validator("taskbot_sandbox", mode="before")
    @classmethod
    def _switch(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in _TRUE | _FALSE:
            raise ValueError(f"expected 1 or 0, got {text!r}")
        return text in _TRUE

    @field_validator("slack_api_url", "lsq_api_url", "ghl_api_url", "lsq_app_url", "public_url")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value

    @field_validator("slack_api_url", "lsq_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("lsq_rate_limit", "lsq_bulk_rate_limit", "taskbot_user_rate")
    @classmethod
    def _rate_shape(cls, value: str) -> str:
        RateLimit.parse(value)
        return value

    @field_validator("default_tz")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_kind(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(DATABASE_SCHEMES):
            raise ValueError("a PostgreSQL URL starts with postgresql:// (or leave it unset for SQLite)")
        return value

    @property
    def database(self) -> str | Path:
        """Where the store lives: DATABASE_URL when set, else the SQLite file."""
        return self.database_url.get_secret_value() if self.database_url else self.taskbot_db

    @field_validator("taskbot_date_order", mode="before")
    @classmethod
    def _order_known(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper() or None
        if value not in (None, "MDY", "DMY"):
            raise ValueError(f"expected MDY or DMY, got {value!r}")
        return value

    @field_validator("log_level")
    @classmethod
    def _level_known(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"unknown level {value!r}")
        return value.upper()

    @field_validator("log_format")
    @classmethod
    def _format_known(cls, value: str) -> str:
        if value.lower() not in {"text", "json"}:
            raise ValueError(f"expected text or json, got {value!r}")
        return value.lower()

    @field_validator("taskbot_admins", "taskbot_bulk_users")
    @classmethod
    def _admin_ids(cls, value: str) -> str:
        for member in filter(None, (part.strip() for part in value.split(","))):
            if not re.match(r"^[UW][A-Z0-9]{2,}$", member):
                raise ValueError(f"{member!r} is not a Slack member id (U... or W...)")
        return value

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.taskbot_admins.split(",") if part.strip())

    @property
    def bulk_users(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.taskbot_bulk_users.split(",") if part.strip())

    @property
    def lsq_limit(self) -> RateLimit:
        return RateLimit.parse(self.lsq_rate_limit)

    @property
    def lsq_bulk_limit(self) -> RateLimit:
        return RateLimit.parse(self.lsq_bulk_rate_limit)

    @property
    def lsq_is_sandbox(self) -> bool:
        return not (self.lsq_access_key and self.lsq_secret_key)

    @property
    def ghl_is_sandbox(self) -> bool:
        return not (self.ghl_token and self.ghl_location_id)

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def secret_values(self) -> list[str]:
        """Every configured secret, for log scrubbing and tests that prove none leaks."""
        secrets = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token,
                   self.lsq_access_key, self.lsq_secret_key, self.ghl_token, self.taskbot_webhook_secret,
                   self.database_url)
        values = [secret.get_secret_value() for secret in secrets if secret is not None]
        password = urlsplit(self.database_url.get_secret_value()).password if self.database_url else None
        return values + ([unquote(password)] if password else [])


@dataclass(frozen=True)
class Problem:
    """One thing an admin must fix: the variable, what is wrong, and what to do about it."""

    variable: str
    reason: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.variable}: {self.reason}" + (f" ({self.fix})" if self.fix else "")


class SettingsError(Exception):
    """Start-up cannot go on: one line per problem, each naming the variable and where to get it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _problem(variable: str, reason: str) -> Problem:
    where = WHERE_TO_GET.get(variable)
    return Problem(variable, reason, f"get it from {where}" if where else "")


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one plain line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            variable = str(item["loc"][0]).upper() if item["loc"] else "settings"
            problems.append(_problem(variable, str(item["msg"]).removeprefix("Value error, ")))
        raise SettingsError(problems) from None


CRM_KEYS = {"LeadSquared": ("LSQ_ACCESS_KEY", "LSQ_SECRET_KEY"), "HighLevel": ("GHL_TOKEN", "GHL_LOCATION_ID")}


def half_set(settings: Settings) -> list[Problem]:
    """A CRM with one of its two keys: never a silent sandbox, always a mistake to name."""
    problems = []
    for crm, names in CRM_KEYS.items():
        present = [name for name in names if getattr(settings, name.lower()) is not None]
        if len(present) == 1:
            missing = next(name for name in names if name not in present)
            problems.append(Problem(missing, f"not set, but {present[0]} is: {crm} needs both",
                                    f"get it from {WHERE_TO_GET[missing]}"))
    return problems


def require_for_run(settings: Settings) -> list[Problem]:
    """Everything `taskbot run` needs to serve a real workspace; a sandbox only with TASKBOT_SANDBOX=1."""
    problems = []
    if settings.slack_bot_token is None:
        problems.append(_problem("SLACK_BOT_TOKEN", "not set"))
    if not settings.socket_mode and settings.slack_signing_secret is None:
        problems.append(_problem("SLACK_SIGNING_SECRET", "not set; HTTP mode needs it (or set SLACK_APP_TOKEN for "
                                 "Socket Mode)"))
    problems += half_set(settings)
    for crm, names in CRM_KEYS.items():
        if settings.taskbot_sandbox or any(getattr(settings, name.lower()) is not None for name in names):
            continue
        problems += [Problem(name, "not set", f"get it from {WHERE_TO_GET[name]}; or set TASKBOT_SANDBOX=1 to "
                             f"run against the built-in {crm} sandbox") for name in names]
    return problems


def known_variables() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def unknown_variables(environ: Mapping[str, str] | None = None, env_file: Path = ENV_FILE) -> list[Problem]:
    """Variables that look like ours but are not: most often a typo that leaves a setting unset."""
    names = set(os.environ if environ is None else environ)
    if env_file.is_file():
        names |= {name for name in dotenv_values(env_file) if name}
    known = known_variables()
    problems = []
    for name in sorted(names):
        upper = name.upper()
        if upper.startswith(OUR_PREFIXES) and upper not in known:
            close = difflib.get_close_matches(upper, sorted(known), n=1, cutoff=0.6)
            problems.append(Problem(name, "not a Taskbot setting, so it is ignored",
                                    f"did you mean {close[0]}?" if close else "remove it, or see .env.example"))
    return problems


def missing_slack_credentials() -> list[str]:
    """What an admin must set before `taskbot run` can talk to a real Slack workspace."""
    return [str(_problem(name, "not set")) for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")] + [
        str(_problem("SLACK_APP_TOKEN", "optional: set it for Socket Mode (no public URL needed)"))
    ]
