"""What an operator relies on: liveness and readiness probes, Prometheus metrics, retention."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import ManualClock
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from bot.server import READY_CACHE_SECONDS, SLACK_RECENT_SECONDS, Readiness
from bot.store import Store, iso
from tests.conftest import NOW
from tests.slack_helpers import create_task
from tests.store_helpers import sql


def test_livez_answers_while_slack_is_down_and_readyz_says_what_is_missing(stack: SandboxStack, clock):
    assert httpx.get(stack.bot_url + "/readyz").json() == {"database": "ok", "slack": "ok", "status": "ok"}
    stack.slack_server.stop()
    clock.advance(SLACK_RECENT_SECONDS + READY_CACHE_SECONDS)
    assert httpx.get(stack.bot_url + "/livez").json() == {"status": "ok"}
    ready = httpx.get(stack.bot_url + "/readyz")
    assert ready.status_code == 503 and ready.json()["slack"] == "unavailable"
    health = httpx.get(stack.bot_url + "/healthz")
    assert health.json() == ready.json(), "/healthz is readyz under its old name"
    assert not {"leadsquared", "highlevel"} & set(health.json()), "no configuration leaks"


def test_readyz_is_cached_and_uses_a_recent_slack_call_instead_of_calling_slack(stack: SandboxStack, clock):
    maria = stack.user("UMARIA")
    maria.command("/taskbot whoami")
    maria.wait_for_ephemeral()
    calls = len(stack.slack.calls)
    for _ in range(5):
        assert httpx.get(stack.bot_url + "/readyz").status_code == 200
    assert len(stack.slack.calls) == calls


async def test_readiness_checks_run_in_parallel_and_each_is_bounded(tmp_path, monkeypatch):
    from bot import server

    monkeypatch.setattr(server, "CHECK_SECONDS", 0.05)
    clock = ManualClock(NOW)

    class Hung:
        last_success = None

        async def auth_test(self):
            await asyncio.sleep(10)

    class Bot:
        class services:  # noqa: N801 - stands in for the bot's services
            pass

    Bot.services.clock = clock
    Bot.services.store = Store(tmp_path / "r.db", clock)
    Bot.services.slack = Hung()
    entered = []

    async def socket() -> bool:
        entered.append("socket")
        await asyncio.sleep(10)
        return True

    loop = asyncio.get_running_loop()
    started = loop.time()
    status, report = await Readiness(Bot, socket).report()
    assert loop.time() - started < 0.5, "the two hung checks ran side by side, each cut off"
    assert (status, report) == (503, {"database": "ok", "slack": "unavailable", "socket": "unavailable",
                                      "status": "unavailable"})
    await Readiness(Bot, socket).report()
    assert entered == ["socket", "socket"]


def test_metrics_count_acks_crm_calls_and_states(stack: SandboxStack, maria: VirtualUser):
    create_task(maria, "/todo call Priya tmrw 3pm")
    page = httpx.get(stack.bot_url + "/metrics")
    assert page.status_code == 200
    families = {family.name: family for family in text_string_to_metric_families(page.text)}
    acks = {tuple(sorted(s.labels.items())): s.value for s in families["taskbot_slack_requests"].samples
            if s.name.endswith("_total")}
    assert acks[(("outcome", "ok"), ("type", "command"))] >= 1
    assert acks[(("outcome", "ok"), ("type", "view_submission"))] >= 1
    assert any(s.labels.get("crm") == "leadsquared" and s.labels["outcome"] == "ok" and s.value >= 1
               for s in families["taskbot_crm_calls"].samples)
    assert any(s.name == "taskbot_slack_ack_seconds_count" and s.value >= 1
               for s in families["taskbot_slack_ack_seconds"].samples)
    outbox = {s.labels["status"]: s.value for s in families["taskbot_outbox_operations"].samples}
    assert outbox.get("done", 0) >= 1
    assert {s.labels["reminders"] for s in families["taskbot_reminder_lateness_seconds"].samples} == {"sent",
                                                                                                    "waiting"}


def test_rate_limit_refusals_are_counted(stack: SandboxStack, maria: VirtualUser):
    def refusals() -> float:
        families = text_string_to_metric_families(httpx.get(stack.bot_url + "/metrics").text)
        return sum(s.value for f in families if f.name == "taskbot_limiter_refusals" for s in f.samples
                   if s.name.endswith("_total") and s.labels["limit"] == "commands")

    before = refusals()
    for _ in range(12):
        maria.command("/taskbot help")
    assert refusals() - before == 2


def test_retention_prunes_finished_work_and_keeps_open_work(tmp_path):
    clock = ManualClock(NOW)
    store = Store(tmp_path / "keep.db", clock)
    old = iso(clock.now())
    store.first_time("trigger:old")
    store.add_operation("create", "done-op", {})
    store.add_operation("create", "open-op", {})
    sql(store, "UPDATE operations SET status = 'done' WHERE idempotency_key = 'done-op'")
    task = store.add_task(backend="leadsquared", crm_id="t1", kind="todo", title="t", status="open")
    for status in ("sent", "cancelled", "pending"):
        sql(store, "INSERT INTO reminders (task_id, fire_at, kind, status) VALUES (:task, :old, 'before', :status)",
            task=task, old=old, status=status)
    for status in ("done", "running"):
        [run] = sql(store, "INSERT INTO bulk_runs (submitter_slack_id, status, secret, created_at, updated_at) "
                           "VALUES ('U1', :status, 's', :old, :old) RETURNING id", status=status, old=old)
        sql(store, "INSERT INTO bulk_rows (run_id, row_number, payload, status) VALUES (:run, 2, :payload, 'created')",
            run=run["id"], payload=json.dumps({}))
    clock.advance(timedelta(days=89))
    assert set(store.prune(timedelta(days=90)).values()) == {0}
    clock.advance(timedelta(days=2))
    store.first_time("trigger:new")
    assert store.prune(timedelta(days=90)) == {"seen": 1, "operations": 1, "reminders": 2, "bulk_rows": 1,
                                               "bulk_results": 0, "bulk_runs": 1}
    assert [row["key"] for row in sql(store, "SELECT key FROM seen")] == ["trigger:new"]
    assert [row["status"] for row in sql(store, "SELECT status FROM operations")] == ["pending"]
    assert [row["status"] for row in sql(store, "SELECT status FROM reminders")] == ["pending"]
    assert [row["status"] for row in sql(store, "SELECT status FROM bulk_runs")] == ["running"]
    assert sql(store, "SELECT COUNT(*) AS n FROM tasks") == [{"n": 1}]


def test_the_retention_period_is_a_setting():
    from bot.config import Settings

    assert Settings(_env_file=None).taskbot_retention_days == 90
    assert Settings(_env_file=None, taskbot_retention_days=30).taskbot_retention_days == 30


async def test_socket_mode_closes_the_socket_before_draining_and_closing_the_database(monkeypatch):
    import slack_bolt.adapter.socket_mode.async_handler as socket_mode

    from bot import server

    order: list[str] = []

    class Socket:
        def __init__(self, app, token):
            self.client = self

        async def connect_async(self):
            order.append("socket connected")

        async def close_async(self):
            order.append("socket closed")

    class Uvicorn:
        def __init__(self, config):
            pass

        async def serve(self):
            order.append("signal received")

    class Bot:
        class settings:  # noqa: N801 - stands in for the bot's settings
            port = 0

            class slack_app_token:  # noqa: N801
                @staticmethod
                def get_secret_value():
                    return "xapp-test"

        class services:  # noqa: N801
            store = None

        bolt = None

        @staticmethod
        def webhook_routes():
            return []

        @staticmethod
        async def start():
            order.append("bot started")

        @staticmethod
        async def stop():
            order.append("drained, database closed")

    monkeypatch.setattr(socket_mode, "AsyncSocketModeHandler", Socket)
    monkeypatch.setattr(server.uvicorn, "Server", Uvicorn)
    monkeypatch.setattr(server.metrics, "watch", lambda store: None)
    await server._serve_socket_mode(Bot)
    assert order == ["bot started", "socket connected", "signal received", "socket closed",
                     "drained, database closed"]
