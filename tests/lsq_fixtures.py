"""A LeadSquared sandbox on loopback and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.clock import SystemClock
from bot.crm.leadsquared import LeadSquared
from bot.sandbox.leadsquared import ACCESS_KEY, SECRET_KEY, LeadSquaredSandbox
from bot.serving import BackgroundServer


@pytest.fixture
def lsq() -> Iterator[LeadSquaredSandbox]:
    sandbox = LeadSquaredSandbox(bulk_delay=0.2)
    server = BackgroundServer(sandbox.asgi()).start()
    sandbox.base_url = server.url
    yield sandbox
    server.stop()


@pytest.fixture
async def client(lsq: LeadSquaredSandbox) -> AsyncIterator[LeadSquared]:
    crm = LeadSquared(lsq.base_url + "/v2/", ACCESS_KEY, SECRET_KEY, SystemClock(), timeout=2, attempts=3, grace=0.05)
    yield crm
    await crm.aclose()
