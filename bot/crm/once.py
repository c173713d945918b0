"""Create a CRM record exactly once, whatever the network does.

A create whose answer was lost may or may not have happened. It is never sent again blindly: the
record is looked up first, and only when the lookup says it is not there is the create repeated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.crm.errors import CRMError, OutcomeUnknown

T = TypeVar("T")


async def create_once(create: Callable[[], Awaitable[T]], find: Callable[[], Awaitable[T | None]], crm: str,
                      attempts: int = 4, check_first: bool = False) -> T:
    """`create` the record, looking it up with `find` after any unknown outcome.

    `check_first`: an earlier attempt may have reached the CRM (a restart mid-send, a retry after an
    unknown outcome), so look before the first send too. Whenever a send may have happened and the
    lookup cannot tell, this raises OutcomeUnknown, never a plainer error.
    """
    maybe_sent: OutcomeUnknown | None = (
        OutcomeUnknown(crm, f"an earlier attempt may have reached {crm}") if check_first else None)
    for _ in range(attempts):
        if maybe_sent is not None:
            found = await _look_up(find, crm)
            if found is not None:
                return found
        try:
            return await create()
        except OutcomeUnknown as unknown:
            maybe_sent = unknown
    assert maybe_sent is not None
    found = await _look_up(find, crm)
    if found is not None:
        return found
    raise maybe_sent


async def _look_up(find: Callable[[], Awaitable[T | None]], crm: str) -> T | None:
    try:
        return await find()
    except CRMError as error:
        raise OutcomeUnknown(crm, f"{crm} did not confirm, and checking failed; it will be checked again "
                                  "before any retry", str(error)) from error
