from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url

from bot.clock import ManualClock, SystemClock
from bot.sandbox.highlevel import HighLevelSandbox
from bot.sandbox.slack import SlackSandbox
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from bot.store import Store
from tests.highlevel_contract import CONTRACT, Contract
from tests.highlevel_fixtures import ghl, ghl_client  # noqa: F401
from tests.lsq_fixtures import client, lsq  # noqa: F401
from tests.postgres import PostgresServer

# Tuesday 4 March 2025, 10:15 in Los Angeles, where Maria works.
NOW = datetime(2025, 3, 4, 10, 15, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL for the whole run (or TASKBOT_TEST_POSTGRES_URL's); new_database() per test."""
    with PostgresServer.from_environment() as server:
        yield server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path, clock) -> Iterator[SandboxStack]:
    """The whole product, on each backend; triggers expire on the real clock (the Slack sandbox never takes
    the test's)."""
    database = {} if request.param == "sqlite" else {"database_url": request.getfixturevalue("postgres_database")}
    with SandboxStack(tmp_path / "taskbot.db", clock=clock, reminder_loop=False, taskbot_admins="UOPS",
                      **database) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database with the whole schema, copied for each test (faster than migrating each time)."""
    url = postgres_server.new_database()
    Store(url, SystemClock()).close()
    return make_url(url).database


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path) -> str:
    """Where a store lives: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "taskbot.db")
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def postgres_database(postgres_server: PostgresServer, postgres_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database of the newest schema, for one test."""
    url = postgres_server.new_database(template=postgres_template)
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(autouse=True)
def _slack_refuses_nothing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In every test, nothing the bot sent to any Slack sandbox may be what Slack refuses (Block Kit,
    text, expired triggers, ack bodies); only tests marked `refusals_expected` provoke refusals."""
    made: list[SlackSandbox] = []
    original = SlackSandbox.__init__

    def remembered(self: SlackSandbox, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(SlackSandbox, "__init__", remembered)
    yield
    if request.node.get_closest_marker("refusals_expected") is None:
        refused = [(call.method, call.error, call.messages) for sandbox in made for call in sandbox.refusals()]
        assert refused == [], "Slack would have refused what the bot sent"


@pytest.fixture
def maria(stack: SandboxStack) -> VirtualUser:
    """A rep in Los Angeles, in #sales."""
    return stack.user("UMARIA", "CSALES")


@pytest.fixture(scope="session", autouse=True)
def highlevel_contract() -> Iterator[Contract]:
    """Every request the HighLevel client sends anywhere in the suite is checked against the spec."""
    HighLevelSandbox.observers.append(CONTRACT.observe)
    yield CONTRACT
    HighLevelSandbox.observers.remove(CONTRACT.observe)


@pytest.fixture(autouse=True)
def _no_contract_violations(highlevel_contract: Contract) -> Iterator[None]:
    before = len(highlevel_contract.violations)
    yield
    assert highlevel_contract.violations[before:] == [], "the HighLevel client sent requests outside the spec"
