"""The one way both CRM clients talk HTTP: ids checked, limiter lanes, deadlines, retries, typed errors.

- Ids that reach a path or a query are checked for shape first (they may come from a forged button
  value or private_metadata): a bad one is refused as InvalidId before anything is sent.
- Interactive calls (the default lane) go first and are bounded by a deadline that fits inside Slack's
  3 seconds: waiting for the limiter and any retry; past it the rep hears TooSlow. The request itself is
  not cut short (a click's CRM write after its ack may take the CRM's time); code inside an ack bounds
  its own wait (`asyncio.wait_for`), which cancels the request.
- Background calls (`ratelimit.background()`) queue behind interactive ones; identical background
  reads in flight at once are made once and shared (a burst of webhooks for one task: one fetch).
- Calls are retried with backoff on failures that did no work (a rate limit, no connection, a 5xx on a
  read or an idempotent write); a create whose answer was lost is never retried here: it is
  OutcomeUnknown, reconciled by the caller (`bot.crm.once`).
- Each CRM's own answers are read by its Dialect, which turns them into the errors of bot.crm.errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_random_exponential

from bot.clock import Clock
from bot.config import RateLimit
from bot.crm.errors import CRMError, InvalidId, OutcomeUnknown, RateLimited, ServerError, TooSlow
from bot.crm.ratelimit import Lane, Limiter, NoSlotInTime, SharedSlots, current_lane, is_patient, shared_limiter

log = logging.getLogger("taskbot.crm")
INTERACTIVE_DEADLINE = 2.0
IDLE_CONNECTION_SECONDS = 4.0
"""An idle connection is closed by us before common servers close theirs (5 s for many): a create written
to a connection the server is closing at that moment has an unknown outcome, which costs the rep a grace
period and a lookup before it can be sent again."""
ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
               httpx.WriteError)


@dataclass(frozen=True)
class Call:
    """One request as the transport sends it: `create` (an unknown outcome matters), `write` (never shared
    between callers), `record` (the path names one record, so a 404 may mean it is gone)."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] | None = None
    create: bool = False
    write: bool = False
    record: bool = False
    kind: str | None = None
    sending: Callable[[], None] | None = field(default=None, compare=False)
    """Told right before the request leaves (after any wait for the rate limit), on every attempt."""

    @property
    def shared_key(self) -> str:
        return json.dumps([self.method, self.path, self.params, self.json], sort_keys=True, default=str)


class Dialect(Protocol):
    """How one CRM answers: its name, its ids' shape, and its answers turned into a body or a CRMError."""

    crm: str
    id_shape: re.Pattern[str]

    def read(self, response: httpx.Response, call: Call) -> Any:
        """The body of a successful answer; raises the CRMError the answer means."""


