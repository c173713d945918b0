"""Composition root: settings in, a wired Bolt app and its services out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from slack_sdk.web.async_client import AsyncWebClient
from starlette.routing import BaseRoute

import handlers
from bot.bulk import BulkRuns
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.crm.errors import CRMError
from bot.crm.highlevel import HighLevel
from bot.crm.leadsquared import LeadSquared
from bot.crm.ratelimit import background
from bot.forms import TaskForms
from bot.meet_forms import MeetForms
from bot.meetings import CREATE as MEET_CREATE
from bot.meetings import Meetings
from bot.metrics import CRM_CALLS, crm_outcome
from bot.middleware import TaskbotBolt, install
from bot.outbox import Outbox
from bot.people import People
from bot.permissions import Permissions
from bot.reminders import Reminders
from bot.retention import Retention
from bot.serving import BackgroundServer
from bot.slack_client import PacedWebClient
from bot.store import Store
from bot.store.leases import LEASE
from bot.task_changes import TaskChanges
from bot.task_views import TaskViews
from bot.tasks import CREATE as TASK_CREATE
from bot.tasks import Tasks
from bot.webhooks import SyncQueue, Webhooks

log = logging.getLogger("taskbot")


@dataclass
class Services:
    """Everything a listener may call; built once per process."""

    settings: Settings
    clock: Clock
    store: Store
    slack: AsyncWebClient
    lsq: LeadSquared
    ghl: HighLevel
    people: People
    outbox: Outbox
    tasks: Tasks
    meetings: Meetings
    meet_forms: MeetForms
    forms: TaskForms
    changes: TaskChanges
    task_views: TaskViews
    reminders: Reminders
    bulk: BulkRuns
    permissions: Permissions

    @property
    def notices(self) -> list[str]:
        """What an admin should know about how this instance runs (shown in help and at start-up)."""
        notes = []
        if self.settings.lsq_is_sandbox:
            notes.append("LeadSquared: sandbox (no LSQ_ACCESS_KEY / LSQ_SECRET_KEY set); tasks are not real")
        if self.settings.ghl_is_sandbox:
            notes.append("HighLevel: sandbox (no GHL_TOKEN / GHL_LOCATION_ID set); /meet bookings are not real")
        return notes


class Taskbot:
    """The bot: its services, its Bolt app and the background work that outlives a request."""

    def __init__(self, settings: Settings, clock: Clock | None = None, reminder_loop: bool = True):
        """`reminder_loop=False`: whoever owns the clock also decides when reminders run (tests)."""
        self.settings = settings
        self.reminder_loop = reminder_loop
        clock = self.clock = clock or SystemClock()
        self.sandboxes: list[BackgroundServer] = []
        lsq = self._leadsquared(settings, clock)
        ghl = self._highlevel(settings, clock)
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        slack = PacedWebClient(token=token, base_url=settings.slack_api_url, clock=clock)
        store = Store(settings.database, clock)
        lsq.transport.shared_slots = ghl.transport.shared_slots = store
        people = People(store, slack, lsq, settings.default_tz, clock, settings.taskbot_date_order)
        forms = TaskForms(slack, lsq, people, settings, clock)
        changes = TaskChanges(store, lsq, people, slack, settings, clock)
        tasks = Tasks(store, lsq, people, slack, settings, clock, forms=forms)
        meet_forms = MeetForms(slack, ghl, people, settings, clock)
        meetings = Meetings(store, lsq, people, slack, settings, clock, ghl=ghl, forms=meet_forms)
        outbox = Outbox(store, slack, clock)
        outbox.writers = {TASK_CREATE: tasks, MEET_CREATE: meetings}
        reminders = Reminders(store, people, slack, settings, clock, changes, meetings)
        changes.task_changed = meetings.task_changed = reminders.schedule
        tasks.task_changed = changes.touched
        self.services = Services(
            settings=settings, clock=clock, store=store, slack=slack, lsq=lsq, ghl=ghl, people=people, outbox=outbox,
            tasks=tasks, meetings=meetings, meet_forms=meet_forms, forms=forms, changes=changes, task_views=TaskViews(slack, changes, forms, people, settings, clock, reminders, meetings),
            reminders=reminders, bulk=BulkRuns(store, lsq, people, slack, settings, clock),
            permissions=Permissions(settings, people, store),
        )
        _count_calls(lsq.transport.http, "leadsquared")
        _count_calls(ghl.transport.http, "highlevel")
        self.sync_queue = SyncQueue(self._sync)
        self.webhooks = Webhooks(settings, self.sync_queue, self.services.bulk.webhook)
        signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        self.bolt = TaskbotBolt(client=slack, signing_secret=signing_secret,
                                request_verification_enabled=not settings.socket_mode,
                                logger=logging.getLogger("taskbot.bolt"))
        install(self.bolt, store, self.services)
        handlers.register(self.bolt)
        self._serving_tasks: set[asyncio.Task] = set()
        self._background: set[asyncio.Task] = set()
        self._reminder_loop: asyncio.Task | None = None
        self.retention = Retention(store, clock, settings.taskbot_retention_days)
        self._retention_loop: asyncio.Task | None = None
        self._lease_loop: asyncio.Task | None = None

    def _leadsquared(self, settings: Settings, clock: Clock) -> LeadSquared:
        if not settings.lsq_is_sandbox:
            assert settings.lsq_access_key and settings.lsq_secret_key
            return LeadSquared(settings.lsq_api_url, settings.lsq_access_key.get_secret_value(),
                               settings.lsq_secret_key.get_secret_value(), clock, settings.lsq_limit,
                               settings.lsq_bulk_limit)
        from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox

        sandbox = LeadSquaredSandbox(clock=clock)
        server = BackgroundServer(sandbox.asgi()).start()
        sandbox.base_url = server.url
        self.sandboxes.append(server)
        self.lsq_sandbox = sandbox
        return LeadSquared(server.url + "/v2/", ACCESS_KEY, SECRET_KEY, clock, settings.lsq_limit,
                           settings.lsq_bulk_limit)

    def _highlevel(self, settings: Settings, clock: Clock) -> HighLevel:
        if not settings.ghl_is_sandbox:
            return HighLevel.from_settings(settings, clock)
        from bot.sandbox.highlevel import COMPANY_ID, LOCATION_ID, TOKEN, HighLevelSandbox

        sandbox = HighLevelSandbox(clock=clock)
        server = BackgroundServer(sandbox.asgi()).start()
        sandbox.base_url = server.url
        self.sandboxes.append(server)
        self.ghl_sandbox = sandbox
        return HighLevel(server.url, TOKEN, LOCATION_ID, clock, company_id=COMPANY_ID)

    def webhook_routes(self) -> list[BaseRoute]:
        return self.webhooks.routes()

    async def _sync(self, crm_id: str) -> None:
        try:
            outcome = await self.services.changes.sync_from_crm(crm_id)
            log.info("LeadSquared webhook: task %s is %s", crm_id, outcome)
        except CRMError as error:
            log.warning("LeadSquared webhook: task %s not synced: %s", crm_id, error)

    def spawn(self, coroutine) -> asyncio.Task:
        """Background work that a stop waits for."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def start(self) -> None:
        self._serving_tasks = set(asyncio.all_tasks())
        for notice in self.services.notices:
            log.info(notice)
        self.spawn(self._resume())
        self.spawn(self.sync_queue.run())
        if self.settings.public_url and self.settings.taskbot_webhook_secret is None:
            log.info("LeadSquared task webhooks are off: set TASKBOT_WEBHOOK_SECRET to receive them")
        if self.reminder_loop:
            with background():
                self._reminder_loop = asyncio.get_running_loop().create_task(self.services.reminders.run_forever())
            self._retention_loop = asyncio.get_running_loop().create_task(self.retention.run_forever())
            self._lease_loop = asyncio.get_running_loop().create_task(self._keep_leases())

    async def _resume(self) -> None:
        """Take up work nobody holds (this replica's before a restart, a replica's that stopped, or work that
        broke off), side by side with what is already running: each turn takes only what is unheld."""
        async def resume(what: str, work: Callable[[], Awaitable[int]]) -> None:
            try:
                if taken := await work():
                    log.info("resumed %s unfinished %s", taken, what)
            except Exception:  # noqa: BLE001 - tried again at the next lease turn
                log.exception("resuming unfinished %s failed; trying again shortly", what)

        await asyncio.gather(resume("CRM writes", self.services.outbox.resume),
                             resume("bulk runs", self.services.bulk.resume))

    async def _keep_leases(self) -> None:
        """Renew what this replica is working on, and take over what a replica that stopped left unfinished."""
        while True:
            await self.clock.sleep(LEASE.total_seconds() / 3)
            try:
                self.services.store.renew_leases()
            except Exception:  # noqa: BLE001 - the loop must outlive one bad turn (a database blip)
                log.exception("leases not renewed; trying again")
            self.spawn(self._resume())

    async def stop(self) -> None:
        loops = [loop for loop in (self._reminder_loop, self._retention_loop, self._lease_loop) if loop is not None]
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        self.sync_queue.close()
        drained = await drain(exclude=self._serving_tasks)
        await self.services.lsq.aclose()
        await self.services.ghl.aclose()
        for server in self.sandboxes:
            server.stop()
        if drained:
            self.services.store.release_leases()
        else:
            log.warning("work still running at the stop keeps its leases: another replica takes it over when they "
                        "run out")
        self.services.store.close()
        log.info("stopped: in-flight work finished, database closed")


def _count_calls(http: httpx.AsyncClient, crm: str) -> None:
    """Every CRM response counted by outcome, without the clients knowing about metrics."""
    async def count(response: httpx.Response) -> None:
        CRM_CALLS.labels(crm, crm_outcome(response.status_code)).inc()

    http.event_hooks["response"].append(count)


async def drain(exclude: set[asyncio.Task] | None = None, timeout: float = 10.0) -> bool:
    """Let work that started after an ack (CRM calls, posts) finish before the loop closes; False when some
    was still running at the timeout."""
    skip = (exclude or set()) | {asyncio.current_task()}
    pending = [task for task in asyncio.all_tasks() if task not in skip and not task.done()]
    if not pending:
        return True
    _, still_running = await asyncio.wait(pending, timeout=timeout)
    return not still_running
