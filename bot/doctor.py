"""`taskbot doctor`: every setting and connection checked, with the fix for each failure."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import SystemClock
from bot.config import Settings, SettingsError, load_settings, require_for_http
from bot.crm.errors import BadKeys, CRMError
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


async def check_slack(settings: Settings) -> list[Check]:
    if settings.slack_bot_token is None:
        return [Check("Slack bot token", False, "SLACK_BOT_TOKEN is not set",
                      "set SLACK_BOT_TOKEN (OAuth & Permissions > Bot User OAuth Token), or use the console")]
    client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url)
    try:
        response = await asyncio.wait_for(client.auth_test(), timeout=10)
    except SlackApiError as error:
        return [Check("Slack auth.test", False, f"Slack said {error.response.get('error')}",
                      "check SLACK_BOT_TOKEN; reinstall the app to the workspace if it was revoked")]
    except (OSError, asyncio.TimeoutError) as error:
        return [Check("Slack auth.test", False, f"cannot reach {settings.slack_api_url} ({type(error).__name__})",
                      "check SLACK_API_URL and the network")]
    checks = [Check("Slack auth.test", True, f"bot {response.get('user')} in team {response.get('team')}")]
    granted = {scope.strip() for scope in (response.headers.get("x-oauth-scopes") or "").split(",") if scope}
    missing = sorted(manifest_scopes() - granted)
    checks.append(Check("Slack scopes", not missing,
                        "all manifest scopes granted" if not missing else "missing: " + ", ".join(missing),
                        "add the scopes from manifest.yml (OAuth & Permissions) and reinstall the app"))
    return checks


def check_settings() -> tuple[Settings | None, list[Check]]:
    try:
        settings = load_settings()
    except SettingsError as error:
        return None, [Check("settings", False, line) for line in error.problems]
    checks = [Check("settings", True, "every variable is well formed")]
    try:
        require_for_http(settings)
        mode = "Socket Mode" if settings.socket_mode else f"HTTP mode on port {settings.port}"
        checks.append(Check("mode", True, mode))
    except SettingsError as error:
        checks.append(Check("mode", False, error.problems[0], "set SLACK_SIGNING_SECRET or SLACK_APP_TOKEN"))
    return settings, checks


async def check_database(settings: Settings) -> Check:
    from bot.clock import SystemClock
    from bot.store import Store

    try:
        store = Store(settings.taskbot_db, SystemClock())
        version = store.schema_version
        store.close()
    except Exception as error:  # noqa: BLE001 - any failure here is the finding
        return Check("database", False, f"{settings.taskbot_db}: {error}", "point TASKBOT_DB at a writable file")
    return Check("database", True, f"{settings.taskbot_db} (schema v{version})")


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
    from urllib.parse import urlparse

    from bot.crm.leadsquared import LeadSquared

    assert settings.lsq_access_key and settings.lsq_secret_key
    client = LeadSquared(settings.lsq_api_url, settings.lsq_access_key.get_secret_value(),
                         settings.lsq_secret_key.get_secret_value(), SystemClock(), timeout=10, attempts=2)
    try:
        owner = await client.whoami()
    except BadKeys as error:
        return [Check("LeadSquared keys", False, error.message,
                      "copy both keys from LeadSquared > My Profile > Settings > API and Webhooks")]
    except CRMError as error:
        return [Check("LeadSquared keys", False, error.message, "check LSQ_API_URL and the network")]
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
    checks = []
    if settings.lsq_is_sandbox:
        checks.append(Check("LeadSquared", True, "sandbox (set LSQ_ACCESS_KEY and LSQ_SECRET_KEY for your account)",
                            required=False))
    else:
        checks += await check_leadsquared(settings)
        url = webhook_url(settings)
        checks.append(Check("LeadSquared webhook", True,
                            f"register {url} for task create, update, complete and reminder" if url
                            else "set PUBLIC_URL and TASKBOT_WEBHOOK_SECRET to keep reminders in step with tasks "
                            "made in LeadSquared",
                            required=False))
    if settings.ghl_is_sandbox:
        checks.append(Check("HighLevel", True, "sandbox (set GHL_TOKEN and GHL_LOCATION_ID for your account)",
                            required=False))
    else:
        checks += await check_highlevel(settings)
    return checks


async def check_highlevel(settings: Settings) -> list[Check]:
    """The token opens the location's calendars, and GHL_CALENDAR_ID is one of them."""
    from bot.crm.highlevel import HighLevel

    client = HighLevel.from_settings(settings, SystemClock(), timeout=10, attempts=2)
    try:
        calendars = await client.calendars()
    except BadKeys as error:
        return [Check("HighLevel token", False, error.message,
                      "create a Private Integration token with calendars, contacts and users scopes")]
    except CRMError as error:
        return [Check("HighLevel token", False, error.message, "check GHL_API_URL, GHL_LOCATION_ID and the network")]
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
