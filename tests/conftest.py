from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from tests.lsq_fixtures import client, lsq  # noqa: F401

# Tuesday 4 March 2025, 10:15 in Los Angeles, where Maria works.
NOW = datetime(2025, 3, 4, 10, 15, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def stack(tmp_path, clock) -> Iterator[SandboxStack]:
    with SandboxStack(tmp_path / "taskbot.db", clock=clock, reminder_loop=False, taskbot_admins="UOPS") as running:
        yield running


@pytest.fixture
def maria(stack: SandboxStack) -> VirtualUser:
    """A rep in Los Angeles, in #sales."""
    return stack.user("UMARIA", "CSALES")
