"""What most services share, so each one declares only what is its own."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.config import Settings
from bot.crm.leadsquared import LeadSquared
from bot.people import People
from bot.store import Store


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
