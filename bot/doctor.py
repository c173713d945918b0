"""`taskbot doctor`: every setting and connection checked, with the fix for each failure."""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlsplit

import yaml
from rich.console import Console
from rich.table import Table
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import SystemClock
from bot.config import Settings, SettingsError, load_settings, require_for_run, unknown_variables
from bot.crm.errors import BadKeys, CRMError, ServerError
from bot.store import newest_revision, revision_of
from bot.webhooks import webhook_url

MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"


@dataclass
class Check:
    name: str
    passed: bool
    detail: str
    fix: str = ""
    required: bool = True


def manifest_scopes() -> set[str]:
    return set(yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])


async def unresolvable(name: str, variable: str, url: str) -> Check | None:
    """A host that DNS does not know is a typo or a wrong region, not something that passes with time."""
    host = urlparse(url).hostname or url
    try:
        await asyncio.get_running_loop().getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return Check(name, False, f"cannot find the host {host} (DNS lookup failed)",
                     f"check {variable} for typos, and that this machine's DNS resolves it")
    return None


def unreachable(name: str, variable: str, url: str, error: CRMError) -> Check:
    """A CRM call that failed: a connection that could not be made says where, not "try again"."""
    host = urlparse(url).netloc
    if isinstance(error, ServerError) and error.detail in ("ConnectError", "ConnectTimeout", "PoolTimeout"):
        return Check(name, False, f"cannot connect to {host} ({error.detail})",
                     f"check {variable}, and that a firewall or proxy lets this machine reach {host}")
    return Check(name, False, error.message, f"check {variable} and the network")


async def check_slack(settings: Settings) -> list[Check]:
    if settings.slack_bot_token is None:
        return []
    not_found = await unresolvable("Slack auth.test", "SLACK_API_URL", settings.slack_api_url)
    if not_found:
        return [not_found]
    client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url)
    try:
        response = await asyncio.wait_for(client.auth_test(), timeout=10)
    except SlackApiError as error:
        return [Check("Slack auth.test", False, f"Slack said {error.response.get('error')}",
                      "check SLACK_BOT_TOKEN; reinstall the app to the workspace if it was revoked")]
    except (OSError, asyncio.TimeoutError) as error:
        host = urlparse(settings.slack_api_url).netloc
        return [Check("Slack auth.test", False, f"cannot connect to {host} ({type(error).__name__})",
                      f"check SLACK_API_URL, and that a firewall or proxy lets this machine reach {host}")]
    checks = [Check("Slack auth.test", True, f"bot {response.get('user')} in team {response.get('team')}")]
    granted = {scope.strip() for scope in (response.headers.get("x-oauth-scopes") or "").split(",") if scope}
    missing = sorted(manifest_scopes() - granted)
    checks.append(Check("Slack scopes", not missing,
                        "all manifest scopes granted" if not missing else "missing: " + ", ".join(missing),
                        "add the scopes from manifest.yml (OAuth & Permissions) and reinstall the app"))
    return checks


def check_settings() -> tuple[Settings | None, list[Check]]:
    """Well formed, nothing missing or half set, no likely typos; then the mode it would run in."""
    typos = [Check(problem.variable, False, problem.reason, problem.fix, required=False)
             for problem in unknown_variables()]
    try:
        settings = load_settings()
    except SettingsError as error:
        return None, [Check(problem.variable, False, problem.reason, problem.fix) for problem in error.problems] + typos
    missing = [Check(problem.variable, False, problem.reason, problem.fix) for problem in require_for_run(settings)]
    checks = [Check("settings", True, "every variable is well formed"), *missing, *typos]
    if settings.slack_bot_token is not None and (settings.socket_mode or settings.slack_signing_secret):
        checks.append(Check("mode", True, "Socket Mode" if settings.socket_mode
                            else f"HTTP mode on port {settings.port}"))
    return settings, checks


async def check_database(settings: Settings) -> Check:
    """Looks without touching: a missing file is not created, an old schema is not upgraded."""

    if settings.database_url is not None:
        return await asyncio.to_thread(_check_postgres, settings.database_url.get_secret_value(), newest_revision())
    path = settings.taskbot_db
    fix = "point TASKBOT_DB at a file in a folder this user can write"
    if not path.exists():
        folder = path.resolve().parent
        if folder.is_dir() and os.access(folder, os.W_OK):
            return Check("database", True, f"{path} does not exist yet; it is created at start-up")
        return Check("database", False, f"{path} cannot be created: {folder} is not a writable folder", fix)
    try:
        header = path.read_bytes()[:100] if path.is_file() else b""
    except OSError as error:
        return Check("database", False, f"{path}: {error.strerror}", fix)
    if not header.startswith(b"SQLite format 3\0"):
        return Check("database", False, f"{path} is not a SQLite database", fix)
    if not os.access(path, os.W_OK):
        return Check("database", False, f"{path} is read-only for this user", fix)
    return Check("database", True, f"{path} ({_schema(revision_of(path), newest_revision())})")


def _check_postgres(url: str, newest: str) -> Check:
    from sqlalchemy.exc import SQLAlchemyError

    where = _without_password(url)
    try:
        revision = revision_of(url)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return Check("database", False, f"{where}: {reason}",
                     "check DATABASE_URL (host, port, user, password, database) and that the server is reachable")
    return Check("database", True, f"PostgreSQL {where} ({_schema(revision, newest)})")


