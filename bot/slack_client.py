"""The Slack Web API client the bot uses: posts paced per channel, 429s retried after Retry-After.

Slack allows about one message per second per channel, with short bursts. Twenty reps confirming tasks into #sales at
once would otherwise be refused, so each channel gets its own limiter and posts wait their turn.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.clock import Clock
from bot.config import RateLimit
from bot.crm.ratelimit import Limiter

log = logging.getLogger("taskbot.slack_client")
POSTS_PER_CHANNEL = RateLimit(3, 3.0)


async def update_view(slack: AsyncWebClient, view_id: str, view_hash: str | None, view: dict[str, Any]) -> None:
    """Replace an open modal, unless the rep changed it meanwhile (a newer update then wins) or closed it."""
    try:
        await slack.views_update(view_id=view_id, hash=view_hash, view=view)
    except SlackApiError as error:
        if error.response.get("error") not in ("hash_conflict", "not_found"):
            raise
        log.info("modal %s changed meanwhile (%s); a newer update wins", view_id, error.response.get("error"))


class PacedWebClient(AsyncWebClient):
    def __init__(self, *, clock: Clock, **kwargs: Any):
        kwargs.setdefault("retry_handlers", [AsyncRateLimitErrorRetryHandler(max_retry_count=5)])
        super().__init__(**kwargs)
        self.clock = clock
        self._channels: dict[str, Limiter] = {}
        self.last_success: float | None = None
        """When (clock.monotonic) a Web API call last succeeded: readiness reads it instead of calling Slack."""

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        response = await super().api_call(api_method, **kwargs)
        self.last_success = self.clock.monotonic()
        return response

    def _limiter(self, channel: str) -> Limiter:
        if channel not in self._channels:
            self._channels[channel] = Limiter(POSTS_PER_CHANNEL, self.clock)
        return self._channels[channel]

    async def chat_postMessage(self, *, channel: str, **kwargs: Any) -> AsyncSlackResponse:  # noqa: N802
        async with self._limiter(channel).slot():
            return await super().chat_postMessage(channel=channel, **kwargs)
