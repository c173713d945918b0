"""Buttons and live inputs."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.crm.highlevel_models import AppointmentStatus
from bot.models import Kind
from bot.ui import bulk_messages, notices
from bot.ui.ids import MEET_LIVE_FIELDS, WHEN, Action, Field, any_of
from bot.ui.task_lists import DATE_ORDER_WORDS
from handlers.context import services
from handlers.replies import task_value, tell
from handlers.shortcuts import may_create


async def modal_changed(ack: Any, body: dict[str, Any], context: Any) -> None:
    """The time typed, the type or the kind changed: show the new reading or fields."""
    await ack()
    await services(context).forms.refresh(body["view"])


async def reschedule_typed(ack: Any, body: dict[str, Any], context: Any) -> None:
    await ack()
    await services(context).task_views.refresh_reschedule(body["view"])


async def reschedule_slot_picked(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    """A free time offered under a meeting's new time: fill it in."""
    await ack()
    await services(context).task_views.refresh_reschedule(body["view"], picked_slot=action["value"])


async def own_draft(body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> dict[str, Any] | None:
    """The saved draft behind a failure DM's button, if the person clicking wrote it."""
    saved = services(context).outbox.saved(int(action["value"]))
    if saved is None or saved["creator_slack_id"] != body["user"]["id"]:
        await respond(text=notices.not_yours(), response_type="ephemeral", replace_original=False)
        return None
    return saved


async def retry_operation(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    bot = services(context)
    saved = await own_draft(body, action, context, respond)
    if saved is None:
        return
    operation_id = int(action["value"])
    if not bot.outbox.claim_retry(operation_id):
        await respond(text=notices.already_handled(), response_type="ephemeral", replace_original=False)
        return
    text, blocks = notices.retrying(saved["title"])
    await respond(text=text, blocks=blocks, replace_original=True)
    await bot.outbox.process(operation_id)


async def edit_draft(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    if await own_draft(body, action, context, respond) is not None:
        await services(context).outbox.reopen(int(action["value"]), body["trigger_id"], body["user"]["id"])


async def meet_changed(ack: Any, body: dict[str, Any], context: Any) -> None:
    """The /meet modal's start, calendar, contact or host changed: read it again and check free slots."""
    await ack()
    await services(context).meet_forms.refresh(body["view"], body["user"]["id"])


async def meet_slot_picked(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    await services(context).meet_forms.refresh(body["view"], body["user"]["id"], picked_slot=action["value"])


async def meet_reschedule(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    event_id, shown_in = task_value(action["value"])
    await services(context).meetings.open_reschedule(body["trigger_id"], event_id, body["user"]["id"], shown_in,
                                                     body.get("response_url"))


async def meet_status(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, client: Any,
                      respond: Any) -> None:
    """Cancel, Showed or No-show on a meeting's confirmation, or in /tasks or Home."""
    await ack()
    status = MEET_STATUS_ACTIONS[action["action_id"]]
    event_id, shown_in = task_value(action["value"])
    outcome = await services(context).meetings.status_clicked(body["trigger_id"], event_id, body["user"]["id"], status,
                                                              shown_in, body.get("response_url"))
    if outcome.notice:
        await tell(body, client, respond, outcome.notice)
    await redraw(body, shown_in, context, respond)


MEET_STATUS_ACTIONS = {Action.MEET_CANCEL: AppointmentStatus.CANCELLED, Action.MEET_SHOWED: AppointmentStatus.SHOWED,
                       Action.MEET_NOSHOW: AppointmentStatus.NOSHOW}


async def complete(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, client: Any,
                   respond: Any) -> None:
    await ack()
    bot = services(context)
    crm_id, shown_in = task_value(action["value"])
    outcome = await bot.changes.complete(crm_id, body["user"]["id"])
    if outcome.notice:
        await tell(body, client, respond, outcome.notice)
    elif action.get("block_id", "").startswith("reminder:"):
        await respond(text=notices.done_from_reminder(), replace_original=True)
    await redraw(body, shown_in, context, respond)


async def snooze(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    crm_id, until = action["value"].split("|")
    text = await services(context).task_views.snooze(crm_id, body["user"]["id"], until)
    await respond(text=text, replace_original=True)


async def reschedule(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    crm_id, shown_in = task_value(action["value"])
    await services(context).task_views.open_reschedule(body["trigger_id"], crm_id, body["user"]["id"], shown_in,
                                                       body.get("response_url"))


async def edit(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    crm_id, _ = task_value(action["value"])
    await services(context).task_views.open_edit(body["trigger_id"], crm_id, body["user"]["id"])


async def list_page(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    await redraw(body, action["value"], context, respond)


async def redraw(body: dict[str, Any], shown_in: str | None, context: Any, respond: Any) -> None:
    """Show the list or Home the button was in as it is now."""
    bot = services(context)
    user = body["user"]["id"]
    if shown_in and shown_in != "home" and body.get("response_url"):
        which, owner, page = shown_in.split(":")
        text, blocks = await bot.task_views.task_list(user, which, owner, int(page))
        await respond(text=text, blocks=blocks, replace_original=True)
    await bot.task_views.refresh_home(user)


async def home_new_todo(ack: Any, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    await ack()
    if not await may_create(body, context, client, respond):
        return
    await services(context).forms.open(trigger_id=body["trigger_id"], user_id=body["user"]["id"], kind=Kind.TODO,
                                       channel_id=None)


async def home_new_appointment(ack: Any, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    await ack()
    if not await may_create(body, context, client, respond):
        return
    await services(context).forms.open(trigger_id=body["trigger_id"], user_id=body["user"]["id"],
                                       kind=Kind.APPOINTMENT, channel_id=None)


async def home_preference(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    bot = services(context)
    user = body["user"]["id"]
    if action["action_id"] == Action.HOME_APPT_REMINDER:
        bot.people.set_preferences(user, reminder_appt_minutes=int(action["selected_option"]["value"]))
        saved = ("Appointment reminders", action["selected_option"]["text"]["text"])
    elif action["action_id"] == Action.HOME_TODO_REMINDER_TIME:
        bot.people.set_preferences(user, reminder_todo_time=action["selected_time"])
        saved = ("To-do reminders", f"at {action['selected_time']} on the due day")
    elif action["action_id"] == Action.HOME_DATE_ORDER:
        chosen = action["selected_option"]["value"]
        bot.people.set_preferences(user, date_order=chosen if chosen in DATE_ORDER_WORDS else None)
        saved = ("Dates like 3/12", f"are read {action['selected_option']['text']['text']}")
    else:
        bot.people.set_preferences(user, digest_enabled=int(action["value"] == "on"))
        saved = ("Daily digest", action["value"])
    await bot.task_views.publish_home(user, saved)


async def bulk_create(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    bot = services(context)
    run_id = int(action["value"])
    user = body["user"]["id"]
    refusal = await bot.permissions.may_start_bulk(user)
    if refusal:
        await respond(text=refusal, response_type="ephemeral", replace_original=False)
        return
    if not await bot.bulk.start(run_id, user):
        await respond(text=notices.already_handled(), response_type="ephemeral", replace_original=False)
        return
    run = bot.bulk.run(run_id)
    await respond(text=bulk_messages.creating(run["total"], run["channel_id"]), replace_original=True)
    await bot.bulk.send(run_id)


async def bulk_cancel(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
    await ack()
    if await services(context).bulk.fix_first(int(action["value"]), body["user"]["id"], body["trigger_id"]):
        await respond(text=bulk_messages.not_created(), replace_original=True)


def register(app: AsyncApp) -> None:
    app.action(Action.BULK_CREATE)(bulk_create)
    app.action(Action.BULK_CANCEL)(bulk_cancel)
    for live in (Field.DUE, Field.TASK_TYPE, Field.KIND):
        app.action(live)(modal_changed)
    app.action(WHEN)(reschedule_typed)
    app.action(any_of(Action.MOVE_SLOT))(reschedule_slot_picked)
    app.action(Action.RETRY_OPERATION)(retry_operation)
    app.action(Action.EDIT_DRAFT)(edit_draft)
    app.action(Action.COMPLETE)(complete)
    app.action(any_of(Action.SNOOZE))(snooze)
    app.action(Action.RESCHEDULE)(reschedule)
    app.action(Action.EDIT)(edit)
    app.action(any_of(Action.LIST_PAGE))(list_page)
    for live in MEET_LIVE_FIELDS:
        app.action(live)(meet_changed)
    app.action(any_of(Action.MEET_SLOT))(meet_slot_picked)
    app.action(Action.MEET_RESCHEDULE)(meet_reschedule)
    for status_action in MEET_STATUS_ACTIONS:
        app.action(status_action)(meet_status)
    app.action(Action.HOME_NEW_TODO)(home_new_todo)
    app.action(Action.HOME_NEW_APPOINTMENT)(home_new_appointment)
    for preference in (Action.HOME_APPT_REMINDER, Action.HOME_TODO_REMINDER_TIME, Action.HOME_DIGEST,
                       Action.HOME_DATE_ORDER):
        app.action(preference)(home_preference)
