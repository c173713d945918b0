"""The outbox of CRM creates: nothing a rep submits is lost, and nothing is created twice.

A draft is stored (operations table) before anything is sent. Each operation moves
pending -> sending -> created -> done, or to failing -> failed with the reason and a DM offering Retry
and Edit (whatever went wrong: the CRM, Slack, or Taskbot itself). A create that had an unknown
outcome goes on to verifying: after a grace period its CRM is searched for a late copy, which is
removed (or the rep told of it). A restart resumes what was unfinished, and anything that may have
reached the CRM is looked up before it is sent again. Each CRM plugs in a Writer that knows how to
send, confirm and verify its drafts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
from pydantic import BaseModel
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.crm.errors import CRMError, OutcomeUnknown
from bot.crm.ratelimit import background, patient
from bot.store import Store
from bot.ui import notices

log = logging.getLogger("taskbot.outbox")
CONFIRM_BACKOFF = (2.0, 10.0, 30.0, 120.0)
SLACK_TROUBLE = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError)
"""A refusal for now, or no answer at all (a connection dropped or timed out): worth trying again."""
CANNOT_POST = {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "missing_scope"}


@dataclass(frozen=True)
class Sent:
    """A record the CRM made: its id, and whether a send of it had an unknown outcome (verify later)."""

    crm_id: str
    uncertain: bool = False


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str
    fallback: bool


async def post_confirmation(slack: AsyncWebClient, channel: str | None, thread_ts: str | None, rep: str, text: str,
                            blocks: list[dict[str, Any]]) -> Posted:
    """Post where the rep asked; where the bot may not, DM the rep instead and say why."""
    if channel:
        try:
            answer = await slack.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text, blocks=blocks,
                                                  unfurl_links=False)
            return Posted(answer["channel"], answer["ts"], False)
        except SlackApiError as error:
            if error.response.get("error") not in CANNOT_POST:
                raise
            log.info("cannot post in %s (%s); sending to the rep", channel, error.response.get("error"))
    note_text, note_blocks = notices.posted_privately(channel) if channel else ("", [])
    answer = await slack.chat_postMessage(channel=rep, text=text, blocks=note_blocks + blocks, unfurl_links=False)
    return Posted(answer["channel"], answer["ts"], True)


class Writer(Protocol):
    """One CRM's side of the outbox."""

    crm: str

    async def send(self, operation_id: int, payload: dict[str, Any], maybe_sent: bool) -> Sent:
        """Create the record exactly once; `maybe_sent`: look it up first."""

    async def confirm(self, operation_id: int) -> None:
        """Record the created task and post its confirmation (raises SlackApiError to be retried)."""

    async def verify(self, operation_id: int) -> None:
        """After a grace period, remove any late copy of an uncertain create (or tell the rep of it)."""

    async def reopen(self, trigger_id: str, user_id: str, draft: dict[str, Any], retry_of: int) -> None:
        """Open the form again with a failed draft, for "Edit and retry"."""


