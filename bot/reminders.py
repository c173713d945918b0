"""Reminder DMs: before a task is due, when it becomes overdue, snoozed ones, and a daily digest.

The schedule lives in SQLite. A reminder is claimed (a conditional UPDATE) before it is sent, so two
bot processes on one database never both send it; a claim left by a crashed process is taken over
after CLAIM_TTL, so nothing is lost. The one window for a repeat is a crash after Slack accepted the
DM and before it was marked sent. After downtime, reminders missed by under 30 minutes go out marked
late; older ones are skipped and listed in the next digest.

Each reminder remembers the due time and owner it was planned for: planning again (a LeadSquared
webhook, an Edit) never repeats one already sent, failed or skipped for the same ones. A DM Slack
refuses for good (a deactivated member, a channel gone) marks the reminder failed; one refused for
now is tried again later, each time waiting longer (RETRY_AFTER), and the loop never spins.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
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
CLAIM_TTL = timedelta(minutes=2)
IDLE_WAIT = 30.0
MIN_WAIT = 1.0
RETRY_AFTER = (30.0, 60.0, 120.0, 300.0, 600.0)
REFUSED_FOR_GOOD = {"user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot", "channel_not_found",
                    "is_archived", "not_in_channel", "restricted_action", "invalid_blocks", "invalid_arguments",
                    "msg_too_long", "no_text"}
DEALT_WITH = ("claimed", "sent", "failed", "skipped", "skipped-listed")
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
        self.instance = uuid.uuid4().hex[:12]
        self._wake: asyncio.Event | None = None

    # ----- the schedule ---------------------------------------------------------------------------

    def schedule(self, task_id: int) -> None:
        """Plan this task's reminders from its current state. What is pending is planned afresh (a snooze
        for the same due time and owner stands); one already dealt with for them is not planned again."""
        row = self.store.task(task_id)
        if row is None:
            return
        if row["status"] != "open" or row["due_utc"] is None or not row["owner_slack_id"]:
            self._cancel_pending(task_id, (BEFORE, OVERDUE, SNOOZE))
            self.wake()
            return
        basis = _basis(row)
        self.store.db.execute(
            "UPDATE reminders SET status = 'cancelled' WHERE task_id = ? AND status = 'pending' "
            "AND (kind != ? OR due_utc IS NOT ? OR owner_slack_id IS NOT ?)", [task_id, SNOOZE, *basis])
        draft = (row["details"] or {}).get("draft") or {}
        owner = self.people.cached(row["owner_slack_id"])
        tz = owner.tz if owner else self.settings.default_tz
        kind = Kind(row["kind"])
        due, end = row["due_utc"], row["end_utc"] or row["due_utc"]
        fire = before_time(kind, due, tz, draft.get("reminder_minutes"), draft.get("reminder_days_before"),
                           draft.get("reminder_time"), self.people.preferences(row["owner_slack_id"]))
        now = self.clock.now()
        if due > now and not self._dealt_with(task_id, BEFORE, basis):
            self._add(task_id, max(fire, now), BEFORE, basis)
        if end > now and row["backend"] != MEETINGS and not self._dealt_with(task_id, OVERDUE, basis):
            self._add(task_id, end, OVERDUE, basis)
        self.wake()

    def snooze(self, task_id: int, until: datetime) -> None:
        row = self.store.task(task_id)
        if row is None:
            return
        self._cancel_pending(task_id, (BEFORE, SNOOZE))
        self._add(task_id, until, SNOOZE, _basis(row))
        self.wake()

    def _dealt_with(self, task_id: int, kind: str, basis: tuple[str, str]) -> bool:
        marks = ",".join("?" * len(DEALT_WITH))
        return self.store.db.execute(
            f"SELECT 1 FROM reminders WHERE task_id = ? AND kind = ? AND due_utc = ? AND owner_slack_id = ? "
            f"AND status IN ({marks})", [task_id, kind, *basis, *DEALT_WITH]).fetchone() is not None

    def _cancel_pending(self, task_id: int, kinds: tuple[str, ...]) -> None:
        marks = ",".join("?" * len(kinds))
        self.store.db.execute(f"UPDATE reminders SET status = 'cancelled' WHERE task_id = ? AND status = 'pending' "
                              f"AND kind IN ({marks})", [task_id, *kinds])

    def _add(self, task_id: int, fire_at: datetime, kind: str, basis: tuple[str, str]) -> None:
        self.store.db.execute("INSERT INTO reminders (task_id, fire_at, kind, due_utc, owner_slack_id) "
                              "VALUES (?, ?, ?, ?, ?)", [task_id, iso(fire_at), kind, *basis])

    def pending(self, task_id: int | None = None) -> list[dict[str, Any]]:
        where, args = ("status = 'pending'", []) if task_id is None else ("status = 'pending' AND task_id = ?",
                                                                           [task_id])
        return [dict(row) for row in self.store.db["reminders"].rows_where(where, args, order_by="fire_at")]

    # ----- sending --------------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Claim and send every reminder whose time has come; returns how many were sent."""
        now = self.clock.now()
        self.store.db.execute(
            "UPDATE reminders SET status = 'pending', claimed_by = NULL WHERE status = 'claimed' AND claimed_at < ?",
            [iso(now - CLAIM_TTL)])
        due = [row[0] for row in self.store.db.execute(
            "SELECT id FROM reminders WHERE status = 'pending' AND coalesce(retry_at, fire_at) <= ? ORDER BY fire_at",
            [iso(now)])]
        sent = 0
        for reminder_id in due:
            if await self._send_one(reminder_id, now):
                sent += 1
        return sent

    def _claim(self, reminder_id: int, now: datetime) -> bool:
        cursor = self.store.db.execute(
            "UPDATE reminders SET status = 'claimed', claimed_by = ?, claimed_at = ? WHERE id = ? AND status = 'pending'",
            [self.instance, iso(now), reminder_id])
        return cursor.rowcount == 1

    async def _send_one(self, reminder_id: int, now: datetime) -> bool:
        if not self._claim(reminder_id, now):
            return False
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
        waits before it is tried again."""
        try:
            answer = await self.slack.chat_postMessage(channel=owner, text=text, blocks=blocks)
        except SlackApiError as error:
            reason = str(error.response.get("error"))
            if reason in REFUSED_FOR_GOOD:
                log.warning("reminder %s for %s refused by Slack for good (%s); marked failed", reminder_id, owner,
                            reason, extra={"user": owner, "slack_error": reason})
                self.store.db.execute("UPDATE reminders SET status = 'failed', error = ? WHERE id = ?",
                                      [reason, reminder_id])
                return False
            self._retry_later(reminder_id, reason)
            return False
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            self._retry_later(reminder_id, type(error).__name__)
            return False
        self.store.db.execute("UPDATE reminders SET status = 'sent', sent_at = ?, dm_channel = ?, dm_ts = ? "
                              "WHERE id = ?", [iso(self.clock.now()), answer["channel"], answer["ts"], reminder_id])
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
        attempts = self.store.db.execute("SELECT attempts FROM reminders WHERE id = ?", [reminder_id]).fetchone()[0]
        wait = RETRY_AFTER[min(attempts, len(RETRY_AFTER) - 1)]
        log.warning("reminder %s not delivered (%s); trying again in %.0f s", reminder_id, reason, wait)
        self.store.db.execute(
            "UPDATE reminders SET status = 'pending', claimed_by = NULL, attempts = attempts + 1, retry_at = ?, "
            "error = ? WHERE id = ?", [iso(self.clock.now() + timedelta(seconds=wait)), reason, reminder_id])

    def _finish(self, reminder_id: int, status: str) -> None:
        self.store.db.execute("UPDATE reminders SET status = ? WHERE id = ?", [status, reminder_id])

    # ----- the daily digest -----------------------------------------------------------------------

    async def send_digests(self) -> int:
        """At 9:00 local, once a day, for everyone who opted in: today's and overdue tasks, and what was missed."""
        now = self.clock.now()
        sent = 0
        for row in self.store.db.execute("SELECT slack_id FROM users WHERE digest_enabled = 1").fetchall():
            person = await self.people.get(row[0])
            local = now.astimezone(ZoneInfo(person.tz))
            last = self.store.db.execute("SELECT digest_last_sent FROM users WHERE slack_id = ?", [row[0]]).fetchone()[0]
            if local.hour < DIGEST_HOUR or last == local.date().isoformat():
                continue
            self.store.db.execute("UPDATE users SET digest_last_sent = ? WHERE slack_id = ?",
                                  [local.date().isoformat(), row[0]])
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
        missed = [row[0] for row in self.store.db.execute(
            "SELECT t.title FROM reminders r JOIN tasks t ON t.id = r.task_id WHERE r.status = 'skipped' "
            "AND t.owner_slack_id = ?", [user_id])]
        self.store.db.execute("UPDATE reminders SET status = 'skipped-listed' WHERE status = 'skipped' AND task_id IN "
                              "(SELECT id FROM tasks WHERE owner_slack_id = ?)", [user_id])
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
        row = self.store.db.execute(
            "SELECT MIN(coalesce(retry_at, fire_at)) FROM reminders WHERE status = 'pending'").fetchone()
        if not row or not row[0]:
            return IDLE_WAIT
        seconds = (parse_iso(row[0]) - self.clock.now()).total_seconds()
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
