"""Typeahead options (block_suggestion): answered inside Slack's 3 s, with nothing when the CRM is slower."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.crm.errors import CRMError
from bot.ui.ids import Field, MeetField
from handlers.context import services

OPTIONS_SECONDS = 2.5


async def answer(ack: Any, found: Awaitable[list[dict[str, Any]]]) -> None:
    """The options found, or none when the CRM fails or would outlast the ack (the rep types on)."""
    try:
        await ack(options=await asyncio.wait_for(found, OPTIONS_SECONDS))
    except (CRMError, asyncio.TimeoutError):
        await ack(options=[])


async def searchable(ack: Any, body: dict[str, Any], context: Any,
                     search: Callable[[], Awaitable[list[dict[str, Any]]]]) -> None:
    """Options only for people who may search the CRM (no guests, an active CRM user); the search starts
    only once that is known."""
    if not services(context).permissions.may_search(body["user"]["id"]):
        await ack(options=[])
        return
    await answer(ack, search())


async def leads(ack: Any, payload: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    await searchable(ack, body, context, lambda: services(context).forms.lead_options(payload.get("value") or ""))


async def opportunities(ack: Any, body: dict[str, Any], context: Any) -> None:
    await searchable(ack, body, context, lambda: services(context).forms.opportunity_options(body["view"]))


async def contacts(ack: Any, payload: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    await searchable(ack, body, context,
                     lambda: services(context).meet_forms.contact_options(payload.get("value") or ""))


def register(app: AsyncApp) -> None:
    app.options(MeetField.CONTACT)(contacts)
    app.options(Field.LEAD)(leads)
    app.options(Field.OPPORTUNITY)(opportunities)
