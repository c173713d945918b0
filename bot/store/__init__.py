"""The store: one layer owns every query, over SQLite (the embedded default) or PostgreSQL (several replicas).

It holds everything that must survive a restart: people, tasks, the outbox of CRM writes, reminders, bulk
runs and the keys of Slack requests already handled. The schema is versioned with Alembic (`migrations/`).
"""

from bot.store.bulk import BulkQueries
from bot.store.database import database_url, iso, newest_revision, parse_iso, revision_of
from bot.store.housekeeping import HousekeepingQueries
from bot.store.limits import LimitQueries
from bot.store.operations import OperationQueries
from bot.store.people import PeopleQueries
from bot.store.reminders import ReminderQueries
from bot.store.tasks import TaskQueries


class Store(TaskQueries, OperationQueries, ReminderQueries, BulkQueries, PeopleQueries, HousekeepingQueries,
            LimitQueries):
    """Every query the services need."""


__all__ = ["Store", "newest_revision", "revision_of", "database_url", "iso", "parse_iso"]
