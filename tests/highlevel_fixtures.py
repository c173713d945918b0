"""A HighLevel sandbox on loopback and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.clock import ManualClock, SystemClock
from bot.crm.highlevel import HighLevel
from bot.sandbox.highlevel import COMPANY_ID, LOCATION_ID, TOKEN, HighLevelSandbox
from bot.serving import BackgroundServer


@pytest.fixture
def ghl(clock: ManualClock) -> Iterator[HighLevelSandbox]:
    """Its clock is the tests' (Tuesday 4 March 2025, 10:15 in Los Angeles), so free slots are fixed."""
    sandbox = HighLevelSandbox(clock=clock)
    server = BackgroundServer(sandbox.asgi()).start()
    sandbox.base_url = server.url
    yield sandbox
    server.stop()


@pytest.fixture
async def ghl_client(ghl: HighLevelSandbox) -> AsyncIterator[HighLevel]:
    crm = HighLevel(ghl.base_url, TOKEN, LOCATION_ID, SystemClock(), company_id=COMPANY_ID, timeout=2, attempts=3,
                    grace=0.05)
    yield crm
    await crm.aclose()
