"""Prometheus metrics served at /metrics: what an operator watches to see the bot is keeping up.

Counters and histograms are updated where the work happens; states held in the database (outbox,
reminders) are read when Prometheus scrapes, so they are never stale and cost nothing in between.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.crm.ratelimit import Lane, limiters
from bot.store import Store

REGISTRY = CollectorRegistry()

ACKS = Counter("taskbot_slack_requests", "Slack requests answered, by type and outcome",
               ["type", "outcome"], registry=REGISTRY)
ACK_SECONDS = Histogram("taskbot_slack_ack_seconds", "Time from a Slack request's arrival to its answer",
                        ["type"], registry=REGISTRY,
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0))
CRM_CALLS = Counter("taskbot_crm_calls", "CRM HTTP responses, by CRM and outcome (ok, client error, server error)",
                    ["crm", "outcome"], registry=REGISTRY)
LIMITER_WAITS = Counter("taskbot_limiter_refusals", "Requests turned away by a per-person rate limit",
                        ["limit"], registry=REGISTRY)
LIMITER_WAIT_SECONDS = Histogram("taskbot_limiter_wait_seconds", "How long a turned-away person was asked to wait",
                                 ["limit"], registry=REGISTRY, buckets=(1, 2, 5, 10, 30, 60, 120))
WEBHOOK_IDS = Counter("taskbot_webhook_ids", "Task ids from CRM webhooks, by what happened to them",
                      ["outcome"], registry=REGISTRY)


class StateCollector(Collector):
    """Outbox operations and reminders by status, and how late reminders run, read from the database at
    scrape time."""

    def __init__(self, store: Callable[[], Store | None]):
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        store = self.store()
        if store is None:
            return
        for table, name, text in (("operations", "taskbot_outbox_operations", "CRM writes in the outbox, by status"),
                                  ("reminders", "taskbot_reminders", "Reminders, by status")):
            family = GaugeMetricFamily(name, text, labels=["status"])
            for status, count in store.count_by_status(table):
                family.add_metric([status], count)
            yield family
        lateness = GaugeMetricFamily("taskbot_reminder_lateness_seconds", "How late reminders are: the latest "
                                     "sent in the past hour, and the oldest still waiting past its time",
                                     labels=["reminders"])
        sent, waiting = store.reminder_lateness()
        lateness.add_metric(["sent"], sent)
        lateness.add_metric(["waiting"], waiting)
        yield lateness


class CrmLimiterCollector(Collector):
    """How often CRM calls waited for their rate limit, and for how long, by limiter and lane."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        waits = CounterMetricFamily("taskbot_crm_limiter_waits", "CRM calls that waited for the rate limit",
                                    labels=["limiter", "lane"])
        waited = CounterMetricFamily("taskbot_crm_limiter_wait_seconds", "Seconds CRM calls waited for the rate "
                                     "limit", labels=["limiter", "lane"])
        for limiter in limiters():
            for lane in Lane:
                waits.add_metric([limiter.name, lane.name.lower()], limiter.waits[lane])
                waited.add_metric([limiter.name, lane.name.lower()], limiter.waited[lane])
        yield waits
        yield waited


_current_store: list[Store] = []
REGISTRY.register(StateCollector(lambda: _current_store[-1] if _current_store else None))
REGISTRY.register(CrmLimiterCollector())


def watch(store: Store) -> None:
    """The store whose states /metrics reports (the running bot's)."""
    _current_store[:] = [store]


def exposition() -> bytes:
    return generate_latest(REGISTRY)


def crm_outcome(status: int) -> str:
    if status < 400:
        return "ok"
    return "client error" if status < 500 else "server error"
