from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser


@pytest.fixture
def stack(tmp_path) -> Iterator[SandboxStack]:
    with SandboxStack(tmp_path / "taskbot.db") as running:
        yield running


@pytest.fixture
def maria(stack: SandboxStack) -> VirtualUser:
    """A rep in Los Angeles, in #sales."""
    return stack.user("UMARIA", "CSALES")


from tests.lsq_fixtures import client, lsq  # noqa: E402,F401
