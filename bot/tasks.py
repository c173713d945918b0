"""LeadSquared tasks: create through the outbox, confirm in Slack, and never create one twice.

A draft is stored (operations table) before anything is sent. Each operation moves
pending -> sending -> created -> done, or to failed with the CRM's reason; a restart resumes what was
unfinished, and anything that may have reached LeadSquared is looked up before it is sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.crm.errors import CRMError, OutcomeUnknown
from bot.crm.leadsquared import create_once
from bot.crm.leadsquared_models import (
    LEAD,
    NO_NOTIFICATION,
    NOT_LINKED,
    NOTIFY_BY_EMAIL,
    OPPORTUNITY,
    TaskCreate,
    TaskTypeRef,
)
from bot.models import Draft, Kind
from bot.service import Service
from bot.ui import notices
from bot.ui.task_message import TaskCard, confirmation, reminder_text

log = logging.getLogger("taskbot.tasks")
BACKEND = "leadsquared"
CREATE = "lsq.create"
CONFIRM_BACKOFF = (2.0, 10.0, 30.0, 120.0)
CANNOT_POST = {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "missing_scope"}


def related_entity(draft: Draft) -> tuple[int, str]:
    """What the task hangs on in LeadSquared: the opportunity if one was picked, else the lead, else nothing."""
    if draft.opportunity_id:
        return OPPORTUNITY, draft.opportunity_id
    if draft.lead_id:
        return LEAD, draft.lead_id
    return NOT_LINKED, ""


class NoCrmUser(CRMError):
    """The owner has no active LeadSquared user the bot can find."""


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str
    fallback: bool


class Tasks(Service):
    def __post_init__(self) -> None:
        self.task_changed: Callable[[int], None] = lambda task_id: None

    # ----- create -------------------------------------------------------------------------------

    async def submit(self, draft: Draft, key: str, replaces: int | None = None) -> int:
        """Store the draft under `key` (one modal submission) and send it; a repeat of `key` does nothing.

        `replaces`: the failed draft this one is an edit of; it will not be retried any more.
        """
        if replaces is not None:
            self.store.claim_operation(replaces, ("failed",), "replaced")
        operation_id, new = self.store.add_operation(CREATE, key, {"draft": draft.model_dump(mode="json")})
        if new:
            await self.process(operation_id)
        else:
            log.info("operation %s already exists for %s; not sending again", operation_id, key)
        return operation_id

    async def process(self, operation_id: int) -> None:
        operation = self.store.operation(operation_id)
        if operation is None:
            return
        if operation["status"] == "created":
            await self._confirm_patiently(operation_id)
            return
        if not self.store.claim_operation(operation_id, ("pending",), "sending"):
            return
        payload = operation["payload"]
        draft = Draft.model_validate(payload["draft"])
        try:
            body = await self._create_body(draft)
            crm_id = await create_once(self.lsq, body, check_first=bool(payload.get("maybe_sent")))
        except OutcomeUnknown as unknown:
            self.store.update_operation(operation_id, status="failed", error=unknown.message,
                                        payload={**payload, "maybe_sent": True})
            await self._tell_failure(operation_id, draft, unknown.message)
            return
        except CRMError as error:
            log.info("operation %s failed: %s", operation_id, error)
            self.store.update_operation(operation_id, status="failed", error=error.message)
            await self._tell_failure(operation_id, draft, error.message)
            return
        self.store.update_operation(operation_id, status="created", crm_id=crm_id, error=None)
        await self._confirm_patiently(operation_id)

    def claim_retry(self, operation_id: int) -> bool:
        """The Retry button: True if the draft was waiting for one (then `process` sends it)."""
        return self.store.claim_operation(operation_id, ("failed",), "pending")

    async def resume(self) -> int:
        """On start-up: finish what a stop interrupted. A draft caught mid-send is looked up first."""
        unfinished = self.store.unfinished_operations()
        for operation_id in unfinished:
            operation = self.store.operation(operation_id)
            assert operation is not None
            if operation["status"] == "sending":
                self.store.update_operation(operation_id, status="pending",
                                            payload={**operation["payload"], "maybe_sent": True})
            await self.process(operation_id)
        return len(unfinished)

    def draft_of(self, operation_id: int) -> tuple[Draft, dict[str, Any]] | None:
        operation = self.store.operation(operation_id)
        if operation is None or operation["kind"] != CREATE:
            return None
        return Draft.model_validate(operation["payload"]["draft"]), operation

    async def _create_body(self, draft: Draft) -> TaskCreate:
        owner = await self.people.crm_user(draft.owner_slack_id)
        if owner is None:
            person = await self.people.get(draft.owner_slack_id)
            raise NoCrmUser("LeadSquared", notices.no_crm_user(person.name, person.email))
        entity, entity_id = related_entity(draft)
        appointment = draft.kind is Kind.APPOINTMENT
        return TaskCreate(
            Name=draft.title, Description=draft.description or None, RelatedEntity=entity, RelatedEntityId=entity_id,
            DueDate=draft.due, EndDate=draft.end if appointment else None,
            Reminder=draft.reminder_minutes if appointment else None,
            ReminderBeforeDays=str(draft.reminder_days_before) if not appointment and draft.reminder_days_before is not None else None,
            ReminderTime=f"{draft.reminder_time or '09:00'}:00" if not appointment and draft.reminder_days_before is not None else None,
            NotifyBy=NOTIFY_BY_EMAIL if draft.notify_by_email else NO_NOTIFICATION, OwnerId=owner.id,
            TaskType=TaskTypeRef(Name=draft.task_type), Location=draft.location or None,
            CustomFields=draft.custom_fields or None)

    # ----- confirm ------------------------------------------------------------------------------

    def card(self, draft: Draft, crm_id: str | None = None, status: str = "open") -> TaskCard:
        return TaskCard(crm_id=crm_id,
            kind=draft.kind, title=draft.title, task_type=draft.task_type, due=draft.due, end=draft.end,
            owner_slack_id=draft.owner_slack_id, owner_name=None, creator_slack_id=draft.creator_slack_id,
            lead_id=draft.lead_id, lead_name=draft.lead_name, opportunity_name=draft.opportunity_name,
            reminder=reminder_text(draft.kind, draft.reminder_minutes, draft.reminder_days_before, draft.reminder_time),
            location=draft.location, status=status)

    async def _confirm_patiently(self, operation_id: int) -> None:
        """The task exists; its confirmation must not be lost to a busy Slack. A restart tries again too."""
        for delay in CONFIRM_BACKOFF:
            try:
                await self._confirm(operation_id)
                return
            except SlackApiError as error:
                log.warning("confirmation of operation %s not posted (%s); trying again in %ss", operation_id,
                            error.response.get("error"), delay)
                await self.clock.sleep(delay)
        log.error("confirmation of operation %s still not posted; it will be retried at the next start",
                  operation_id)

    async def _confirm(self, operation_id: int) -> None:
        operation = self.store.operation(operation_id)
        assert operation is not None and operation["crm_id"]
        draft = Draft.model_validate(operation["payload"]["draft"])
        task_id = self.store.add_task(
            backend=BACKEND, crm_id=operation["crm_id"], kind=draft.kind.value, title=draft.title, due_utc=draft.due,
            end_utc=draft.end, owner_slack_id=draft.owner_slack_id, creator_slack_id=draft.creator_slack_id,
            lead_id=draft.lead_id, lead_name=draft.lead_name, status="open", thread_ts=draft.thread_ts,
            details={"draft": draft.model_dump(mode="json")})
        self.task_changed(task_id)
        text, blocks = confirmation(self.card(draft, operation["crm_id"]), draft.tz, self.settings.lsq_app_url,
                                    self.settings.lsq_is_sandbox)
        posted = await self.post(draft.channel_id, draft.thread_ts, draft.creator_slack_id, text, blocks)
        self.store.update_task(task_id, channel_id=posted.channel, confirmation_ts=posted.ts)
        self.store.update_operation(operation_id, status="done")

    async def post(self, channel: str | None, thread_ts: str | None, rep: str, text: str,
                   blocks: list[dict[str, Any]]) -> Posted:
        """Post where the rep asked; where the bot may not, DM the rep instead and say why."""
        if channel:
            try:
                answer = await self.slack.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text,
                                                           blocks=blocks, unfurl_links=False)
                return Posted(answer["channel"], answer["ts"], False)
            except SlackApiError as error:
                if error.response.get("error") not in CANNOT_POST:
                    raise
                log.info("cannot post in %s (%s); sending to the rep", channel, error.response.get("error"))
        note_text, note_blocks = notices.posted_privately(channel) if channel else ("", [])
        answer = await self.slack.chat_postMessage(channel=rep, text=text, blocks=note_blocks + blocks,
                                                   unfurl_links=False)
        return Posted(answer["channel"], answer["ts"], True)

    async def _tell_failure(self, operation_id: int, draft: Draft, reason: str) -> None:
        text, blocks = notices.create_failed(draft.title, reason, operation_id)
        await self.slack.chat_postMessage(channel=draft.creator_slack_id, text=text, blocks=blocks)
