"""Create a CRM record exactly once, whatever the network does.

A create whose answer was lost may or may not have happened, and a slow one may land seconds after
the client gave up on it. It is never sent again blindly: the record is looked up by its exact mark,
at once and again after a grace period long enough for a slow request to land; only when both say it
is not there is the create repeated. Because a request could land later still, a create that had an
unknown outcome is `uncertain`: its caller sweeps for a late copy afterwards (`sweep`) and removes it,
or tells the rep when it cannot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.clock import Clock
from bot.crm.errors import CRMError, OutcomeUnknown

T = TypeVar("T")


@dataclass(frozen=True)
class Created(Generic[T]):
    """The record, and whether a send of it had an unknown outcome (a late copy may still appear)."""

    record: T
    uncertain: bool


async def create_once(create: Callable[[], Awaitable[T]], find: Callable[[], Awaitable[T | None]], crm: str,
                      clock: Clock, grace: float, attempts: int = 4, check_first: bool = False) -> Created[T]:
    """`create` the record, looking it up with `find` after any unknown outcome.

    `check_first`: an earlier attempt may have reached the CRM (a restart mid-send, a retry after an
    unknown outcome), so look before the first send too. Whenever a send may have happened and the
    lookup cannot tell, this raises OutcomeUnknown, never a plainer error.
    """
    maybe_sent: OutcomeUnknown | None = (
        OutcomeUnknown(crm, f"an earlier attempt may have reached {crm}") if check_first else None)
    for _ in range(attempts):
        if maybe_sent is not None:
            found = await _look_up_patiently(find, crm, clock, grace)
            if found is not None:
                return Created(found, True)
        try:
            return Created(await create(), maybe_sent is not None)
        except OutcomeUnknown as unknown:
            maybe_sent = unknown
    assert maybe_sent is not None
    found = await _look_up_patiently(find, crm, clock, grace)
    if found is not None:
        return Created(found, True)
    raise maybe_sent


async def sweep(find_all: Callable[[], Awaitable[list[str]]], keep: str,
                remove: Callable[[list[str]], Awaitable[None]]) -> list[str]:
    """Remove every copy but `keep`; the copies that could not be removed (for the rep to be told of)."""
    extra = [record for record in await find_all() if record != keep]
    if not extra:
        return []
    try:
        await remove(extra)
    except CRMError:
        return extra
    return []


async def _look_up_patiently(find: Callable[[], Awaitable[T | None]], crm: str, clock: Clock,
                             grace: float) -> T | None:
    """Look now (a dropped answer has usually landed already), and again after `grace` (a slow one)."""
    found = await _look_up(find, crm)
    if found is None and grace > 0:
        await clock.sleep(grace)
        found = await _look_up(find, crm)
    return found


async def _look_up(find: Callable[[], Awaitable[T | None]], crm: str) -> T | None:
    try:
        return await find()
    except CRMError as error:
        raise OutcomeUnknown(crm, f"{crm} did not confirm, and checking failed; it will be checked again "
                                  "before any retry", str(error)) from error