@dataclass
class Transport:
    dialect: Dialect
    base_url: str
    headers: dict[str, str]
    clock: Clock
    limit: RateLimit
    account: str
    timeout: float = 15.0
    attempts: int = 4
    interactive_deadline: float = INTERACTIVE_DEADLINE
    limits: dict[str, RateLimit] = field(default_factory=dict)
    http_transport: httpx.AsyncBaseTransport | None = None
    shared_slots: SharedSlots | None = None
    """The store of every replica on one database: they keep this account's limits together."""
    coalesced: int = 0

    def __post_init__(self) -> None:
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout, headers=self.headers,
                                      transport=self.http_transport,
                                      limits=httpx.Limits(max_connections=100, max_keepalive_connections=20,
                                                          keepalive_expiry=IDLE_CONNECTION_SECONDS))
        self._shared: dict[str, asyncio.Future] = {}

    @property
    def crm(self) -> str:
        return self.dialect.crm

    async def aclose(self) -> None:
        await self.http.aclose()

    def limiter(self, kind: str = "calls") -> Limiter:
        return shared_limiter(self.account, kind, self.limits.get(kind, self.limit), self.clock, self.crm,
                              self.shared_slots, hold=2 * self.timeout)

    def check_id(self, value: str | None) -> str:
        """`value` if it has the shape of one of this CRM's ids; InvalidId otherwise (empty, too long, a
        path separator, an escape...)."""
        if not isinstance(value, str) or not self.dialect.id_shape.fullmatch(value):
            shown = repr(value)[:40]
            raise InvalidId(self.crm, f"that is not a {self.crm} id Taskbot can use (the button or form it came "
                                      "from may be old or altered)", shown)
        return value

    async def request(self, method: str, path: str, *, ids: dict[str, str] | None = None,
                      params: dict[str, Any] | None = None, json: Any = None, headers: dict[str, str] | None = None,
                      create: bool = False, write: bool = False, kind: str | None = None,
                      sending: Callable[[], None] | None = None) -> Any:
        """Send one call. `ids` fill `{name}` in the path (or become query parameters) once checked."""
        record = False
        for name, value in (ids or {}).items():
            self.check_id(value)
            if "{" + name + "}" in path:
                path, record = path.replace("{" + name + "}", value), True
            else:
                params = {**(params or {}), name: value}
        call = Call(method, path, params, json, headers, create, write or create, record, kind, sending)
        lane = current_lane()
        waits_for_slot = lane is Lane.BACKGROUND or create or is_patient()
        deadline = None if waits_for_slot else self.clock.monotonic() + self.interactive_deadline
        if lane is Lane.BACKGROUND and not call.write:
            return await self._shared_read(call)
        return await self._with_retries(call, lane, deadline)

    async def _shared_read(self, call: Call) -> Any:
        key = call.shared_key
        running = self._shared.get(key)
        if running is not None:
            self.coalesced += 1
            return await asyncio.shield(running)
        running = asyncio.ensure_future(self._with_retries(call, Lane.BACKGROUND, None))
        self._shared[key] = running
        running.add_done_callback(lambda _: self._shared.pop(key, None))
        return await asyncio.shield(running)

    async def _with_retries(self, call: Call, lane: Lane, deadline: float | None) -> Any:
        def may_retry(error: BaseException) -> bool:
            """A create too: what is retry-safe was refused before any work (a rate limit, no connection)."""
            return isinstance(error, CRMError) and error.retry_safe

        def stop(state: RetryCallState) -> bool:
            if state.attempt_number >= self.attempts:
                return True
            return deadline is not None and self.clock.monotonic() + state.upcoming_sleep >= deadline

        async for attempt in AsyncRetrying(retry=retry_if_exception(may_retry), stop=stop, reraise=True,
                                           wait=wait_random_exponential(multiplier=0.25, max=8.0),
                                           sleep=self.clock.sleep):
            with attempt:
                return await self._send(call, lane, deadline)
        raise AssertionError("unreachable")

    async def _send(self, call: Call, lane: Lane, deadline: float | None) -> Any:
        limiter = self.limiter()
        limiters = [self.limiter(call.kind), limiter] if call.kind else [limiter]
        try:
            async with contextlib.AsyncExitStack() as held:
                for each in limiters:
                    await held.enter_async_context(each.slot(lane, deadline))
                if call.sending is not None:
                    call.sending()
                response = await self.http.request(call.method, call.path, params=call.params, json=call.json,
                                                   headers=call.headers, timeout=self.timeout)
        except NoSlotInTime:
            raise TooSlow(self.crm, f"{self.crm} is busy right now (its rate limit is reached); try again in a "
                                    "few seconds") from None
        except _NEVER_SENT as error:
            raise ServerError(self.crm, f"{self.crm} could not be reached; try again in a minute",
                              type(error).__name__) from None
        except _MAYBE_SENT as error:
            if call.create:
                raise OutcomeUnknown(self.crm, f"{self.crm} did not confirm in time", type(error).__name__) from None
            raise ServerError(self.crm, f"{self.crm} did not answer in time; try again",
                              type(error).__name__) from None
        try:
            return self.dialect.read(response, call)
        except RateLimited as limited:
            self._slow_down(limiter, limited)
            raise

    def _slow_down(self, limiter: Limiter, limited: RateLimited) -> None:
        if limited.limit and limited.window and limiter.adopt(RateLimit(limited.limit, limited.window)):
            log.warning("%s reports a limit of %s calls in %gs; adopting it", self.crm, limited.limit, limited.window)
        limiter.pause(limited.pause or limiter.limit.seconds)


def body_of(response: httpx.Response) -> Any:
    """The JSON body, or None when there is none or it is not JSON."""
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def lenient(parse: Callable[[Any], Any], items: Any, what: str) -> list[Any]:
    """Each item parsed; one the model cannot read is logged and left out instead of failing the whole read."""
    parsed = []
    for item in items or []:
        try:
            parsed.append(parse(item))
        except ValueError as error:
            log.warning("left out a %s the CRM sent in an unexpected shape: %s", what, str(error).splitlines()[0])
    return parsed
