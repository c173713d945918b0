"""Message and global shortcuts."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.models import Kind
from bot.ui.ids import Shortcut
from handlers.context import services
from handlers.replies import tell


async def may_create(body: dict[str, Any], context: Any, client: Any, respond: Any) -> bool:
    """Whether the person may create; if not, they are told why (in place, or by DM)."""
    refusal = await services(context).permissions.may_create(body["user"]["id"])
    if refusal:
        await tell(body, client, respond, refusal)
    return refusal is None


async def create_from_message(ack: Any, shortcut: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    await ack()
    if not await may_create(shortcut, context, client, respond):
        return
    message = shortcut["message"]
    channel = shortcut["channel"]["id"]
    await services(context).forms.open_from_message(
        trigger_id=shortcut["trigger_id"], user_id=shortcut["user"]["id"], channel_id=channel,
        message_ts=message["ts"], thread_ts=message.get("thread_ts") or message["ts"], text=message.get("text") or "")


async def new_task(ack: Any, shortcut: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    await ack()
    if not await may_create(shortcut, context, client, respond):
        return
    await services(context).forms.open(trigger_id=shortcut["trigger_id"], user_id=shortcut["user"]["id"],
                                       kind=Kind.TODO, channel_id=None, show_kind=True)


def register(app: AsyncApp) -> None:
    app.shortcut(Shortcut.CREATE_FROM_MESSAGE)(create_from_message)
    app.shortcut(Shortcut.NEW_TASK)(new_task)