def _schema(revision: str | None, newest: str) -> str:
    if revision is None:
        return f"no schema yet; created at start-up as v{int(newest)}"
    upgrade = f"; upgraded in place to v{int(newest)} at start-up" if revision != newest else ""
    return f"schema v{int(revision)}{upgrade}"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    host = f"{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
    return f"{host}{parts.path}"


async def collect() -> list[Check]:
    settings, checks = check_settings()
    if settings is None:
        return checks
    checks.append(await check_database(settings))
    checks += await check_slack(settings)
    checks += await crm_checks(settings)
    return checks


async def check_leadsquared(settings: Settings) -> list[Check]:
    """The keys work, and LSQ_API_URL is the account's own regional host."""
    from bot.crm.leadsquared import LeadSquared

    assert settings.lsq_access_key and settings.lsq_secret_key
    not_found = await unresolvable("LeadSquared keys", "LSQ_API_URL", settings.lsq_api_url)
    if not_found:
        return [not_found]
    client = LeadSquared(settings.lsq_api_url, settings.lsq_access_key.get_secret_value(),
                         settings.lsq_secret_key.get_secret_value(), SystemClock(), timeout=10, attempts=2)
    try:
        owner = await client.whoami()
    except BadKeys as error:
        return [Check("LeadSquared keys", False, error.message,
                      "copy both keys from LeadSquared > My Profile > Settings > API and Webhooks")]
    except CRMError as error:
        return [unreachable("LeadSquared keys", "LSQ_API_URL", settings.lsq_api_url, error)]
    finally:
        await client.aclose()
    checks = [Check("LeadSquared keys", True, f"keys of {owner.EmailAddress or owner.Id} ({owner.Role or 'user'})")]
    configured = urlparse(settings.lsq_api_url).netloc
    if owner.api_host and owner.api_host != configured:
        checks.append(Check("LeadSquared host", False, f"your account lives on {owner.api_host}, not {configured}",
                            f"set LSQ_API_URL=https://{owner.api_host}/v2/"))
    else:
        checks.append(Check("LeadSquared host", True, configured))
    return checks


async def crm_checks(settings: Settings) -> list[Check]:
    """Each CRM with both keys is tried for real; without keys it is a sandbox only when asked for."""
    checks = []
    if not settings.lsq_is_sandbox:
        checks += await check_leadsquared(settings)
        url = webhook_url(settings)
        checks.append(Check("LeadSquared webhook", True,
                            f"register {url} for task create, update, complete and reminder" if url
                            else "set PUBLIC_URL and TASKBOT_WEBHOOK_SECRET to keep reminders in step with tasks "
                            "made in LeadSquared",
                            required=False))
    elif settings.taskbot_sandbox and settings.lsq_access_key is None and settings.lsq_secret_key is None:
        checks.append(Check("LeadSquared", False, "the built-in sandbox (TASKBOT_SANDBOX=1): tasks are not real",
                            "set LSQ_ACCESS_KEY and LSQ_SECRET_KEY for your account", required=False))
    if not settings.ghl_is_sandbox:
        checks += await check_highlevel(settings)
    elif settings.taskbot_sandbox and settings.ghl_token is None and settings.ghl_location_id is None:
        checks.append(Check("HighLevel", False, "the built-in sandbox (TASKBOT_SANDBOX=1): bookings are not real",
                            "set GHL_TOKEN and GHL_LOCATION_ID for your account", required=False))
    return checks


async def check_highlevel(settings: Settings) -> list[Check]:
    """The token opens the location's calendars, and GHL_CALENDAR_ID is one of them."""
    from bot.crm.highlevel import HighLevel

    not_found = await unresolvable("HighLevel token", "GHL_API_URL", settings.ghl_api_url)
    if not_found:
        return [not_found]
    client = HighLevel.from_settings(settings, SystemClock(), timeout=10, attempts=2)
    try:
        calendars = await client.calendars()
    except BadKeys as error:
        return [Check("HighLevel token", False, error.message,
                      "create a Private Integration token with calendars, contacts and users scopes")]
    except CRMError as error:
        return [unreachable("HighLevel token", "GHL_API_URL", settings.ghl_api_url, error)]
    finally:
        await client.aclose()
    checks = [Check("HighLevel token", True, f"{len(calendars)} calendars in location {settings.ghl_location_id}")]
    known = {calendar.id: calendar for calendar in calendars}
    if settings.ghl_calendar_id and settings.ghl_calendar_id not in known:
        names = ", ".join(f"{c.name} ({c.id})" for c in calendars) or "none"
        checks.append(Check("HighLevel calendar", False, f"GHL_CALENDAR_ID {settings.ghl_calendar_id} is not in "
                            "this location", f"use one of: {names}"))
    elif calendars:
        default = known.get(settings.ghl_calendar_id or "") or calendars[0]
        checks.append(Check("HighLevel calendar", True, f"/meet books on {default.name} by default "
                            f"({default.slot_minutes}-minute slots)"))
    return checks


def render(checks: list[Check], console: Console) -> None:
    table = Table(title="taskbot doctor")
    for column in ("check", "result", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for check in checks:
        result = "[green]pass[/]" if check.passed else ("[red]FAIL[/]" if check.required else "[yellow]warn[/]")
        table.add_row(check.name, result, check.detail, "" if check.passed else check.fix)
    console.print(table)


def run_doctor(console: Console | None = None) -> int:
    checks = asyncio.run(collect())
    render(checks, console or Console())
    return 1 if any(not check.passed and check.required for check in checks) else 0
