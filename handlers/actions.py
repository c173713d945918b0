"""Buttons and live inputs."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.ui import notices
from bot.ui.ids import Action, Field
from handlers.context import services


async def modal_changed(ack: Any, body: dict[str, Any], context: Any) -> None:
    """The time typed, the type or the kind changed: show the new reading or fields."""
    await ack()
    await services(context).forms.refresh(body["view"])


async def retry_operation(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    bot = services(context)
    saved = bot.tasks.draft_of(int(action["value"]))
    if saved is None or saved[0].creator_slack_id != body["user"]["id"]:
        await respond(text=notices.not_yours(), response_type="ephemeral", replace_original=False)
        return
    operation_id = int(action["value"])
    if not bot.tasks.claim_retry(operation_id):
        await respond(text=notices.already_handled(), response_type="ephemeral", replace_original=False)
        return
    text, blocks = notices.retrying(saved[0].title)
    await respond(text=text, blocks=blocks, replace_original=True)
    await bot.tasks.process(operation_id)


async def edit_draft(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    bot = services(context)
    saved = bot.tasks.draft_of(int(action["value"]))
    if saved is None or saved[0].creator_slack_id != body["user"]["id"]:
        await respond(text=notices.not_yours(), response_type="ephemeral", replace_original=False)
        return
    draft = saved[0]
    await bot.forms.open(trigger_id=body["trigger_id"], user_id=body["user"]["id"], kind=draft.kind,
                         channel_id=draft.channel_id, thread_ts=draft.thread_ts, form=bot.forms.form_of(draft),
                         retry_of=int(action["value"]))


def register(app: AsyncApp) -> None:
    for live in (Field.DUE, Field.TASK_TYPE, Field.KIND):
        app.action(live)(modal_changed)
    app.action(Action.RETRY_OPERATION)(retry_operation)
    app.action(Action.EDIT_DRAFT)(edit_draft)
