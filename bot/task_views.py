"""What a rep sees of their tasks: the /tasks list, the Home tab, and the Reschedule and Edit modals."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.config import Settings
from bot.crm.errors import CRMError
from bot.crm.leadsquared_models import APPOINTMENT, LEAD, OPPORTUNITY, Task, without_ref
from bot.forms import TaskForms, preview_text
from bot.meet_forms import start_text
from bot.meetings import Meetings
from bot.models import Draft, Kind
from bot.people import People
from bot.reminders import Reminders
from bot.slack_client import open_waiting, post_to_response_url, tell_instead, update_view
from bot.task_changes import REFUSAL, Outcome, TaskChanges, by_day, editable_fields, is_overdue, select
from bot.tasks import BACKEND
from bot.ui.ids import WHEN, ViewId
from bot.ui.meet_message import MeetCard
from bot.ui.metadata import SeriesChoice, TaskRef
from bot.ui.reminder_messages import snoozed
from bot.ui.task_lists import (
    home_view,
    not_linked,
    notice_modal,
    reschedule_modal,
    task_list,
    waiting_modal,
    when_block,
    with_preview,
)
from bot.ui.task_modal import DESCRIPTION_LIMIT, TaskForm, loading_modal
from bot.ui.text import count
from bot.when import Reading, Refusal, describe, read, slack_token

log = logging.getLogger("taskbot.views")
HEADINGS = {"all": "Your open tasks: overdue, then the next 7 days", "today": "Due today",
            "week": "The next 7 days", "overdue": "Overdue"}


class TaskViews:
    def __init__(self, slack: AsyncWebClient, changes: TaskChanges, forms: TaskForms, people: People,
                 settings: Settings, clock: Clock, reminders: Reminders, meetings: Meetings):
        self.slack = slack
        self.meetings = meetings
        self.changes = changes
        self.forms = forms
        self.people = people
        self.settings = settings
        self.clock = clock
        self.reminders = reminders

    # ----- /tasks -------------------------------------------------------------------------------

    async def task_list(self, viewer: str, which: str, owner: str, page: int = 0) -> tuple[str, list[dict[str, Any]]]:
        person = await self.people.get(viewer)
        tasks = await self.changes.open_tasks(owner)
        heading = HEADINGS[which] if owner == viewer else f"{HEADINGS[which]} · <@{owner}>"
        if tasks is None:
            return not_linked(owner)
        now = self.clock.now()
        chosen = select(tasks, which, now, person.tz)
        cards = [(self.changes.card(task), is_overdue(task, now)) for task in chosen]
        meetings = await self._meetings(owner, which, person.tz)
        blocks = task_list(cards, heading, person.tz, page, f"{which}:{owner}", meetings)
        return f"{heading}: {count(len(cards), 'task')}", blocks

    # ----- Home ---------------------------------------------------------------------------------

    async def publish_home(self, user_id: str, saved: tuple[str, str] | None = None) -> None:
        person = await self.people.get(user_id)
        self.people.set_preferences(user_id, home_seen=1)
        crm_user = await self.people.crm_user(user_id)
        sections = None
        if crm_user is not None:
            try:
                tasks = await self.changes.open_tasks(user_id) or []
            except CRMError as error:
                log.info("Home without tasks for %s: %s", user_id, error)
                tasks = []
            day = by_day(tasks, self.clock.now(), person.tz)
            sections = [(name, [(self.changes.card(t), name == "Overdue") for t in group])
                        for name, group in (("Overdue", day.overdue), ("Today", day.today), ("Upcoming", day.upcoming))]
        view = home_view(person, crm_user, self.people.preferences(user_id), sections, self.notices(),
                         await self._meetings(user_id, "all", person.tz), saved, self.people.workspace_order)
        await self.slack.views_publish(user_id=user_id, view=view)

    async def refresh_home(self, user_id: str) -> None:
        """After a change: republish Home for someone who has opened it (they would see stale tasks)."""
        if self.people.preferences(user_id).get("home_seen"):
            try:
                await self.publish_home(user_id)
            except (SlackApiError, CRMError) as error:
                log.info("Home of %s not refreshed: %s", user_id, error)

    async def _meetings(self, owner: str, which: str, tz: str) -> list[MeetCard] | None:
        """Their HighLevel meetings for this view; None (no section) for overdue, with no HighLevel user,
        or when HighLevel does not answer (the tasks still show)."""
        if which == "overdue":
            return None
        try:
            meetings = await self.meetings.upcoming(owner)
        except CRMError as error:
            log.info("meetings of %s not listed: %s", owner, error)
            return None
        if which == "today" and meetings is not None:
            today = self.clock.now().astimezone(ZoneInfo(tz)).date()
            meetings = [card for card in meetings if card.start.astimezone(ZoneInfo(tz)).date() == today]
        return meetings

    def notices(self) -> list[str]:
        return ["LeadSquared: sandbox, tasks are not real"] if self.settings.lsq_is_sandbox else []

    # ----- Reschedule ---------------------------------------------------------------------------

    async def open_reschedule(self, trigger_id: str, crm_id: str, user_id: str, list_key: str | None,
                              response_url: str | None) -> None:
        """Open a placeholder at once (the trigger lasts 3 s; LeadSquared may take longer), then the small
        modal, or why there is nothing to move: the task is gone, done or not theirs."""
        view = await open_waiting(self.slack, trigger_id, waiting_modal(
            "Reschedule", "Getting the task from LeadSquared…"))
        task = await self._actionable(view, "Reschedule", crm_id, user_id)
        if task is None:
            return
        person = await self.people.get(user_id)
        ref = TaskRef(crm_id=crm_id, tz=person.tz, date_order=self.people.date_order(person), list=list_key,
                      response_url=response_url)
        preview = preview_text(TaskForm(kind=Kind.TODO), person.tz, self.clock.now())
        await update_view(self.slack, view["id"], view.get("hash"), reschedule_modal(
            ref, task.Name, task.DueDate or self.clock.now(), "", preview))

    async def _actionable(self, view: dict[str, Any], title: str, crm_id: str, user_id: str) -> Task | None:
        """The task, if it may be changed; otherwise the waiting modal says why."""
        try:
            task = await self.changes.actionable(crm_id, user_id)
        except CRMError as error:
            task = Outcome(False, f"LeadSquared did not answer ({error.message}). Close this and try again.")
        if isinstance(task, Outcome):
            await update_view(self.slack, view["id"], view.get("hash"),
                              notice_modal(title, task.notice or ""))
            return None
        return task

    async def refresh_reschedule(self, view: dict[str, Any], picked_slot: str | None = None) -> None:
        """The new time's reading as the rep types (or picks a free time); for a meeting, whether the
        calendar is free then, with the nearest free times to pick when it is not."""
        ref = TaskRef.load(view["private_metadata"])
        now = self.clock.now()
        typed = start_text(datetime.fromisoformat(picked_slot), ref.tz) if picked_slot else _typed(view)
        preview, slots = preview_text(TaskForm(kind=Kind.TODO, due_text=typed), ref.tz, now, ref.date_order), []
        reading = read(typed, now, ref.tz, ref.date_order) if typed else None
        if view.get("callback_id") == ViewId.MEET_RESCHEDULE and isinstance(reading, Reading) and reading.start:
            taken = await self.meetings.move_reading(ref.crm_id, reading.start, ref.tz)
            if taken is not None:
                preview, slots = taken.text, taken.slots
        await update_view(self.slack, view["id"], view.get("hash"),
                          with_preview(view, preview, slots, typed if picked_slot else None))

    async def move_errors(self, view: dict[str, Any], start: datetime) -> dict[str, str]:
        """A meeting's Reschedule refused on submit: the new time is taken (under the time field)."""
        ref = TaskRef.load(view["private_metadata"])
        errors = await self.meetings.move_errors(ref.crm_id, start, ref.tz)
        return {when_block(view) if key == WHEN else key: message for key, message in errors.items()}

    async def snooze(self, crm_id: str, user_id: str, until: str) -> str:
        """Snooze a reminder: 15m, 1h or tomorrow at 9:00 in the owner's zone."""
        row = self.changes.store.task_by_crm_id(BACKEND, crm_id)
        if row is None or row["owner_slack_id"] != user_id:
            return REFUSAL
        person = await self.people.get(user_id)
        now = self.clock.now()
        if until == "15m":
            when = now + timedelta(minutes=15)
        elif until == "1h":
            when = now + timedelta(hours=1)
        else:
            tomorrow = now.astimezone(ZoneInfo(person.tz)).date() + timedelta(days=1)
            when = datetime.combine(tomorrow, time(9, 0), tzinfo=ZoneInfo(person.tz)).astimezone(now.tzinfo)
        self.reminders.snooze(row["id"], when)
        return snoozed(row["title"], slack_token(when, person.tz))[0]

    async def after_modal_change(self, user_id: str, ref: TaskRef | SeriesChoice) -> None:
        """Redraw the /tasks list the Reschedule button was in (through its response_url), and Home."""
        if ref.list and ref.list != "home" and ref.response_url:
            which, owner, page = ref.list.split(":")
            text, blocks = await self.task_list(user_id, which, owner, int(page))
            answer = await post_to_response_url(ref.response_url, text=text, blocks=blocks, replace_original=True)
            if answer.status_code != 200:
                await tell_instead(self.slack, user_id, answer, text)
        await self.refresh_home(user_id)

    def read_reschedule(self, view: dict[str, Any]) -> tuple[datetime | None, dict[str, str]]:
        ref = TaskRef.load(view["private_metadata"])
        typed = _typed(view)
        result = read(typed, self.clock.now(), ref.tz, ref.date_order) if typed else None
        if isinstance(result, Reading) and result.start is not None:
            return result.start, {}
        if isinstance(result, Refusal) and result.kind == "past" and result.reading:
            return None, {when_block(view): f"That's in the past: I read it as {describe(result.reading, ref.tz)}."}
        return None, {when_block(view): "Say when, e.g. `fri 2pm`, `next tue at 10` or `in 2 days`."}

    # ----- Edit ---------------------------------------------------------------------------------

    async def open_edit(self, trigger_id: str, crm_id: str, user_id: str) -> None:
        """A placeholder at once, then the task's own modal filled from LeadSquared (or why it can't be)."""
        view = await open_waiting(self.slack, trigger_id, loading_modal(Kind.TODO, editing=True))
        task = await self._actionable(view, "Edit task", crm_id, user_id)
        if task is None:
            return
        person = await self.people.get(user_id)
        draft = self._draft_of(task, person.tz)
        long_description = len(draft.description or "") > DESCRIPTION_LIMIT
        if long_description:
            draft.description = None
        await self.forms.show_edit(view, user_id=user_id, form=self.forms.form_of(draft), editing=crm_id,
                                   original=editable_fields(draft), long_description=long_description)

    def _draft_of(self, task: Task, tz: str) -> Draft:
        card = self.changes.card(task)
        return Draft(
            kind=card.kind, title=task.Name, task_type=card.task_type, due=task.DueDate or self.clock.now(),
            end=task.EndDate if task.Category == APPOINTMENT else None,
            lead_id=task.RelatedEntityId if task.RelatedEntity == LEAD else None,
            lead_name=task.RelatedEntityIdName if task.RelatedEntity == LEAD else None,
            opportunity_id=task.RelatedEntityId if task.RelatedEntity == OPPORTUNITY else None,
            opportunity_name=task.RelatedEntityIdName if task.RelatedEntity == OPPORTUNITY else None,
            owner_slack_id=card.owner_slack_id or "", creator_slack_id=card.creator_slack_id or "",
            reminder_minutes=task.Reminder if task.Category == APPOINTMENT else None,
            reminder_days_before=task.reminder_days, reminder_time=task.reminder_at, notify_by_email=task.NotifyBy == "1100",
            location=task.Location or None, description=without_ref(task.Description) or None, tz=tz)


def _typed(view: dict[str, Any]) -> str:
    """The time typed in the Reschedule modal, whichever revision of its field is shown."""
    values = view.get("state", {}).get("values", {}).get(when_block(view)) or {}
    return (values.get(WHEN) or {}).get("value") or ""
