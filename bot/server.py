"""How the bot is served: HTTP mode (Starlette under uvicorn) or Socket Mode, plus its probes and metrics.

`/livez` says the process answers; `/readyz` (and its alias `/healthz`) says it can do its job: the
database answers, the Socket Mode socket is connected, and Slack answered recently. `/metrics` is
Prometheus' text format.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import metrics
from bot.app import Taskbot
from bot.bodies import BodyTooLarge, read_capped, too_large
from bot.limits import SLACK_BODY_MAX

log = logging.getLogger("taskbot.server")
DRAIN_SECONDS = 10.0
READY_CACHE_SECONDS = 5.0
CHECK_SECONDS = 2.0
SLACK_RECENT_SECONDS = 300.0


class Readiness:
    """Can this instance serve reps? Checks run in parallel, each bounded, the answer cached briefly,
    so a probe every second costs one round of checks every few seconds and never a pile-up."""

    def __init__(self, bot: Taskbot, socket_connected: Callable[[], Awaitable[bool]] | None = None):
        self.bot = bot
        self.socket_connected = socket_connected
        self._cached: tuple[float, int, dict[str, Any]] | None = None
        self._lock = asyncio.Lock()

    async def report(self) -> tuple[int, dict[str, Any]]:
        clock = self.bot.services.clock
        async with self._lock:
            if self._cached is None or clock.monotonic() - self._cached[0] >= READY_CACHE_SECONDS:
                self._cached = (clock.monotonic(), *await self._check())
        return self._cached[1], self._cached[2]

    async def _check(self) -> tuple[int, dict[str, Any]]:
        checks: dict[str, Callable[[], Awaitable[bool]]] = {"database": self._database, "slack": self._slack}
        if self.socket_connected is not None:
            checks["socket"] = self.socket_connected
        results = await asyncio.gather(*(self._bounded(name, check) for name, check in checks.items()))
        report: dict[str, Any] = {name: "ok" if ok else "unavailable" for name, ok in zip(checks, results,
                                                                                          strict=True)}
        ready = all(results)
        report["status"] = "ok" if ready else "unavailable"
        return (200 if ready else 503), report

    @staticmethod
    async def _bounded(name: str, check: Callable[[], Awaitable[bool]]) -> bool:
        try:
            return await asyncio.wait_for(check(), CHECK_SECONDS)
        except (asyncio.TimeoutError, SlackApiError, OSError) as error:
            log.warning("readiness: %s failed: %s", name, type(error).__name__)
            return False

    async def _database(self) -> bool:
        return self.bot.services.store.healthy()

    async def _slack(self) -> bool:
        """A Slack call that succeeded lately counts; only when there was none is Slack asked."""
        slack = self.bot.services.slack
        last = getattr(slack, "last_success", None)
        if last is not None and self.bot.services.clock.monotonic() - last < SLACK_RECENT_SECONDS:
            return True
        await slack.auth_test()
        return True


def create_web_app(bot: Taskbot, serve_slack_events: bool = True, manage_bot: bool = True,
                   socket_connected: Callable[[], Awaitable[bool]] | None = None) -> Starlette:
    """`manage_bot=False` leaves starting and stopping the bot to the caller (Socket Mode's order)."""
    readiness = Readiness(bot, socket_connected)
    metrics.watch(bot.services.store)

    async def slack_events(request: Request) -> Response:
        try:
            body = await read_capped(request, SLACK_BODY_MAX)
        except BodyTooLarge:
            return too_large(SLACK_BODY_MAX)
        try:
            bolt_request = to_async_bolt_request(request, body)
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            log.warning("unreadable Slack request refused: %s", type(error).__name__)
            return PlainTextResponse("unreadable request", status_code=400)
        return to_starlette_response(await bot.bolt.async_dispatch(bolt_request))

    async def livez(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        status, report = await readiness.report()
        return JSONResponse(report, status_code=status)

    async def metrics_page(request: Request) -> Response:
        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_bot:
            await bot.start()
        try:
            yield
        finally:
            if manage_bot:
                await bot.stop()

    routes = [Route("/livez", livez, methods=["GET"]), Route("/readyz", readyz, methods=["GET"]),
              Route("/healthz", readyz, methods=["GET"]), Route("/metrics", metrics_page, methods=["GET"])]
    if serve_slack_events:
        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    routes += bot.webhook_routes()
    return Starlette(routes=routes, lifespan=lifespan)


def serve(bot: Taskbot) -> None:
    """Run until SIGTERM or SIGINT; uvicorn finishes in-flight requests, then the bot stops."""
    settings = bot.settings
    if settings.socket_mode:
        asyncio.run(_serve_socket_mode(bot))
        return
    config = uvicorn.Config(create_web_app(bot), host="0.0.0.0", port=settings.port, log_config=None,
                            timeout_graceful_shutdown=DRAIN_SECONDS)
    log.info("HTTP mode: POST /slack/events, GET /livez /readyz /metrics on port %s", settings.port)
    uvicorn.Server(config).run()


async def _serve_socket_mode(bot: Taskbot) -> None:
    """On a signal the socket closes first (no new work arrives), then work in flight drains, then the
    database closes."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    assert bot.settings.slack_app_token is not None
    socket = AsyncSocketModeHandler(bot.bolt, bot.settings.slack_app_token.get_secret_value())

    async def connected() -> bool:
        return bool(await socket.client.is_connected())

    web = create_web_app(bot, serve_slack_events=False, manage_bot=False, socket_connected=connected)
    server = uvicorn.Server(uvicorn.Config(web, host="0.0.0.0", port=bot.settings.port, log_config=None,
                                           timeout_graceful_shutdown=DRAIN_SECONDS))
    await bot.start()
    try:
        await socket.connect_async()
        log.info("Socket Mode connected; /livez /readyz /metrics on port %s", bot.settings.port)
        await server.serve()
    finally:
        await socket.close_async()
        log.info("Socket Mode socket closed; draining")
        await bot.stop()
