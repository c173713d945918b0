"""Typeahead options (block_suggestion)."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.crm.errors import CRMError
from bot.ui.ids import Field, MeetField
from handlers.context import services


async def leads(ack: Any, payload: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    if not services(context).permissions.may_search(body["user"]["id"]):
        await ack(options=[])
        return
    try:
        await ack(options=await services(context).forms.lead_options(payload.get("value") or ""))
    except CRMError:
        await ack(options=[])


async def opportunities(ack: Any, body: dict[str, Any], context: Any) -> None:
    if not services(context).permissions.may_search(body["user"]["id"]):
        await ack(options=[])
        return
    try:
        await ack(options=await services(context).forms.opportunity_options(body["view"]))
    except CRMError:
        await ack(options=[])


async def contacts(ack: Any, payload: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    if not services(context).permissions.may_search(body["user"]["id"]):
        await ack(options=[])
        return
    try:
        await ack(options=await services(context).meet_forms.contact_options(payload.get("value") or ""))
    except CRMError:
        await ack(options=[])


def register(app: AsyncApp) -> None:
    app.options(MeetField.CONTACT)(contacts)
    app.options(Field.LEAD)(leads)
    app.options(Field.OPPORTUNITY)(opportunities)
