"""Acting on LeadSquared tasks from Slack: complete, reschedule, edit, list.

LeadSquared is the truth: every change starts by fetching the task, so a task completed, moved or
deleted in the CRM is acted on (or shown) as it is now; only "no such record" marks it deleted, never
a call that went astray. A change is written locally only once LeadSquared accepted it, and then
applied to the task as fetched instead of reading it again: a Complete click costs two calls (the
fetch and MarkComplete). Each change updates the task's confirmation in place and leaves a note in
its thread. Lists come from a short per-owner cache that the bot's own changes keep current.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cachetools import TTLCache
from slack_sdk.errors import SlackApiError

from bot.crm.errors import CRMError, NotFound
from bot.crm.leadsquared_models import (
    APPOINTMENT,
    LEAD,
    NO_NOTIFICATION,
    NOTIFY_BY_EMAIL,
    OPPORTUNITY,
    Task,
    TaskUpdate,
    with_ref,
)
from bot.crm.ratelimit import background
from bot.models import Draft, Kind
from bot.service import Service
from bot.tasks import BACKEND, lead_link
from bot.ui.task_message import TaskCard, change_note, confirmation, reminder_text
from bot.when import slack_token

log = logging.getLogger("taskbot.changes")
LIST_PAST = timedelta(days=90)
LIST_AHEAD = timedelta(days=7)
LIST_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Outcome:
    """What the person who clicked is told; `changed` when LeadSquared was written to."""

    changed: bool
    notice: str | None = None


class TaskChanges(Service):
    def __post_init__(self) -> None:
        self.task_changed: Callable[[int], None] = lambda task_id: None
        self._lists: TTLCache = TTLCache(maxsize=1024, ttl=LIST_CACHE_SECONDS, timer=self.clock.monotonic)
        self._changing: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._syncing: dict[str, bool] = {}

    def touched(self, task_id: int) -> None:
        """A task the bot made or changed elsewhere: its owner's list is read afresh, its reminders planned."""
        row = self.store.task(task_id)
        if row is not None:
            self._lists.pop(row["owner_slack_id"], None)
        self.task_changed(task_id)

    # ----- who and what ---------------------------------------------------------------------------

    async def fetch(self, crm_id: str) -> Task | None:
        """The task as LeadSquared has it now; None (and the confirmation marked gone) if LeadSquared says it
        has no such task. Any other failure (a wrong path included) is raised: nothing is marked."""
        try:
            return await self.lsq.get_task(crm_id)
        except NotFound:
            row = self.store.task_by_crm_id(BACKEND, crm_id)
            self._in_lists(crm_id, None)
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
        try:
            task = await self.fetch(crm_id)
        except CRMError as error:
            return not_changed(error)
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
        """Two calls: the fetch and MarkComplete. A second click arriving meanwhile waits, then finds the task
        completed: MarkComplete is sent once and the thread gets one note."""
        async with self._changing[crm_id]:
            task = await self.actionable(crm_id, actor)
            if isinstance(task, Outcome):
                return task
            try:
                await self.lsq.mark_complete(crm_id)
            except CRMError as error:
                return not_changed(error)
            done = task.model_copy(update={"StatusCode": 1, "CompletedOn": self.clock.now()})
            await self.show(done, change_note(actor, "completed this :ballot_box_with_check:"))
            return Outcome(True)

    async def reschedule(self, crm_id: str, actor: str, due: datetime, tz: str) -> Outcome:
        async with self._changing[crm_id]:
            task = await self.actionable(crm_id, actor, ", so it was not moved")
            if isinstance(task, Outcome):
                return task
            update = TaskUpdate(UserTaskId=crm_id, DueDate=due)
            if task.DueDate and task.EndDate:
                update.EndDate = due + (task.EndDate - task.DueDate)
            try:
                await self.lsq.update_task(update)
            except CRMError as error:
                return not_changed(error)
            await self.show(_applied(task, update), change_note(actor, f"moved this to {slack_token(due, tz)}"))
            return Outcome(True)

    async def edit(self, crm_id: str, actor: str, draft: Draft, original: dict[str, Any]) -> Outcome:
        """Send only what the rep changed in the modal, applied to the task as it is now; the bot's own copy
        of the draft changes only once LeadSquared accepted the change."""
        async with self._changing[crm_id]:
            task = await self.actionable(crm_id, actor, ", so it was not changed")
            if isinstance(task, Outcome):
                return task
            wanted = editable_fields(draft)
            changes = {key: value for key, value in wanted.items() if value != original.get(key)}
            if not changes:
                return Outcome(False, "Nothing changed.")
            try:
                update = await self._update_for(task, draft, changes)
                await self.lsq.update_task(update)
            except CRMError as error:
                return not_changed(error)
            self._keep_draft(crm_id, draft)
            names = ", ".join(FIELD_NAMES[key] for key in changes)
            await self.show(_applied(task, update), change_note(actor, f"edited this: {names}"))
            return Outcome(True)

    async def _update_for(self, task: Task, draft: Draft, changes: dict[str, Any]) -> TaskUpdate:
        update = TaskUpdate(UserTaskId=task.UserTaskId)
        if "title" in changes:
            update.Name = draft.title
        if "description" in changes:
            update.Description = with_ref(draft.description, task.ref) if task.ref else draft.description or ""
        if "due" in changes:
            update.DueDate = draft.due
        if "end" in changes and draft.end:
            update.EndDate = draft.end
        if "related" in changes:
            update.RelatedEntity, update.RelatedEntityId = lead_link(draft)
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
        return update

    def _keep_draft(self, crm_id: str, draft: Draft) -> None:
        row = self.store.task_by_crm_id(BACKEND, crm_id)
        if row is None:
            return
        kept = (row["details"] or {}).get("draft") or {}
        saved = {**draft.model_dump(mode="json"), "channel_id": kept.get("channel_id"),
                 "thread_ts": kept.get("thread_ts"), "creator_slack_id": kept.get("creator_slack_id")}
        self.store.update_task(row["id"], owner_slack_id=draft.owner_slack_id, details={**row["details"], "draft": saved})

    # ----- the confirmation and its thread --------------------------------------------------------

    async def show(self, task: Task, note: str | None = None) -> None:
        """Bring the task's confirmation, its row and the cached lists up to the task's state in LeadSquared."""
        self._in_lists(task.UserTaskId, None if task.completed else task)
        row = self.store.task_by_crm_id(BACKEND, task.UserTaskId)
        if row is None:
            return
        self.store.update_task(row["id"], status="completed" if task.completed else "open", title=task.Name,
                               due_utc=task.DueDate, end_utc=task.EndDate)
        self.task_changed(row["id"])
        await self._update_confirmation(row, task)
        if note and row["channel_id"] and row["confirmation_ts"]:
            await self.thread_note(row["channel_id"], row["thread_ts"] or row["confirmation_ts"], note)

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
        """A LeadSquared webhook said this task changed: take its state from LeadSquared and follow it.

        Background work, coalesced per task: webhooks for a task already being synced make one more sync
        after it, however many arrive."""
        if crm_id in self._syncing:
            self._syncing[crm_id] = True
            return "coalesced"
        self._syncing[crm_id] = False
        try:
            with background():
                while True:
                    outcome = await self._sync(crm_id)
                    if not self._syncing[crm_id]:
                        return outcome
                    self._syncing[crm_id] = False
        finally:
            del self._syncing[crm_id]

    async def _sync(self, crm_id: str) -> str:
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
        """Open tasks of one person: overdue (90 days back) and the next 7 days, from LeadSquared at most once a
        minute (the bot's own changes are applied to the cached list as they happen)."""
        if owner_slack_id in self._lists:
            return list(self._lists[owner_slack_id])
        owner = await self.people.crm_user(owner_slack_id)
        if owner is None:
            return None
        now = self.clock.now()
        found = await self.lsq.tasks_between(owner.id, now - LIST_PAST, now + LIST_AHEAD, status=0)
        self._lists[owner_slack_id] = _by_due(found, now)
        return list(self._lists[owner_slack_id])

    def _in_lists(self, crm_id: str, task: Task | None) -> None:
        """Replace (or, with None, drop) a task in every cached list that holds it; an open task whose owner's
        list is cached and lacks it is added when it is due within the list's span."""
        now = self.clock.now()
        owner = self.people.slack_id_for_crm_user(task.OwnerId) if task is not None else None
        for holder, tasks in list(self._lists.items()):
            kept = [each for each in tasks if each.UserTaskId != crm_id]
            if task is not None and holder == owner and task.DueDate and now - LIST_PAST <= task.DueDate <= \
                    now + LIST_AHEAD:
                kept.append(task)
            if len(kept) != len(tasks) or task is not None:
                self._lists[holder] = _by_due(kept, now)


def _by_due(tasks: list[Task], now: datetime) -> list[Task]:
    return sorted(tasks, key=lambda task: task.DueDate or now)


def _applied(task: Task, update: TaskUpdate) -> Task:
    """The task as LeadSquared has it after accepting `update` (instead of reading it again)."""
    fields = {name: value for name in TaskUpdate.model_fields
              if name not in ("UserTaskId", "OwnerEmailAddress") and (value := getattr(update, name)) is not None}
    return task.model_copy(update=fields)


def not_changed(error: CRMError) -> Outcome:
    log.info("task not changed: %s", error)
    return Outcome(False, f"Nothing was changed: {error.message}.")


def is_overdue(task: Task, now: datetime) -> bool:
    """As LeadSquared has it: pending until its EndDate (its DueDate when it has none), overdue after."""
    end = task.EndDate or task.DueDate
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
