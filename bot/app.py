"""Composition root: settings in, a wired Bolt app and its services out."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from starlette.routing import BaseRoute

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.middleware import TaskbotBolt, install
from bot.people import People
from bot.store import Store

log = logging.getLogger("taskbot")


@dataclass
class Services:
    """Everything a listener may call; built once per process."""

    settings: Settings
    clock: Clock
    store: Store
    slack: AsyncWebClient
    people: People

    @property
    def notices(self) -> list[str]:
        """What an admin should know about how this instance runs (shown in help and at start-up)."""
        notes = []
        if self.settings.lsq_is_sandbox:
            notes.append("LeadSquared: sandbox (no LSQ_ACCESS_KEY / LSQ_SECRET_KEY set)")
        if self.settings.ghl_is_sandbox:
            notes.append("HighLevel: sandbox (no GHL_TOKEN / GHL_LOCATION_ID set)")
        return notes


class Taskbot:
    """The bot: its services, its Bolt app and the background work that outlives a request."""

    def __init__(self, settings: Settings, clock: Clock | None = None):
        self.settings = settings
        clock = clock or SystemClock()
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        slack = AsyncWebClient(token=token, base_url=settings.slack_api_url,
                               retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)])
        store = Store(settings.taskbot_db, clock)
        self.services = Services(
            settings=settings, clock=clock, store=store, slack=slack,
            people=People(store, slack, settings.default_tz, clock),
        )
        signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        self.bolt = TaskbotBolt(client=slack, signing_secret=signing_secret,
                                request_verification_enabled=not settings.socket_mode,
                                logger=logging.getLogger("taskbot.bolt"))
        install(self.bolt, store, self.services)
        handlers.register(self.bolt)
        self._serving_tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._serving_tasks = set(asyncio.all_tasks())
        for notice in self.services.notices:
            log.info(notice)

    def webhook_routes(self) -> list[BaseRoute]:
        """Routes the CRMs call back on (served in HTTP mode)."""
        return []

    async def stop(self) -> None:
        await drain(exclude=self._serving_tasks)
        self.services.store.close()
        log.info("stopped: in-flight work finished, database closed")


async def drain(exclude: set[asyncio.Task] | None = None, timeout: float = 10.0) -> None:
    """Let work that started after an ack (CRM calls, posts) finish before the loop closes."""
    skip = (exclude or set()) | {asyncio.current_task()}
    pending = [task for task in asyncio.all_tasks() if task not in skip and not task.done()]
    if pending:
        await asyncio.wait(pending, timeout=timeout)
