"""Several `taskbot run` replicas on one database, driven hard while one of them is killed.

Reps create tasks through /todo's modal, alternating replicas request by request (as a load balancer
would) while LeadSquared fails a share of the creates (errors, hangs, timeouts, answers dropped after the
work was done); a manager's 600-row /bulktasks run goes at the same time; reminders seeded through the
store fall due during the run, so every replica's reminder loop races for them. Midway one replica is
killed with SIGKILL and started again. `ReplicaRun.outcome()` then counts, from LeadSquared's and Slack's
own records, what was made twice and what was lost. The test and the benchmark both run it.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy

from bot.clock import SystemClock
from bot.crm.leadsquared_models import ref_of, reference
from bot.sandbox.faults import Fault
from bot.sandbox.leadsquared import RateLimitRule
from bot.sandbox.slack import Channel, SlackUser
from bot.sandbox.stack import SIGNING_SECRET, SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from bot.store import Store, database_url, iso
from tests.bot_process import BotProcess
from tests.slack_helpers import bulk_csv

OPS = "UOPS"
BULK_OWNER = "maria@acme-sales.test"
FINISHED = ("done", "failed", "replaced")
KILL_WINDOW = 1.0
"""Seconds before the SIGKILL in which a DM Slack accepted may not have been marked sent yet (a loaded event
loop runs other work between the answer and the write)."""


@dataclass
class Scenario:
    creates: int = 1000
    bulk_rows: int = 600
    reminders: int = 200
    replicas: int = 2
    fault_rate: float = 0.2
    """The share of LeadSquared creates that go wrong, split over errors, hangs, timeouts and dropped answers."""
    limit: int = 200
    bulk_limit: int = 25
    """LSQ_RATE_LIMIT and LSQ_BULK_RATE_LIMIT, calls per `window`: LeadSquared must never see more than their sum."""
    window: float = 5.0
    reps: int = 40
    """Reps (Slack users with a LeadSquared user); the first `workers` type, the reminders are spread over all."""
    workers: int = 8
    reminders_after: float = 10.0
    reminders_over: float = 40.0
    """The seeded reminders fall due evenly from `reminders_after` to `reminders_after + reminders_over` seconds
    after they are seeded."""
    kill: bool = True
    far_reminders: int = 0
    """Reminders seeded days ahead, beside the ones that fall due (the scheduler's pile of pending work)."""
    patience: float = 240.0
    """How long, at most, the run may take to settle after the last submission."""

    @property
    def budget(self) -> int:
        """The most calls the replicas together may make in a window."""
        return self.limit + self.bulk_limit


@dataclass
class Outcome:
    created: Counter = field(default_factory=Counter)
    refs: Counter = field(default_factory=Counter)
    expected_refs: dict[str, str] = field(default_factory=dict)
    reminders: Counter = field(default_factory=Counter)
    reminder_lateness: list[float] = field(default_factory=list)
    max_in_window: int = 0
    lsq_calls: int = 0
    elapsed: float = 0.0
    submitted: float = 0.0
    """Seconds from the start until the last create was submitted (the rest is the replicas finishing)."""
    unfinished: dict[str, int] = field(default_factory=dict)
    stalled: str | None = None
    """What the run had not reached when its patience ran out."""
    twice: list[Any] = field(default_factory=list)
    """For each reminder sent twice: its rows in the store and when (seconds from the start) each DM went."""
    at_the_kill: list[str] = field(default_factory=list)
    """Reminders sent twice whose first DM Slack accepted in the instant before the SIGKILL: the window the
    design leaves (the DM went, the process died before marking it sent, and the bot may not read DMs back)."""

    @staticmethod
    def _twice(counts: Counter, names: list[str]) -> list[str]:
        return [name for name in names if counts[name] > 1]

    @staticmethod
    def _lost(counts: Counter, names: list[str]) -> list[str]:
        return [name for name in names if counts[name] == 0]

    def summary(self, scenario: Scenario, names: Names) -> dict[str, int]:
        return {
            "tasks twice": len(self._twice(self.created, names.creates)),
            "tasks lost": len(self._lost(self.created, names.creates)),
            "refs twice": len(self._twice(self.refs, list(self.expected_refs.values()))),
            "refs lost": len(self._lost(self.refs, list(self.expected_refs.values()))),
            "bulk rows twice": len(self._twice(self.created, names.bulk)),
            "bulk rows lost": len(self._lost(self.created, names.bulk)),
            "reminders twice": len(self._twice(self.reminders, names.reminders)),
            "reminders lost": len(self._lost(self.reminders, names.reminders)),
        }

    def lateness(self) -> tuple[float, float]:
        ordered = sorted(self.reminder_lateness)
        if not ordered:
            return float("nan"), float("nan")
        return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


@dataclass
class Names:
    creates: list[str]
    bulk: list[str]
    reminders: list[str]


class ReplicaRun:
    """The sandboxes in this process, `scenario.replicas` bot processes on one database (`database` is a
    PostgreSQL URL, or None for the stack's SQLite file)."""

    def __init__(self, workdir: Path, scenario: Scenario, database: str | None, tag: str = "replica"):
        self.scenario = scenario
        self.workdir = workdir
        settings = {"database_url": database} if database else {}
        self.stack = SandboxStack(workdir / "taskbot.db", clock=SystemClock(), **settings)
        # The sandbox refuses only beyond twice the configured limits: calls over them stay visible.
        self.stack.lsq.rate = RateLimitRule(scenario.budget * 2, scenario.window)
        self.names = Names([f"{tag} todo {i:04d}" for i in range(scenario.creates)],
                           [f"{tag} bulk row {i:03d}" for i in range(scenario.bulk_rows)],
                           [f"{tag} reminder {i:04d}" for i in range(scenario.reminders)])
        self.reps = [f"UREP{i:02d}" for i in range(scenario.reps)]
        self.bots: list[BotProcess] = []
        self.fire_times: dict[str, float] = {}
        self.started = 0.0
        self.began_at = 0.0
        self.killed_at: float | None = None
        self.dead_at: float | None = None
        self._turn = 0
        self._turn_lock = threading.Lock()

    # ----- setting up ---------------------------------------------------------------------------

    def start(self) -> ReplicaRun:
        self.stack.start(with_bot=False)
        self._add_reps()
        env = {"TASKBOT_BULK_USERS": OPS, "TASKBOT_USER_RATE": "100000/30s", "LOG_LEVEL": "INFO",
               "LSQ_RATE_LIMIT": f"{self.scenario.limit}/{self.scenario.window:g}s",
               "LSQ_BULK_RATE_LIMIT": f"{self.scenario.bulk_limit}/{self.scenario.window:g}s"}
        self.bots = [BotProcess(self.stack, self.workdir, env, name=f"replica-{i}")
                     for i in range(self.scenario.replicas)]
        return self

    def _add_reps(self) -> None:
        slack, lsq = self.stack.slack, self.stack.lsq
        template = next(user for user in lsq.state.users if user["EmailAddress"] == "maria@acme-sales.test")
        for i, rep in enumerate(self.reps):
            email = f"{rep.lower()}@acme-sales.test"
            slack.add_user(SlackUser(rep, rep.lower(), f"Rep {i:02d}", email, "America/Chicago"))
            slack.add_channel(Channel(f"C{rep}", f"desk-{i:02d}", members={rep, slack.bot_user_id}))
            with lsq.lock:
                lsq.state.users.append({**template, "ID": f"a1b2c3d4-0000-4000-8000-{i + 100:012d}",
                                        "FirstName": "Rep", "LastName": f"{i:02d}", "EmailAddress": email})

    def seed_reminders(self) -> None:
        """Tasks already in LeadSquared, each with a reminder that falls due during the run (and, for the
        benchmark, many more far ahead), written through the store as the bot itself writes them."""
        store = Store(self.stack.settings.database, SystemClock())
        try:
            with store.transaction():
                later = datetime.now(UTC) + timedelta(days=1)
                for i in range(self.scenario.far_reminders):
                    fire = later + timedelta(seconds=i)
                    self._remind(store, f"far reminder {i:05d}", self.reps[i % len(self.reps)], f"far-{i}", fire,
                                 fire + timedelta(hours=1))
            now = datetime.now(UTC).replace(microsecond=0)
            spread = self.scenario.reminders_over / max(1, self.scenario.reminders)
            for i, title in enumerate(self.names.reminders):
                owner = self.reps[i % len(self.reps)]
                fire = now + timedelta(seconds=self.scenario.reminders_after + i * spread)
                due = (fire + timedelta(minutes=30)).replace(microsecond=0)
                crm_id = self.stack.lsq.add_task(title, due, f"{owner.lower()}@acme-sales.test")["UserTaskId"]
                self._remind(store, title, owner, crm_id, fire, due)
                self.fire_times[title] = fire.timestamp()
        finally:
            store.close()

    @staticmethod
    def _remind(store: Store, title: str, owner: str, crm_id: str, fire: datetime, due: datetime) -> None:
        task_id = store.add_task(backend="leadsquared", crm_id=crm_id, kind="todo", title=title, due_utc=due,
                                 end_utc=due + timedelta(days=1), owner_slack_id=owner, creator_slack_id=owner,
                                 status="open", details={})
        store.add_reminder(task_id, fire, "before", (iso(due), owner))

    def start_bots(self) -> None:
        for bot in self.bots:
            bot.launch()
        for bot in self.bots:
            bot.ready()
        self.started = time.monotonic()

    def stop(self) -> None:
        for bot in self.bots:
            bot.stop()
        self.stack.stop()

    def inject_faults(self) -> None:
        """A fifth of creates go wrong: refused (nothing done), hung up on (nothing done, outcome unknown to the
        bot), answered too late (done; the bot's 15 s timeout passes), or done with the answer dropped."""
        share = self.scenario.fault_rate / 4
        self.stack.lsq.inject("Task.svc/Create", Fault(error_rate=share, hang_rate=share, hold=0.5,
                                                       timeout_after_processing=share,
                                                       drop_after_processing=share))

    # ----- driving ------------------------------------------------------------------------------

    def next_bot(self) -> BotProcess:
        """Replicas in turn, skipping one that is down (as a load balancer's health check would)."""
        with self._turn_lock:
            for _ in range(len(self.bots)):
                bot = self.bots[self._turn % len(self.bots)]
                self._turn += 1
                if bot.process is not None and bot.process.poll() is None:
                    return bot
        raise RuntimeError("no replica is running")

    def user(self, user_id: str, channel_id: str) -> VirtualUser:
        """The person, speaking to whichever replica's turn it is (each call)."""
        return VirtualUser(self.stack.slack, self.next_bot().url, SIGNING_SECRET, user_id, channel_id)

    def create(self, rep: str, name: str) -> None:
        """/todo through its modal: the command to one replica, the submission to the next."""
        channel = f"C{rep}"
        self.user(rep, channel).command(f"/todo {name} tmrw 3pm")
        person = self.user(rep, channel)
        person.wait_for_modal("task_modal", timeout=20,
                              where=lambda v: any(b.get("block_id") == "title" for b in v.view["blocks"]))
        ack = person.submit()
        assert ack.status == 200 and not ack.errors, f"{name}: the submission was refused: {ack}"

    def create_all(self, names: list[str]) -> None:
        reps = self.reps[:self.scenario.workers]
        lanes = [names[i::len(reps)] for i in range(len(reps))]

        def lane(rep: str, mine: list[str]) -> None:
            for name in mine:
                self.create(rep, name)

        with ThreadPoolExecutor(len(reps)) as pool:
            for done in [pool.submit(lane, rep, mine) for rep, mine in zip(reps, lanes, strict=True)]:
                done.result()

    def start_bulk(self, driver: BotProcess) -> None:
        """The manager pastes the rows (checked by one replica, then another) and `driver` is sent the click."""
        self.user(OPS, "CSALES").command("/bulktasks")
        ops = self.user(OPS, "CSALES")
        ops.wait_for_modal("bulk_modal", timeout=20)
        ops.submit(bulk_file=ops.upload("rows.csv", bulk_csv([(name, "tmrw 3pm", BULK_OWNER) for name in self.names.bulk])))
        summary = ops.wait_for_dm(lambda m: m.text.startswith("Bulk tasks checked"), timeout=60)
        VirtualUser(self.stack.slack, driver.url, SIGNING_SECRET, OPS, "CSALES").click("bulk_create", message=summary)

    def run(self) -> Outcome:
        """The whole scenario; returns what LeadSquared and Slack ended up with."""
        self.seed_reminders()
        self.start_bots()
        self.inject_faults()
        began = time.monotonic()
        self.began_at = time.perf_counter()
        victim = self.bots[-1]
        if self.scenario.bulk_rows:
            self.start_bulk(victim)
        half = len(self.names.creates) // 2
        self.create_all(self.names.creates[:half])
        if self.scenario.kill:
            self.killed_at = time.perf_counter()
            victim.kill()
            self.dead_at = time.perf_counter()
            victim.start()
        self.create_all(self.names.creates[half:])
        submitted = time.monotonic() - began
        stalled = self.settle(began + self.scenario.patience)
        outcome = self.outcome()
        outcome.stalled = stalled
        outcome.elapsed, outcome.submitted = time.monotonic() - began, submitted
        return outcome

    # ----- waiting and counting -------------------------------------------------------------------

    def settle(self, deadline: float) -> str | None:
        """Wait (for the replicas, up to `deadline`) until every create is finished and verified, the bulk run
        reported, and every reminder sent; what was not reached in time, if anything."""
        waits: list[tuple[str, Callable[[], bool]]] = [
            ("every create finished (operations at rest)", lambda: not self.unfinished()),
            ("the bulk report", lambda: not self.scenario.bulk_rows or any(
                message.text.startswith("Bulk tasks done") for message in self._messages())),
            ("every reminder sent", lambda: self._reminders_left() == 0)]
        for what, done in waits:
            while not done():
                if time.monotonic() > deadline:
                    return (f"not reached in time: {what}; operations unfinished: {self.unfinished()}, "
                            f"reminders left: {self._reminders_left()}")
                time.sleep(0.25)
        return None

    def _query(self, sql: str) -> list[Any]:
        engine = sqlalchemy.create_engine(database_url(self.stack.settings.database), poolclass=sqlalchemy.NullPool)
        try:
            with engine.connect() as connection:
                return list(connection.execute(sqlalchemy.text(sql)))
        finally:
            engine.dispose()

    def unfinished(self) -> dict[str, int]:
        rows = self._query("SELECT status, COUNT(*) FROM operations GROUP BY status")
        return {status: count for status, count in rows if status not in FINISHED}

    def _reminders_left(self) -> int:
        titles = ", ".join(f"'{title}'" for title in self.names.reminders) or "''"
        return self._query("SELECT COUNT(*) FROM reminders JOIN tasks ON tasks.id = reminders.task_id "
                           f"WHERE tasks.title IN ({titles}) AND reminders.status IN ('pending', 'claimed')")[0][0]

    def _messages(self) -> list[Any]:
        with self.stack.slack.lock:
            return list(self.stack.slack.messages)

    def outcome(self) -> Outcome:
        outcome = Outcome()
        lsq = self.stack.lsq
        with lsq.lock:
            tasks = list(lsq.state.tasks.values())
            outcome.lsq_calls = sum(call.outcome != "rate limited" for call in lsq.calls)
        outcome.max_in_window = lsq.max_in_any_window(self.scenario.window)
        outcome.created = Counter(task["Name"] for task in tasks)
        outcome.refs = Counter(ref_of(task.get("Description")) for task in tasks)
        wanted = set(self.names.creates)
        for key, payload in self._query("SELECT idempotency_key, payload FROM operations"):
            title = _title(payload)
            if title in wanted:
                outcome.expected_refs[title] = reference(key)
        wall_origin = time.time() - time.perf_counter()
        width = len(self.names.reminders[0]) if self.names.reminders else 0
        sent_at: dict[str, list[float]] = {}
        for call in self._sent_dms():
            title = call.args["text"].removeprefix("Reminder: ")[:width]
            outcome.reminders[title] += 1
            sent_at.setdefault(title, []).append(call.at)
            if title in self.fire_times:
                outcome.reminder_lateness.append(wall_origin + call.at - self.fire_times[title])
        for title, times in sent_at.items():
            if len(times) > 1:
                rows = self._query("SELECT reminders.* FROM reminders JOIN tasks ON tasks.id = reminders.task_id "
                                   f"WHERE tasks.title = '{title}'")
                since = [round(at - self.began_at, 3) for at in times]
                killed = round(self.killed_at - self.began_at, 3) if self.killed_at else None
                outcome.twice.append({"title": title, "sent at": since, "killed at": killed,
                                      "rows": [dict(row._mapping) for row in rows]})
                if len(times) == 2 and self._at_the_kill(min(times)):
                    outcome.at_the_kill.append(title)
        outcome.unfinished = self.unfinished()
        return outcome

    def _at_the_kill(self, sent: float) -> bool:
        return (self.killed_at is not None and self.dead_at is not None
                and self.killed_at - KILL_WINDOW <= sent <= self.dead_at)

    def _sent_dms(self) -> Iterator[Any]:
        with self.stack.slack.lock:
            calls = list(self.stack.slack.calls)
        return (call for call in calls if call.method == "chat.postMessage" and call.error is None
                and str(call.args.get("text", "")).startswith("Reminder: "))


def _title(payload: str) -> str | None:
    return (json.loads(payload).get("draft") or {}).get("title")
