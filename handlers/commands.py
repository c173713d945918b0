"""Slash commands."""

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.list_request import ListRequestError, read_list_request
from bot.models import Kind
from bot.ui import messages
from bot.ui.ids import Command
from bot.ui.text import MENTION, escape, unescape
from handlers.context import services

MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")
EMAIL = re.compile(r"([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


async def todo(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    await _open(command, context, respond, Kind.TODO)


async def appt(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    await _open(command, context, respond, Kind.APPOINTMENT)


async def refused(refusal: str | None, respond: Any) -> bool:
    """Tell the person why not, if they may not; True when they were refused."""
    if refusal:
        await respond(text=refusal, response_type="ephemeral")
    return bool(refusal)


async def _open(command: dict[str, Any], context: Any, respond: Any, kind: Kind) -> None:
    if await refused(await services(context).permissions.may_create(command["user_id"]), respond):
        return
    await services(context).forms.open(trigger_id=command["trigger_id"], user_id=command["user_id"], kind=kind,
                                       text=command.get("text") or "", channel_id=command["channel_id"])


async def taskbot(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
    word, _, rest = unescape(command.get("text") or "").strip().partition(" ")
    bot = services(context)
    key = word.lower()
    if key in ("", "help"):
        await ack(text=messages.help_text(), blocks=messages.help_blocks(bot.notices))
    elif key == "whoami":
        await ack()
        person = await bot.people.get(command["user_id"])
        crm_user = await bot.people.crm_user(command["user_id"])
        await respond(text=messages.whoami(person, crm_user, command["user_id"] in bot.settings.admins),
                      response_type="ephemeral")
    elif key == "link":
        await link(ack, command, rest, context, respond)
    else:
        await ack(text=messages.unknown_subcommand(word))


async def link(ack: Any, command: dict[str, Any], rest: str, context: Any, respond: Any) -> None:
    bot = services(context)
    if command["user_id"] not in bot.settings.admins:
        await ack(text=messages.admins_only("link people to CRM users"))
        return
    user, email = MENTION.search(rest), MAILTO.search(rest) or EMAIL.search(rest)
    if not user or not email:
        await ack(text=messages.link_usage())
        return
    await ack()
    try:
        crm_user = await bot.people.link(user.group(1), email.group(1))
    except SlackApiError as error:
        if error.response.get("error") != "user_not_found":
            raise
        await respond(text=messages.no_such_person(user.group(1)), response_type="ephemeral")
        return
    await respond(text=messages.linked(user.group(1), email.group(1), crm_user), response_type="ephemeral")


async def tasks(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
    """`/tasks [today|week|overdue|@someone]`: open tasks from LeadSquared, with their buttons."""
    bot = services(context)
    viewer = command["user_id"]
    try:
        asked = read_list_request(command.get("text") or "", viewer)
    except ListRequestError as error:
        await ack(text=escape(str(error)))
        return
    if asked.owner != viewer and viewer not in bot.settings.admins:
        await ack(text=messages.admins_only("see someone else's tasks"))
        return
    await ack()
    text, blocks = await bot.task_views.task_list(viewer, asked.which, asked.owner)
    await respond(text=text, blocks=blocks, response_type="ephemeral")


async def bulktasks(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    if await refused(await services(context).permissions.may_bulk(command["user_id"]), respond):
        return
    await services(context).bulk.open_form(command["trigger_id"], command["channel_id"])


async def meet(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
    """`/meet [text]`: a HighLevel appointment, prefilled from the text."""
    await ack()
    if await refused(await services(context).permissions.may_create(command["user_id"]), respond):
        return
    await services(context).meet_forms.open(trigger_id=command["trigger_id"], user_id=command["user_id"],
                                            text=command.get("text") or "", channel_id=command["channel_id"])


def register(app: AsyncApp) -> None:
    app.command(Command.MEET)(meet)
    app.command(Command.BULK)(bulktasks)
    app.command(Command.TASKS)(tasks)
    app.command(Command.TODO)(todo)
    app.command(Command.APPT)(appt)
    app.command(Command.TASKBOT)(taskbot)
