"""Modal submissions."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.meetings import CREATE as MEET_CREATE
from bot.middleware import first_input
from bot.tasks import CREATE as TASK_CREATE
from bot.ui.ids import ViewId
from bot.ui.metadata import MeetModalContext, SeriesChoice, TaskModalContext, TaskRef
from handlers.context import services


async def refused(ack: Any, view: dict[str, Any], refusal: str | None) -> bool:
    """A submission the person may not make is refused inline, on the form's first input."""
    block_id = first_input(view)
    if refusal and block_id:
        await ack(response_action="errors", errors={block_id: refusal})
    elif refusal:
        await ack()
    return bool(refusal)


async def task_submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], context: Any, client: Any) -> None:
    bot = services(context)
    user = body["user"]["id"]
    if await refused(ack, view, bot.permissions.may_submit(user)):
        return
    draft, errors = await bot.forms.validate(view, user)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert draft is not None
    ctx = TaskModalContext.load(view["private_metadata"])
    if ctx.editing:
        outcome = await bot.changes.edit(ctx.editing, user, draft, bot.forms.original(ctx))
        if outcome.notice:
            await client.chat_postMessage(channel=user, text=outcome.notice)
        await bot.task_views.refresh_home(user)
        return
    await bot.outbox.submit(TASK_CREATE, f"view:{view['id']}", draft, replaces=ctx.retry_of)
    await bot.task_views.refresh_home(user)


async def meet_submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], context: Any) -> None:
    bot = services(context)
    if await refused(ack, view, bot.permissions.may_submit(body["user"]["id"])):
        return
    draft, errors = await bot.meet_forms.validate(view, body["user"]["id"])
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert draft is not None
    await bot.outbox.submit(MEET_CREATE, f"view:{view['id']}", draft,
                            replaces=MeetModalContext.load(view["private_metadata"]).retry_of)


async def meet_reschedule_submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], context: Any,
                                    client: Any) -> None:
    bot = services(context)
    start, errors = bot.task_views.read_reschedule(view)
    ref = TaskRef.load(view["private_metadata"])
    if start is not None:
        errors = await bot.task_views.move_errors(view, start)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert start is not None
    user = body["user"]["id"]
    outcome = await bot.meetings.reschedule(ref.crm_id, user, start)
    if outcome.notice:
        await client.chat_postMessage(channel=user, text=outcome.notice)
    await bot.task_views.after_modal_change(user, ref)


async def meet_series_submitted(ack: Any, view: dict[str, Any], body: dict[str, Any], context: Any,
                                client: Any) -> None:
    """Which meetings of a series (and, to move them, the new time): checked in the ack, then done."""
    bot = services(context)
    user = body["user"]["id"]
    errors, start = await bot.meetings.series_errors(view, user)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    outcome = await bot.meetings.apply_to_series(view, user, start)
    if outcome.notice:
        await client.chat_postMessage(channel=user, text=outcome.notice)
    await bot.task_views.after_modal_change(user, SeriesChoice.load(view["private_metadata"]))


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
    if await refused(ack, view, bot.permissions.may_submit_bulk(body["user"]["id"])):
        return
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
    app.view(ViewId.MEET)(meet_submitted)
    app.view(ViewId.MEET_RESCHEDULE)(meet_reschedule_submitted)
    app.view(ViewId.MEET_SERIES)(meet_series_submitted)
