"""Slash commands."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.ui import messages
from bot.ui.ids import Command
from handlers.context import services


async def taskbot(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
    word, _, rest = (command.get("text") or "").strip().partition(" ")
    bot = services(context)
    if word in ("", "help"):
        await ack(text=messages.help_text(), blocks=messages.help_blocks(bot.notices))
    elif word == "whoami":
        await ack()
        person = await bot.people.get(command["user_id"])
        await respond(text=messages.whoami(person), response_type="ephemeral")
    else:
        await ack(text=messages.unknown_subcommand(word))


def register(app: AsyncApp) -> None:
    app.command(Command.TASKBOT)(taskbot)
