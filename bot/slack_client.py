"""The Slack Web API client the bot uses: posts paced per channel, 429s retried after Retry-After,
every refusal logged; and respond() whose failures are logged and told to the person.

Slack allows about one message per second per channel, with short bursts. Twenty reps confirming tasks into #sales at
once would otherwise be refused, so each channel gets its own limiter and posts wait their turn.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient, WebhookResponse

from bot.clock import Clock
from bot.config import RateLimit
from bot.crm.ratelimit import Limiter
from bot.ui import notices

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

    def _limiter(self, channel: str) -> Limiter:
        if channel not in self._channels:
            self._channels[channel] = Limiter(POSTS_PER_CHANNEL, self.clock)
        return self._channels[channel]

    async def chat_postMessage(self, *, channel: str, **kwargs: Any) -> AsyncSlackResponse:  # noqa: N802
        async with self._limiter(channel).slot():
            return await super().chat_postMessage(channel=channel, **kwargs)

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        """Every call; a refusal is logged with what Slack said about it, then raised to the caller; a success
        is remembered for readiness."""
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            log.warning("Slack refused %s: %s %s", api_method, error.response.get("error"),
                        (error.response.get("response_metadata") or {}).get("messages") or "",
                        extra={"slack_method": api_method, "slack_error": error.response.get("error")})
            raise
        self.last_success = self.clock.monotonic()
        return response


async def open_waiting(slack: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
    """Spend the trigger at once on a placeholder (it expires 3 s after the click, and a CRM may take
    longer); the caller fills the real modal in with views.update."""
    opened = await slack.views_open(trigger_id=trigger_id, view=view)
    return opened["view"]


async def post_to_response_url(url: str, **message: Any) -> WebhookResponse:
    """Post to a response_url; an answer that never came back is a failed post, status 0."""
    try:
        return await AsyncWebhookClient(url).send_dict(message)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return WebhookResponse(url=url, status_code=0, body=type(error).__name__, headers={})


async def tell_instead(slack: AsyncWebClient, user_id: str, failed: WebhookResponse, text: str) -> None:
    """A response_url post Slack refused: log it and DM the person what they would have seen."""
    log.warning("response_url post refused (%s %s)", failed.status_code, failed.body,
                extra={"slack_error": str(failed.body), "user": user_id})
    try:
        await slack.chat_postMessage(channel=user_id, text=notices.not_shown_there(text, str(failed.body)))
    except SlackApiError as error:
        log.error("could not tell %s either: %s", user_id, error.response.get("error"))


class CheckedRespond(AsyncRespond):
    """Bolt's respond(), whose failures are logged and answered by DM instead of vanishing."""

    def __init__(self, *, response_url: str | None, slack: AsyncWebClient, user_id: str):
        super().__init__(response_url=response_url)
        self.slack = slack
        self.user_id = user_id

    async def __call__(self, text: str | dict = "", blocks: Any = None, **options: Any) -> WebhookResponse:  # type: ignore[override]
        try:
            answer = await super().__call__(text, blocks, **options)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            answer = WebhookResponse(url=self.response_url or "", status_code=0, body=type(error).__name__, headers={})
        if answer.status_code != 200:
            await tell_instead(self.slack, self.user_id, answer, text if isinstance(text, str) else "")
        return answer
