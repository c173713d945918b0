"""How the bot is served: HTTP mode (Starlette under uvicorn) or Socket Mode, plus /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import Taskbot
from bot.crm.errors import CRMError

log = logging.getLogger("taskbot.server")
DRAIN_SECONDS = 10.0


async def health(bot: Taskbot) -> tuple[int, dict[str, Any]]:
    """Each dependency as ok / sandbox / configured / unreachable; 503 when a required one is down."""
    services = bot.services
    report: dict[str, Any] = {"database": "ok" if services.store.healthy() else "unreachable"}
    try:
        await asyncio.wait_for(services.slack.auth_test(), timeout=3)
        report["slack"] = "ok"
    except (SlackApiError, OSError, asyncio.TimeoutError) as error:
        log.warning("healthz: Slack unreachable: %s", type(error).__name__)
        report["slack"] = "unreachable"
    report["leadsquared"] = await _crm_health(services.settings.lsq_is_sandbox, services.lsq.task_types)
    report["highlevel"] = await _crm_health(services.settings.ghl_is_sandbox, services.ghl.calendars)
    required_down = report["database"] != "ok" or report["slack"] != "ok"
    report["status"] = "unavailable" if required_down else "ok"
    return (503 if required_down else 200), report


async def _crm_health(sandbox: bool, probe: Callable[[], Awaitable[object]]) -> str:
    if sandbox:
        return "sandbox"
    try:
        await asyncio.wait_for(probe(), timeout=3)
    except (CRMError, asyncio.TimeoutError):
        return "unreachable"
    return "configured"


def create_web_app(bot: Taskbot, serve_slack_events: bool = True) -> Starlette:
    handler = AsyncSlackRequestHandler(bot.bolt)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        status, report = await health(bot)
        return JSONResponse(report, status_code=status)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await bot.start()
        try:
            yield
        finally:
            await bot.stop()

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if serve_slack_events:
        routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    routes += bot.webhook_routes()
    return Starlette(routes=routes, lifespan=lifespan)


def serve(bot: Taskbot) -> None:
    """Run until SIGTERM or SIGINT; uvicorn finishes in-flight requests, then the bot stops."""
    settings = bot.settings
    web = create_web_app(bot, serve_slack_events=not settings.socket_mode)
    config = uvicorn.Config(web, host="0.0.0.0", port=settings.port, log_config=None,
                            timeout_graceful_shutdown=DRAIN_SECONDS)
    server = uvicorn.Server(config)
    if settings.socket_mode:
        asyncio.run(_serve_socket_mode(bot, server))
    else:
        log.info("HTTP mode: POST /slack/events and GET /healthz on port %s", settings.port)
        server.run()


async def _serve_socket_mode(bot: Taskbot, server: uvicorn.Server) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    assert bot.settings.slack_app_token is not None
    socket = AsyncSocketModeHandler(bot.bolt, bot.settings.slack_app_token.get_secret_value())
    await socket.connect_async()
    log.info("Socket Mode connected; /healthz on port %s", bot.settings.port)
    try:
        await server.serve()
    finally:
        await socket.close_async()
