"""LeadSquared tasks: created through the outbox (bot.outbox), confirmed in Slack, never created twice.

Each task carries its operation's reference in its Description (`Taskbot ref: tb-...`), the exact mark
it is looked up by when an answer is lost, and swept for when a late copy may have landed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.crm.errors import CRMError
from bot.crm.leadsquared import create_once, sweep_copies
from bot.crm.leadsquared_models import (
    LEAD,
    NO_NOTIFICATION,
    NOT_LINKED,
    NOTIFY_BY_EMAIL,
    OPPORTUNITY,
    TODO_OPEN_FOR,
    TaskCreate,
    TaskTypeRef,
    reference,
    with_ref,
)
from bot.forms import TaskForms
from bot.models import Draft, Kind
from bot.outbox import Sent, post_confirmation
from bot.service import Service
from bot.ui import notices
from bot.ui.task_message import TaskCard, confirmation, reminder_text

log = logging.getLogger("taskbot.tasks")
BACKEND = "leadsquared"
CREATE = "lsq.create"


def related_entity(draft: Draft) -> tuple[int, str]:
    """What a new task hangs on in LeadSquared: the opportunity if one was picked, else the lead, else nothing
    (the create pages document 5 for an opportunity)."""
    if draft.opportunity_id:
        return OPPORTUNITY, draft.opportunity_id
    return lead_link(draft)


def lead_link(draft: Draft) -> tuple[int, str]:
    """The lead or nothing: all Task.svc/Update documents (it names no opportunity link)."""
    return (LEAD, draft.lead_id) if draft.lead_id else (NOT_LINKED, "")



class NoCrmUser(CRMError):
    """The owner has no active LeadSquared user the bot can find."""


@dataclass(eq=False)
class Tasks(Service):
    """LeadSquared's writer in the outbox: sends a task exactly once and confirms it in Slack."""

    forms: TaskForms = field(kw_only=True)
    crm = "LeadSquared"

    def __post_init__(self) -> None:
        self.task_changed: Callable[[int], None] = lambda task_id: None

    async def send(self, operation_id: int, payload: dict[str, Any], maybe_sent: bool) -> Sent:
        draft = Draft.model_validate(payload["draft"])
        ref = self._ref(operation_id)
        created = await create_once(self.lsq, await self._create_body(draft, ref), ref, check_first=maybe_sent)
        return Sent(created.record, created.uncertain)

    async def verify(self, operation_id: int) -> None:
        """Wait for a late copy to land, delete it; when it cannot be deleted, say so in the task's thread."""
        await self.clock.sleep(self.lsq.grace)
        operation = self.store.operation(operation_id)
        assert operation is not None and operation["crm_id"]
        draft = Draft.model_validate(operation["payload"]["draft"])
        ref = self._ref(operation_id)
        left = await sweep_copies(self.lsq, await self._create_body(draft, ref), ref, operation["crm_id"])
        if left:
            log.warning("operation %s: LeadSquared holds %s copies Taskbot could not delete", operation_id, len(left))
            row = self.store.task_by_crm_id(BACKEND, operation["crm_id"]) or {}
            where = ({"channel": row["channel_id"], "thread_ts": row["confirmation_ts"]} if row.get("confirmation_ts")
                     else {"channel": draft.creator_slack_id})
            await self.slack.chat_postMessage(**where, text=notices.extra_copies(draft.title, len(left)))

    def _ref(self, operation_id: int) -> str:
        operation = self.store.operation(operation_id)
        assert operation is not None
        return reference(operation["idempotency_key"])

    async def reopen(self, trigger_id: str, user_id: str, draft: dict[str, Any], retry_of: int) -> None:
        saved = Draft.model_validate(draft)
        await self.forms.open(trigger_id=trigger_id, user_id=user_id, kind=saved.kind, channel_id=saved.channel_id,
                              thread_ts=saved.thread_ts, form=self.forms.form_of(saved), retry_of=retry_of)

    async def _create_body(self, draft: Draft, ref: str) -> TaskCreate:
        owner = await self.people.crm_user(draft.owner_slack_id)
        if owner is None:
            person = await self.people.get(draft.owner_slack_id)
            raise NoCrmUser("LeadSquared", notices.no_crm_user(person.name, person.email))
        entity, entity_id = related_entity(draft)
        appointment = draft.kind is Kind.APPOINTMENT
        return TaskCreate(
            Name=draft.title, Description=with_ref(draft.description, ref), RelatedEntity=entity,
            RelatedEntityId=entity_id, DueDate=draft.due, EndDate=draft.end if appointment else draft.due + TODO_OPEN_FOR,
            Reminder=draft.reminder_minutes if appointment else None,
            ReminderBeforeDays=str(draft.reminder_days_before) if not appointment and draft.reminder_days_before is not None else None,
            ReminderTime=f"{draft.reminder_time or '09:00'}:00" if not appointment and draft.reminder_days_before is not None else None,
            NotifyBy=NOTIFY_BY_EMAIL if draft.notify_by_email else NO_NOTIFICATION, OwnerId=owner.id,
            TaskType=TaskTypeRef(Name=draft.task_type), Location=draft.location or None,
            CustomFields=draft.custom_fields or None)

    # ----- confirm ------------------------------------------------------------------------------

    async def _end_given_by_leadsquared(self, crm_id: str) -> datetime | None:
        """An appointment sent with no end took its task type's duration in LeadSquared: read it back once."""
        try:
            return (await self.lsq.get_task(crm_id)).EndDate
        except CRMError as error:
            log.info("the end of appointment %s is not known yet: %s", crm_id, error)
            return None

    def card(self, draft: Draft, crm_id: str | None = None, status: str = "open") -> TaskCard:
        return TaskCard(crm_id=crm_id,
            kind=draft.kind, title=draft.title, task_type=draft.task_type, due=draft.due, end=draft.end,
            owner_slack_id=draft.owner_slack_id, owner_name=None, creator_slack_id=draft.creator_slack_id,
            lead_id=draft.lead_id, lead_name=draft.lead_name, opportunity_name=draft.opportunity_name,
            reminder=reminder_text(draft.kind, draft.reminder_minutes, draft.reminder_days_before, draft.reminder_time),
            location=draft.location, status=status)

    async def confirm(self, operation_id: int) -> None:
        operation = self.store.operation(operation_id)
        assert operation is not None and operation["crm_id"]
        draft = Draft.model_validate(operation["payload"]["draft"])
        if draft.kind is Kind.APPOINTMENT and draft.end is None:
            draft.end = await self._end_given_by_leadsquared(operation["crm_id"])
        task_id = self.store.add_task(
            backend=BACKEND, crm_id=operation["crm_id"], kind=draft.kind.value, title=draft.title, due_utc=draft.due,
            end_utc=draft.end, owner_slack_id=draft.owner_slack_id, creator_slack_id=draft.creator_slack_id,
            lead_id=draft.lead_id, lead_name=draft.lead_name, status="open", thread_ts=draft.thread_ts,
            details={"draft": draft.model_dump(mode="json")})
        if (self.store.task(task_id) or {}).get("confirmation_ts"):
            self.store.update_operation(operation_id, status="done")
            return
        self.task_changed(task_id)
        text, blocks = confirmation(self.card(draft, operation["crm_id"]), draft.tz, self.settings.lsq_app_url,
                                    self.settings.lsq_is_sandbox)
        posted = await post_confirmation(self.slack, draft.channel_id, draft.thread_ts, draft.creator_slack_id, text, blocks)
        self.store.update_task(task_id, channel_id=posted.channel, confirmation_ts=posted.ts)
        self.store.update_operation(operation_id, status="done")
