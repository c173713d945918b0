"""Acting on LeadSquared tasks from Slack: complete, reschedule, edit, list.

LeadSquared is the truth: every change starts by fetching the task, so a task completed, moved or
deleted in the CRM is acted on (or shown) as it is now. Each change updates the task's confirmation
in place and leaves a note in its thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot.crm.errors import NotFound
from bot.crm.leadsquared_models import (
    APPOINTMENT,
    LEAD,
    NO_NOTIFICATION,
    NOTIFY_BY_EMAIL,
    OPPORTUNITY,
    Task,
    TaskUpdate,
)
from bot.models import Draft, Kind
from bot.service import Service
from bot.tasks import BACKEND, related_entity
from bot.ui.task_message import TaskCard, change_note, confirmation, reminder_text
from bot.when import slack_token

log = logging.getLogger("taskbot.changes")
LIST_PAST = timedelta(days=90)
LIST_AHEAD = timedelta(days=7)


@dataclass(frozen=True)
class Outcome:
    """What the person who clicked is told; `changed` when LeadSquared was written to."""

    changed: bool
    notice: str | None = None


class TaskChanges(Service):
    def __post_init__(self) -> None:
        self.task_changed: Callable[[int], None] = lambda task_id: None

    # ----- who and what ---------------------------------------------------------------------------

    async def fetch(self, crm_id: str) -> Task | None:
        """The task as LeadSquared has it now; None (and the confirmation marked gone) if deleted."""
        try:
            return await self.lsq.get_task(crm_id)
        except NotFound:
            row = self.store.task_by_crm_id(BACKEND, crm_id)
            if row is not None and row["status"] != "gone":
                self.store.update_task(row["id"], status="gone")
                self.task_changed(row["id"])
                await self._update_confirmation(row, None)
            return None

    def may_act(self, user_id: str, task: Task) -> bool:
        """The owner, the creator, or an admin."""
        row = self.store.task_by_crm_id(BACKEND, task.UserTaskId) or {}
        owner = self.people.slack_id_for_crm_user(task.OwnerId) or row.get("owner_slack_id")
        return user_id in {owner, row.get("creator_slack_id")} or user_id in self.settings.admins

    def card(self, task: Task) -> TaskCard:
        row = self.store.task_by_crm_id(BACKEND, task.UserTaskId) or {}
        draft = (row.get("details") or {}).get("draft") or {}
        appointment = task.Category == APPOINTMENT
        kind = Kind.APPOINTMENT if appointment else Kind.TODO
        opportunity = draft.get("opportunity_name") if task.RelatedEntity == OPPORTUNITY else None
        lead_id = task.RelatedEntityId if task.RelatedEntity == LEAD else draft.get("lead_id")
        return TaskCard(
            kind=kind, title=task.Name, task_type=task.TaskType.Name if task.TaskType else "Task",
            due=task.DueDate or self.clock.now(), end=task.EndDate if appointment else None,
            owner_slack_id=self.people.slack_id_for_crm_user(task.OwnerId), owner_name=task.OwnerName,
            creator_slack_id=row.get("creator_slack_id"), crm_id=task.UserTaskId, lead_id=lead_id,
            lead_name=task.RelatedEntityIdName if task.RelatedEntity == LEAD else draft.get("lead_name"),
            opportunity_name=opportunity,
            reminder=reminder_text(kind, task.Reminder, task.reminder_days, task.reminder_at),
            location=task.Location or None, status="completed" if task.completed else "open")

    async def actionable(self, crm_id: str, actor: str, unchanged: str = "") -> Task | Outcome:
        """The task as it is now, if `actor` may change it; otherwise what to tell them instead."""
        task = await self.fetch(crm_id)
        if task is None:
            return Outcome(False, GONE)
        if not self.may_act(actor, task):
            return Outcome(False, REFUSAL)
        if task.completed:
            await self.show(task)
            return Outcome(False, f"That task was already completed in LeadSquared{unchanged}.")
        return task

    # ----- changes --------------------------------------------------------------------------------

    async def complete(self, crm_id: str, actor: str) -> Outcome:
        task = await self.actionable(crm_id, actor)
        if isinstance(task, Outcome):
            return task
        await self.lsq.mark_complete(crm_id)
        task = await self.lsq.get_task(crm_id)
        await self.show(task, change_note(actor, "completed this :ballot_box_with_check:"))
        return Outcome(True)

    async def reschedule(self, crm_id: str, actor: str, due: datetime, tz: str) -> Outcome:
        task = await self.actionable(crm_id, actor, ", so it was not moved")
        if isinstance(task, Outcome):
            return task
        update = TaskUpdate(UserTaskId=crm_id, DueDate=due)
        if task.Category == APPOINTMENT and task.DueDate and task.EndDate:
            update.EndDate = due + (task.EndDate - task.DueDate)
        await self.lsq.update_task(update)
        task = await self.lsq.get_task(crm_id)
        await self.show(task, change_note(actor, f"moved this to {slack_token(due, tz)}"))
        return Outcome(True)

    async def edit(self, crm_id: str, actor: str, draft: Draft, original: dict[str, Any]) -> Outcome:
        """Send only what the rep changed in the modal, applied to the task as it is now."""
        task = await self.actionable(crm_id, actor, ", so it was not changed")
        if isinstance(task, Outcome):
            return task
        wanted = editable_fields(draft)
        changes = {key: value for key, value in wanted.items() if value != original.get(key)}
        if not changes:
            return Outcome(False, "Nothing changed.")
        update = await self._update_for(crm_id, draft, changes)
        await self.lsq.update_task(update)
        task = await self.lsq.get_task(crm_id)
        names = ", ".join(FIELD_NAMES[key] for key in changes)
        await self.show(task, change_note(actor, f"edited this: {names}"))
        return Outcome(True)

    async def _update_for(self, crm_id: str, draft: Draft, changes: dict[str, Any]) -> TaskUpdate:
        update = TaskUpdate(UserTaskId=crm_id)
        if "title" in changes:
            update.Name = draft.title
        if "description" in changes:
            update.Description = draft.description or ""
        if "due" in changes:
            update.DueDate = draft.due
        if "end" in changes and draft.end:
            update.EndDate = draft.end
        if "related" in changes:
            update.RelatedEntity, update.RelatedEntityId = related_entity(draft)
        if "reminder" in changes and draft.kind is Kind.APPOINTMENT:
            update.Reminder = draft.reminder_minutes or 0
        if "notify" in changes:
            update.NotifyBy = NOTIFY_BY_EMAIL if draft.notify_by_email else NO_NOTIFICATION
        if "location" in changes:
            update.Location = draft.location or ""
        if "owner" in changes:
            owner = await self.people.crm_user(draft.owner_slack_id)
            if owner is not None:
                update.OwnerId = owner.id
            else:
                update.OwnerEmailAddress = (await self.people.get(draft.owner_slack_id)).email
        row = self.store.task_by_crm_id(BACKEND, crm_id)
        if row is not None:
            kept = (row["details"] or {}).get("draft") or {}
            saved = {**draft.model_dump(mode="json"), "channel_id": kept.get("channel_id"),
                     "thread_ts": kept.get("thread_ts"), "creator_slack_id": kept.get("creator_slack_id")}
            self.store.update_task(row["id"], title=draft.title, due_utc=draft.due, end_utc=draft.end,
                                   owner_slack_id=draft.owner_slack_id, details={**row["details"], "draft": saved})
        return update

    # ----- the confirmation and its thread --------------------------------------------------------

    async def show(self, task: Task, note: str | None = None) -> None:
        """Bring the task's confirmation (and its row) up to the task's state in LeadSquared."""
        row = self.store.task_by_crm_id(BACKEND, task.UserTaskId)
        if row is None:
            return
        self.store.update_task(row["id"], status="completed" if task.completed else "open", title=task.Name,
                               due_utc=task.DueDate, end_utc=task.EndDate)
        self.task_changed(row["id"])
        await self._update_confirmation(row, task)
        if note and row["channel_id"] and row["confirmation_ts"]:
            await self.slack.chat_postMessage(channel=row["channel_id"],
                                              thread_ts=row["thread_ts"] or row["confirmation_ts"], text=note)

    async def _update_confirmation(self, row: dict[str, Any], task: Task | None) -> None:
        if not row["channel_id"] or not row["confirmation_ts"]:
            return
        draft = (row.get("details") or {}).get("draft") or {}
        tz = draft.get("tz") or self.settings.default_tz
        if task is not None:
            card = self.card(task)
        else:
            card = TaskCard(kind=Kind(row["kind"]), title=row["title"], task_type=draft.get("task_type", "Task"),
                            due=row["due_utc"], end=row["end_utc"], owner_slack_id=row["owner_slack_id"],
                            owner_name=None, creator_slack_id=row["creator_slack_id"], status="gone")
        text, blocks = confirmation(card, tz, self.settings.lsq_app_url, self.settings.lsq_is_sandbox)
        try:
            await self.slack.chat_update(channel=row["channel_id"], ts=row["confirmation_ts"], text=text,
                                         blocks=blocks)
        except SlackApiError as error:
            log.info("could not update the confirmation of %s: %s", row["crm_id"], error.response.get("error"))

    async def sync_from_crm(self, crm_id: str) -> str:
        """A LeadSquared webhook said this task changed: take its state from LeadSquared and follow it."""
        task = await self.fetch(crm_id)
        if task is None:
            return "gone"
        row = self.store.task_by_crm_id(BACKEND, crm_id)
        if row is None:
            owner = self.people.slack_id_for_crm_user(task.OwnerId)
            if owner is None:
                return "owner unknown"
            kind = Kind.APPOINTMENT if task.Category == APPOINTMENT else Kind.TODO
            draft = {"task_type": task.TaskType.Name if task.TaskType else "Task", "reminder_minutes": task.Reminder,
                     "reminder_days_before": task.reminder_days, "reminder_time": task.reminder_at}
            task_id = self.store.add_task(backend=BACKEND, crm_id=crm_id, kind=kind.value, title=task.Name,
                                          due_utc=task.DueDate, end_utc=task.EndDate, owner_slack_id=owner,
                                          status="open", details={"draft": draft, "source": "leadsquared"})
            row = self.store.task(task_id)
            assert row is not None
        await self.show(task)
        return "completed" if task.completed else "open"

    # ----- lists ----------------------------------------------------------------------------------

    async def open_tasks(self, owner_slack_id: str) -> list[Task] | None:
        """Open tasks of one person from LeadSquared: overdue (90 days back) and the next 7 days."""
        owner = await self.people.crm_user(owner_slack_id)
        if owner is None:
            return None
        now = self.clock.now()
        found: list[Task] = []
        offset = 0
        while True:
            page = await self.lsq.retrieve_tasks(owner_id=owner.id, start=now - LIST_PAST, end=now + LIST_AHEAD,
                                                 status=0, offset=offset, count=200)
            found += page.List
            offset += len(page.List)
            if not page.List or offset >= page.RecordCount:
                break
        return sorted(found, key=lambda task: task.DueDate or now)


def is_overdue(task: Task, now: datetime) -> bool:
    end = task.EndDate if task.Category == APPOINTMENT and task.EndDate else task.DueDate
    return end is not None and end < now


@dataclass(frozen=True)
class Day:
    """Open tasks as a rep's day sees them: overdue, due today, and the rest to come."""

    overdue: list[Task]
    today: list[Task]
    upcoming: list[Task]


