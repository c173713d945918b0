"""Reminder DMs: before a task is due, when it becomes overdue, snoozed ones, and a daily digest.

The schedule lives in the store. Reminders are claimed in batches with a lease (a conditional UPDATE that
returns them) before they are sent, so two replicas on one database never both send one; the holder renews
its lease while it sends, and a claim left by a replica that stopped is taken over once its lease ends, so
nothing is lost. The claim is checked again right before the DM goes out. The one window for a repeat is
a crash (or a lease running out, e.g. a replica cut off from the database for a minute) after Slack
accepted the DM and before it was marked sent. After downtime, reminders missed by under 30 minutes go out marked
late; older ones are skipped and listed in the next digest.

Each reminder remembers the due time and owner it was planned for: planning again (a LeadSquared
webhook, an Edit) never repeats one already sent, failed or skipped for the same ones. A DM Slack
refuses for good (a deactivated member, a channel gone) marks the reminder failed; one refused for
now is tried again later, each time waiting longer (RETRY_AFTER), and the loop never spins.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.config import Settings
from bot.crm.errors import CRMError
from bot.meetings import BACKEND as MEETINGS
from bot.meetings import Meetings
from bot.models import Kind
from bot.people import People
from bot.store import Store, iso, parse_iso
from bot.task_changes import TaskChanges, by_day
from bot.ui import reminder_messages
from bot.ui.meet_message import OPEN
from bot.ui.task_message import TaskCard

log = logging.getLogger("taskbot.reminders")
BEFORE, OVERDUE, SNOOZE = "before", "overdue", "snooze"
LATE_LIMIT = timedelta(minutes=30)
CLAIM_BATCH = 20
"""Reminders claimed (and sent side by side) at a time; the next batch is claimed when these are done."""
IDLE_WAIT = 30.0
MIN_WAIT = 0.05
RETRY_AFTER = (30.0, 60.0, 120.0, 300.0, 600.0)
REFUSED_FOR_GOOD = {"user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot", "channel_not_found",
                    "is_archived", "not_in_channel", "restricted_action", "invalid_blocks", "invalid_arguments",
                    "msg_too_long", "no_text"}
DIGEST_HOUR = 9
DEFAULT_APPOINTMENT_MINUTES = 15
DEFAULT_TODO_TIME = "09:00"


def before_time(kind: Kind, due: datetime, tz: str, minutes: int | None, days_before: int | None,
                at: str | None, preferences: dict[str, Any]) -> datetime:
    """When the "coming up" DM is due: the task's own reminder, else the owner's default."""
    if kind is Kind.APPOINTMENT:
        if minutes is None:
            minutes = preferences.get("reminder_appt_minutes") or DEFAULT_APPOINTMENT_MINUTES
        return due - timedelta(minutes=minutes)
    if days_before is None:
        days_before, at = 0, preferences.get("reminder_todo_time") or DEFAULT_TODO_TIME
    zone = ZoneInfo(tz)
    day = due.astimezone(zone).date() - timedelta(days=days_before)
    clock = time.fromisoformat(at or DEFAULT_TODO_TIME)
    fire = datetime.combine(day, clock, tzinfo=zone).astimezone(due.tzinfo)
    return min(fire, due)


class Reminders:
    def __init__(self, store: Store, people: People, slack: AsyncWebClient, settings: Settings, clock: Clock,
                 changes: TaskChanges, meetings: Meetings):
        self.store = store
        self.meetings = meetings
        self.people = people
        self.slack = slack
        self.settings = settings
        self.clock = clock
        self.changes = changes
        self._wake: asyncio.Event | None = None

    # ----- the schedule ---------------------------------------------------------------------------

    def schedule(self, task_id: int) -> None:
        """Plan this task's reminders from its current state. What is pending is planned afresh (a snooze
        for the same due time and owner stands); one already dealt with for them is not planned again."""
        row = self.store.task(task_id)
        if row is None:
            return
        if row["status"] != "open" or row["due_utc"] is None or not row["owner_slack_id"]:
            self.store.cancel_pending_reminders(task_id, (BEFORE, OVERDUE, SNOOZE))
            self.wake()
            return
        basis = _basis(row)
        self.store.cancel_replanned_reminders(task_id, basis, SNOOZE)
        draft = (row["details"] or {}).get("draft") or {}
        owner = self.people.cached(row["owner_slack_id"])
        tz = owner.tz if owner else self.settings.default_tz
        kind = Kind(row["kind"])
        due, end = row["due_utc"], row["end_utc"] or row["due_utc"]
        fire = before_time(kind, due, tz, draft.get("reminder_minutes"), draft.get("reminder_days_before"),
                           draft.get("reminder_time"), self.people.preferences(row["owner_slack_id"]))
        now = self.clock.now()
        if due > now and not self.store.reminder_dealt_with(task_id, BEFORE, basis):
            self.store.add_reminder(task_id, max(fire, now), BEFORE, basis)
        if end > now and row["backend"] != MEETINGS and not self.store.reminder_dealt_with(task_id, OVERDUE, basis):
            self.store.add_reminder(task_id, end, OVERDUE, basis)
        self.wake()

    def snooze(self, task_id: int, until: datetime) -> None:
        row = self.store.task(task_id)
        if row is None:
            return
        self.store.cancel_pending_reminders(task_id, (BEFORE, SNOOZE))
        self.store.add_reminder(task_id, until, SNOOZE, _basis(row))
        self.wake()

    def pending(self, task_id: int | None = None) -> list[dict[str, Any]]:
        return self.store.pending_reminders(task_id)

    # ----- sending --------------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Claim and send every reminder whose time has come, a batch at a time (other replicas take other
        batches); returns how many were sent."""
        sent = 0
        while claimed := self.store.claim_due_reminders(CLAIM_BATCH):
            outcomes = await asyncio.gather(*[self._send_claimed(reminder_id, self.clock.now())
                                              for reminder_id in claimed])
            sent += sum(outcomes)
        return sent

    async def _send_claimed(self, reminder_id: int, now: datetime) -> bool:
        """Send one claimed reminder; whatever breaks on the way, it goes back to wait and is tried again."""
        try:
            return await self._send_one(reminder_id, now)
        except Exception as error:  # noqa: BLE001 - one reminder must never strand its claim
            log.exception("reminder %s not sent: unexpected %s", reminder_id, type(error).__name__)
            self.store.retry_reminder(reminder_id, RETRY_AFTER, type(error).__name__)
            return False

    async def _send_one(self, reminder_id: int, now: datetime) -> bool:
        reminder = self.store.reminder(reminder_id)
        assert reminder is not None
        fire_at = parse_iso(reminder["fire_at"])
        assert fire_at is not None
        if now - fire_at > LATE_LIMIT:
            self._finish(reminder_id, "skipped")
            return False
        row = self.store.task(reminder["task_id"])
        if row is None or row["status"] != "open":
            self._finish(reminder_id, "cancelled")
            return False
        if row["backend"] == MEETINGS:
            return await self._send_meeting(reminder_id, row, fire_at, now)
        try:
            task = await self.changes.fetch(row["crm_id"]) if row["crm_id"] else None
        except CRMError as error:
            log.warning("reminder %s: LeadSquared unavailable (%s); sending from what the bot knows", reminder_id,
                        error)
            task = "unknown"
        if task is None or (task != "unknown" and task.completed):
            if task is not None:
                await self.changes.show(task)
            self._finish(reminder_id, "cancelled")
            return False
        card = self.changes.card(task) if task != "unknown" else _card_from_row(row)
        owner = await self.people.get(row["owner_slack_id"])
        late = now - fire_at > timedelta(minutes=1)
        text, blocks = reminder_messages.reminder(reminder["kind"], card, owner.tz, now, late, self.settings.lsq_app_url)
        return await self._deliver(reminder_id, row["owner_slack_id"], text, blocks)

    async def _deliver(self, reminder_id: int, owner: str, text: str, blocks: list[dict[str, Any]]) -> bool:
        """DM the reminder and mark it sent; one refused for good is marked failed, one refused for now
        waits before it is tried again. A claim that ran out meanwhile (another replica may have it) is not
        sent."""
        if not self.store.still_claimed(reminder_id):
            log.warning("reminder %s: this replica's claim ran out before it was sent; left to its new holder",
                        reminder_id)
            return False
        try:
            answer = await self.slack.chat_postMessage(channel=owner, text=text, blocks=blocks)
        except SlackApiError as error:
            reason = str(error.response.get("error"))
            if reason in REFUSED_FOR_GOOD:
                log.warning("reminder %s for %s refused by Slack for good (%s); marked failed", reminder_id, owner,
                            reason, extra={"user": owner, "slack_error": reason})
                self.store.finish_reminder(reminder_id, "failed", reason)
                return False
            self._retry_later(reminder_id, reason)
            return False
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            self._retry_later(reminder_id, type(error).__name__)
            return False
        self.store.reminder_sent(reminder_id, answer["channel"], answer["ts"])
        return True

    async def _send_meeting(self, reminder_id: int, row: dict[str, Any], fire_at: datetime, now: datetime) -> bool:
        """A meeting's reminder, if HighLevel still has it open (a cancelled or deleted one is not reminded)."""
        try:
            card = await self.meetings.current_card(row)
        except CRMError as error:
            log.warning("reminder %s: HighLevel unavailable (%s); sending from what the bot knows", reminder_id,
                        error)
            card = self.meetings.card_of(row)
        if card is None or card.status not in OPEN:
            self._finish(reminder_id, "cancelled")
            return False
        owner = await self.people.get(row["owner_slack_id"])
        text, blocks = reminder_messages.meeting_reminder(card, owner.tz, now, now - fire_at > timedelta(minutes=1))
        return await self._deliver(reminder_id, row["owner_slack_id"], text, blocks)

    def _retry_later(self, reminder_id: int, reason: str) -> None:
        wait = self.store.retry_reminder(reminder_id, RETRY_AFTER, reason)
        log.warning("reminder %s not delivered (%s); trying again in %.0f s", reminder_id, reason, wait)

    def _finish(self, reminder_id: int, status: str) -> None:
        self.store.finish_reminder(reminder_id, status)

    # ----- the daily digest -----------------------------------------------------------------------

    async def send_digests(self) -> int:
        """At 9:00 local, once a day, for everyone who opted in: today's and overdue tasks, and what was missed."""
        now = self.clock.now()
        sent = 0
        for slack_id in self.store.digest_subscribers():
            person = await self.people.get(slack_id)
            local = now.astimezone(ZoneInfo(person.tz))
            if local.hour < DIGEST_HOUR or not self.store.claim_digest(slack_id, local.date().isoformat()):
                continue
            await self._digest(person.slack_id, person.tz, now)
            sent += 1
        return sent

    async def _digest(self, user_id: str, tz: str, now: datetime) -> None:
        try:
            tasks = await self.changes.open_tasks(user_id) or []
        except CRMError as error:
            log.warning("digest for %s without tasks: %s", user_id, error)
            tasks = []
        day = by_day(tasks, now, tz)
        overdue = [self.changes.card(t) for t in day.overdue]
        todays = [self.changes.card(t) for t in day.today]
        missed = self.store.take_missed_reminders(user_id)
        text, blocks = reminder_messages.digest(todays, overdue, missed, tz)
        await self.slack.chat_postMessage(channel=user_id, text=text, blocks=blocks)

    # ----- the loop -------------------------------------------------------------------------------

    def wake(self) -> None:
        """Something changed in the schedule: look again now instead of at the next planned time."""
        if self._wake is not None:
            self._wake.set()

    async def run_forever(self) -> None:
        self._wake = asyncio.Event()
        while True:
            try:
                await self.run_due()
                await self.send_digests()
            except Exception:  # noqa: BLE001 - the loop must survive any one bad reminder
                log.exception("reminder loop error; continuing")
            self._wake.clear()
            woken = asyncio.ensure_future(self._wake.wait())
            pause = asyncio.ensure_future(self.clock.sleep(self._seconds_to_next()))
            try:
                await asyncio.wait({woken, pause}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in (woken, pause):
                    waiter.cancel()
                await asyncio.gather(woken, pause, return_exceptions=True)

    def _seconds_to_next(self) -> float:
        """Until the next reminder is due, at most IDLE_WAIT. One still due right after a turn (it could
        not be sent) waits MIN_WAIT: never a loop that does not wait."""
        next_at = self.store.next_reminder_at()
        if next_at is None:
            return IDLE_WAIT
        seconds = (next_at - self.clock.now()).total_seconds()
        return MIN_WAIT if seconds <= 0 else min(seconds, IDLE_WAIT)


def _basis(row: dict[str, Any]) -> tuple[str, str]:
    """The due time and owner a reminder is planned for."""
    return iso(row["due_utc"]), row["owner_slack_id"]


def _card_from_row(row: dict[str, Any]) -> TaskCard:
    draft = (row["details"] or {}).get("draft") or {}
    return TaskCard(kind=Kind(row["kind"]), title=row["title"], task_type=draft.get("task_type", "Task"),
                    due=row["due_utc"], end=row["end_utc"], owner_slack_id=row["owner_slack_id"], owner_name=None,
                    creator_slack_id=row["creator_slack_id"], crm_id=row["crm_id"], lead_id=row["lead_id"],
                    lead_name=row["lead_name"])
