"""Faults both CRM sandboxes inject, for tests, benchmarks and fault suites.

One draw per call picks what happens to it: nothing; an error before any work (nothing done); a hang
(no answer, nothing done, the connection closed after `hold`); the vendor's own rate-limit reply
(nothing done); a slow create that lands late (held `land_after` seconds, then done: the client has
usually given up by then); work done and then the answer held past the client's timeout; or work done
and the connection dropped mid-answer. `latency` slows every call. Each sandbox supplies the shape of
its own error and rate-limit replies.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from starlette.responses import Response


class Befalls(Enum):
    NOTHING = "nothing"
    ERROR = "error"
    HANG = "hang"
    RATE_LIMIT = "rate limit"
    LAND_LATE = "lands late"
    TIMEOUT_AFTER = "processed, answer late"
    DROP_AFTER = "processed, answer dropped"


NOTHING_DONE = (Befalls.ERROR, Befalls.HANG, Befalls.RATE_LIMIT)


@dataclass
class Fault:
    """What happens to calls of one endpoint; the rates are chances per call and add up to at most 1. Every
    call is slowed by `latency`, plus up to `jitter` more, drawn afresh for each call."""

    error_rate: float = 0.0
    error_status: int = 500
    hang_rate: float = 0.0
    rate_limit_rate: float = 0.0
    land_late: float = 0.0
    land_after: float = 1.0
    jitter: float = 0.0
    timeout_after_processing: float = 0.0
    drop_after_processing: float = 0.0
    latency: float = 0.0
    hold: float = 1.0
    times: int | None = None

    def draw(self, chance: random.Random) -> Befalls:
        roll = chance.random()
        for rate, befalls in ((self.error_rate, Befalls.ERROR), (self.hang_rate, Befalls.HANG),
                              (self.rate_limit_rate, Befalls.RATE_LIMIT), (self.land_late, Befalls.LAND_LATE),
                              (self.timeout_after_processing, Befalls.TIMEOUT_AFTER),
                              (self.drop_after_processing, Befalls.DROP_AFTER)):
            if roll < rate:
                return befalls
            roll -= rate
        return Befalls.NOTHING


def fault_for(faults: dict[str, Fault], path: str) -> Fault | None:
    """The fault set for the endpoint `path` ends with; one with `times` left is used up by this call."""
    for endpoint, fault in faults.items():
        if path.endswith(endpoint):
            if fault.times is not None:
                if fault.times <= 0:
                    return None
                fault.times -= 1
            if fault.jitter:
                return replace(fault, latency=fault.latency + random.uniform(0, fault.jitter))
            return fault
    return None


async def serve(fault: Fault | None, chance: random.Random, process: Callable[[], Response],
                refusal: Callable[[Befalls], Response], tally: Callable[[Befalls], None] | None = None) -> Response:
    """Answer one call through `fault`: `process` does the work and builds the answer; `refusal` builds the
    vendor's error (ERROR) or rate-limit (RATE_LIMIT) reply; `tally` hears what befell the call."""
    befalls = fault.draw(chance) if fault else Befalls.NOTHING
    if tally is not None:
        tally(befalls)
    if fault and fault.latency:
        await asyncio.sleep(fault.latency)
    if befalls in (Befalls.ERROR, Befalls.RATE_LIMIT):
        return refusal(befalls)
    if befalls is Befalls.HANG:
        assert fault is not None
        await asyncio.sleep(fault.hold)
        return DroppedResponse()
    if befalls is Befalls.LAND_LATE:
        assert fault is not None
        await asyncio.sleep(fault.land_after)
    response = process()
    if befalls is Befalls.TIMEOUT_AFTER:
        assert fault is not None
        await asyncio.sleep(fault.hold)
    if befalls is Befalls.DROP_AFTER:
        return DroppedResponse()
    return response


class DroppedResponse(Response):
    """Promise a body and close the connection before sending it: the answer is lost mid-way."""

    def __init__(self) -> None:
        super().__init__(content=b"{}", media_type="application/json")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"Status":', "more_body": False})
