"""Faults both CRM sandboxes can inject: errors, latency, and answers lost after the work was done."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from starlette.responses import Response


@dataclass
class Fault:
    """What to do to calls of one endpoint: fail some, slow all (by `latency`, plus up to `jitter` more,
    drawn afresh for each call), or lose the answer."""

    error_rate: float = 0.0
    error_status: int = 500
    latency: float = 0.0
    jitter: float = 0.0
    timeout_after_processing: float = 0.0
    drop_after_processing: float = 0.0
    hold: float = 1.0
    times: int | None = None


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


class DroppedResponse(Response):
    """Promise a body and close the connection before sending it: the answer is lost mid-way."""

    def __init__(self) -> None:
        super().__init__(content=b"{}", media_type="application/json")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"Status":', "more_body": False})
