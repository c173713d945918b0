"""What most services share, so each one declares only what is its own."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.config import Settings
from bot.crm.leadsquared import LeadSquared
from bot.people import People
from bot.store import Store

log = logging.getLogger("taskbot.service")


@dataclass(eq=False)
class Service:
    """The database, the CRM, people, Slack, the settings and the clock."""

    store: Store
    lsq: LeadSquared
    people: People
    slack: AsyncWebClient
    settings: Settings
    clock: Clock

    def __post_init__(self) -> None:
        """Subclasses set up their own state here (the dataclass __init__ calls it)."""

    async def thread_note(self, channel: str, thread_ts: str, text: str) -> None:
        """A note in a confirmation's thread, after the change it tells of is made: a refusal (the bot left
        the channel, a passing error) is logged, and never turns the change into an apology."""
        try:
            await self.slack.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except SlackApiError as error:
            log.warning("thread note in %s not posted: %s", channel, error.response.get("error"))
