"""Modal submissions."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.ui.ids import ViewId
from handlers.context import services


async def task_submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    bot = services(context)
    draft, errors = await bot.forms.validate(view, body["user"]["id"])
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert draft is not None
    await bot.tasks.submit(draft, key=f"view:{view['id']}", replaces=bot.forms.replaces(view))


def register(app: AsyncApp) -> None:
    app.view(ViewId.TASK)(task_submitted)