class Outbox:
    def __init__(self, store: Store, slack: AsyncWebClient, clock: Clock):
        self.store = store
        self.slack = slack
        self.clock = clock
        self.writers: dict[str, Writer] = {}
        self._later: set[asyncio.Task] = set()
        self._working: set[int] = set()

    async def submit(self, kind: str, key: str, draft: BaseModel, replaces: int | None = None) -> int:
        """Store the draft under `key` (one modal submission) and send it; a repeat of `key` does nothing.

        `replaces`: the failed draft this one is an edit of; it will not be retried any more.
        """
        if replaces is not None:
            self.store.claim_operation(replaces, ("failed",), "replaced")
        operation_id, new = self.store.add_operation(kind, key, {"draft": draft.model_dump(mode="json")})
        if new:
            await self.process(operation_id)
        else:
            log.info("operation %s already exists for %s; not sending again", operation_id, key)
        return operation_id

    async def process(self, operation_id: int) -> None:
        """Work an operation on from where it is, holding it meanwhile so no other replica (and no other
        coroutine here) works on it too. It is let go after, whatever happened: if it did not come to rest,
        the next resume, here or on any replica, takes it up."""
        if operation_id in self._working:
            return
        operation = self.store.take_operation(operation_id)
        if operation is None:
            return
        self._working.add(operation_id)
        try:
            with patient():
                verify_later = await self._work(operation)
        finally:
            self._working.discard(operation_id)
            self.store.let_go("operations", operation_id)
        if verify_later:
            task = asyncio.ensure_future(self.process(operation_id))
            self._later.add(task)
            task.add_done_callback(self._later.discard)

    async def _work(self, operation: dict[str, Any]) -> bool:
        """One step or more; True when what is left is to verify an uncertain create after its grace period."""
        operation_id, status = operation["id"], operation["status"]
        if status == "created":
            return await self._confirm(operation_id)
        if status == "verifying":
            await self._verify(operation_id)
            return False
        if status == "failing":
            await self._tell_failure(operation_id)
            return False
        if not self.store.claim_operation(operation_id, ("pending",), "sending"):
            return False
        payload = operation["payload"]
        try:
            sent = await self.writers[operation["kind"]].send(operation_id, payload, bool(payload.get("maybe_sent")))
        except CRMError as error:
            log.info("operation %s failed: %s", operation_id, error)
            await self._fail(operation_id, error.message, maybe_sent=isinstance(error, OutcomeUnknown))
            return False
        except Exception:
            log.exception("operation %s failed inside Taskbot", operation_id)
            await self._fail(operation_id, "something went wrong inside Taskbot while sending it", maybe_sent=True)
            return False
        self.store.update_operation(operation_id, status="created", crm_id=sent.crm_id, error=None,
                                    payload={**payload, "verify": True} if sent.uncertain else payload)
        return await self._confirm(operation_id)

    async def _confirm(self, operation_id: int) -> bool:
        """Post the confirmation; True when the create was uncertain and must be verified next."""
        if not await self.confirm_patiently(operation_id):
            return False
        operation = self.store.operation(operation_id)
        assert operation is not None
        if not operation["payload"].get("verify"):
            return False
        self.store.update_operation(operation_id, status="verifying")
        return True

    async def _verify(self, operation_id: int) -> None:
        operation = self.store.operation(operation_id)
        assert operation is not None
        try:
            await self.writers[operation["kind"]].verify(operation_id)
        except (CRMError, SlackApiError) as error:
            log.warning("operation %s not verified yet (%s); the next resume tries again", operation_id, error)
            return
        self.store.update_operation(operation_id, status="done")

    async def _fail(self, operation_id: int, reason: str, maybe_sent: bool) -> None:
        """The draft waits for Retry or Edit; "failing" until the rep has been told."""
        latest = self.store.operation(operation_id)
        assert latest is not None
        changes: dict[str, Any] = {"status": "failing", "error": reason}
        if maybe_sent:
            changes["payload"] = {**latest["payload"], "maybe_sent": True}
        self.store.update_operation(operation_id, **changes)
        await self._tell_failure(operation_id)

    def claim_retry(self, operation_id: int) -> bool:
        """The Retry button: True if the draft was waiting for one (then `process` sends it)."""
        return self.store.claim_operation(operation_id, ("failed", "failing"), "pending")

    async def resume(self) -> int:
        """Finish what a stop interrupted, here or on a replica that stopped (only work whose lease ran out, or
        whose holder on this machine is gone). A draft caught mid-send is looked up first.

        They are finished side by side, as they were sent: one waiting out its grace period or a busy Slack
        must not hold back the drafts behind it. No rep is waiting on a form, so their CRM calls queue for
        the rate limit (which the previous run may have used up) instead of giving up after a few seconds."""
        unfinished = [operation["id"] for operation in self.store.take_abandoned_operations()]
        with background():
            await asyncio.gather(*[self.process(operation_id) for operation_id in unfinished])
        return len(unfinished)

    def saved(self, operation_id: int) -> dict[str, Any] | None:
        """The draft of an operation, for its failure DM's buttons."""
        operation = self.store.operation(operation_id)
        if operation is None or operation["kind"] not in self.writers:
            return None
        return operation["payload"]["draft"]

    async def reopen(self, operation_id: int, trigger_id: str, user_id: str) -> None:
        """"Edit and retry": the draft back in its own form; submitting it replaces this operation."""
        operation = self.store.operation(operation_id)
        assert operation is not None
        await self.writers[operation["kind"]].reopen(trigger_id, user_id, operation["payload"]["draft"],
                                                     operation_id)

    async def confirm_patiently(self, operation_id: int) -> bool:
        """The record exists; its confirmation must not be lost to a busy Slack. False when Slack still
        refused after a while: the operation stays created, and the next resume tries again."""
        operation = self.store.operation(operation_id)
        assert operation is not None
        writer = self.writers[operation["kind"]]
        for delay in CONFIRM_BACKOFF:
            try:
                await writer.confirm(operation_id)
                return True
            except SLACK_TROUBLE as error:
                log.warning("confirmation of operation %s not posted (%s); trying again in %ss", operation_id,
                            _trouble(error), delay)
                await self.clock.sleep(delay)
        log.error("confirmation of operation %s still not posted; any replica tries again shortly", operation_id)
        return False

    async def _tell_failure(self, operation_id: int) -> None:
        """DM the rep the reason with Retry and Edit; a busy Slack is tried again (and at the next start)."""
        operation = self.store.operation(operation_id)
        assert operation is not None
        draft = operation["payload"]["draft"]
        text, blocks = notices.create_failed(draft["title"], operation["error"] or "", operation_id,
                                             self.writers[operation["kind"]].crm)
        for delay in CONFIRM_BACKOFF:
            try:
                await self.slack.chat_postMessage(channel=draft["creator_slack_id"], text=text, blocks=blocks)
            except SLACK_TROUBLE as error:
                log.warning("failure DM of operation %s not posted (%s); trying again in %ss", operation_id,
                            _trouble(error), delay)
                await self.clock.sleep(delay)
                continue
            self.store.claim_operation(operation_id, ("failing",), "failed")
            return
        log.error("failure DM of operation %s still not posted; any replica tries again shortly", operation_id)


def _trouble(error: BaseException) -> str:
    return str(error.response.get("error")) if isinstance(error, SlackApiError) else type(error).__name__