def by_day(tasks: list[Task], now: datetime, tz: str) -> Day:
    today = now.astimezone(ZoneInfo(tz)).date()
    overdue = [task for task in tasks if is_overdue(task, now)]
    coming = [task for task in tasks if not is_overdue(task, now)]
    due_today = [task for task in coming if _due_on(task, today, tz)]
    return Day(overdue, due_today, [task for task in coming if task not in due_today])


def _due_on(task: Task, day: date, tz: str) -> bool:
    return task.DueDate is not None and task.DueDate.astimezone(ZoneInfo(tz)).date() == day


def select(tasks: list[Task], which: str, now: datetime, tz: str) -> list[Task]:
    """today | week | overdue | all: overdue first, then what is coming."""
    day = by_day(tasks, now, tz)
    if which == "overdue":
        return day.overdue
    if which == "today":
        today = now.astimezone(ZoneInfo(tz)).date()
        return [task for task in tasks if _due_on(task, today, tz)]
    if which == "week":
        return day.today + day.upcoming
    return day.overdue + day.today + day.upcoming


def editable_fields(draft: Draft) -> dict[str, Any]:
    """The fields an edit can change, in a comparable form (also stored when the edit modal opens)."""
    related = draft.opportunity_id or draft.lead_id or ""
    return {"title": draft.title, "description": draft.description or "", "due": draft.due.isoformat(),
            "end": draft.end.isoformat() if draft.end else "", "related": related,
            "reminder": draft.reminder_minutes, "notify": draft.notify_by_email, "location": draft.location or "",
            "owner": draft.owner_slack_id}


FIELD_NAMES = {"title": "subject", "description": "description", "due": "when", "end": "end", "related": "lead",
               "reminder": "reminder", "notify": "notification", "location": "location", "owner": "owner"}
GONE = "That task was deleted in LeadSquared."
REFUSAL = "Only the task's owner, the person who created it, or a Taskbot admin can change it."
