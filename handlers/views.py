"""Modal submissions."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.ui.ids import ViewId
from bot.ui.metadata import TaskModalContext, TaskRef
from handlers.context import services


async def task_submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], context: Any, client: Any) -> None:
    bot = services(context)
    user = body["user"]["id"]
    draft, errors = await bot.forms.validate(view, user)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert draft is not None
    ctx = TaskModalContext.load(view["private_metadata"])
    if ctx.editing:
        outcome = await bot.changes.edit(ctx.editing, user, draft, ctx.original)
        if outcome.notice:
            await client.chat_postMessage(channel=user, text=outcome.notice)
        await bot.task_views.refresh_home(user)
        return
    await bot.tasks.submit(draft, key=f"view:{view['id']}", replaces=ctx.retry_of)
    await bot.task_views.refresh_home(user)


async def reschedule_submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], context: Any,
                               client: Any) -> None:
    bot = services(context)
    due, errors = bot.task_views.read_reschedule(view)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert due is not None
    ref = TaskRef.load(view["private_metadata"])
    user = body["user"]["id"]
    outcome = await bot.changes.reschedule(ref.crm_id, user, due, ref.tz)
    if outcome.notice:
        await client.chat_postMessage(channel=user, text=outcome.notice)
    await bot.task_views.after_modal_change(user, ref)


async def bulk_submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    bot = services(context)
    errors = bot.bulk.submission_error(view)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    await bot.bulk.check_submission(view, body["user"]["id"])


def register(app: AsyncApp) -> None:
    app.view(ViewId.BULK)(bulk_submitted)
    app.view(ViewId.TASK)(task_submitted)
    app.view(ViewId.RESCHEDULE)(reschedule_submitted)
