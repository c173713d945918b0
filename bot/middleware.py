"""Bolt-level plumbing shared by every listener: request log, de-duplication, the error apology."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_completion_handler import AsyncListenerCompletionHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack_client import CheckedRespond
from bot.store import Store
from bot.ui.messages import apology, apology_view

log = logging.getLogger("taskbot.slack")


def describe(body: dict[str, Any]) -> dict[str, str]:
    """type, name (command, callback or action) and user of a Slack request, for logs."""
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    if kind == "event_callback":
        event = body.get("event") or {}
        return {"type": "event", "name": str(event.get("type")), "user": str(event.get("user"))}
    user = body.get("user_id") or (body.get("user") or {}).get("id") or "-"
    name = (body.get("command") or body.get("callback_id") or (body.get("view") or {}).get("callback_id")
            or ",".join(action.get("action_id", "") for action in body.get("actions") or [])
            or body.get("action_id") or "-")
    return {"type": str(kind), "name": str(name), "user": str(user)}


def dedupe_key(body: dict[str, Any]) -> str | None:
    """What makes two deliveries the same request; typeahead queries are never de-duplicated."""
    if body.get("type") == "block_suggestion":
        return None
    if body.get("event_id"):
        return "event:" + body["event_id"]
    if body.get("trigger_id"):
        return "trigger:" + body["trigger_id"]
    return None


KEPT_ACK = "ack_before_error"


class KeepAckAfterError(AsyncListenerCompletionHandler):
    """Bolt forgets an ack the listener gave when the listener then fails; Slack must still get it."""

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        kept = request.context.get(KEPT_ACK)
        if kept is not None and request.context.ack.response is None:
            request.context.ack.response = kept


class TaskbotBolt(AsyncApp):
    """AsyncApp that logs one line per request: type, name, user, outcome and ack latency."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.listener_runner.listener_completion_handler = KeepAckAfterError()

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = await super().async_dispatch(req)
        body = req.body if isinstance(req.body, dict) else {}
        outcome = req.context.get("outcome") or ("ok" if response.status < 400 else f"http {response.status}")
        if outcome == "ok" and isinstance(response.body, str) and '"response_action": "errors"' in response.body:
            outcome = "validation errors"
        fields = describe(body)
        latency = (time.perf_counter() - started) * 1000
        log.info("slack %s %s user=%s outcome=%s ms=%.1f", fields["type"], fields["name"], fields["user"],
                 outcome, latency, extra={"request_type": fields["type"], "request_name": fields["name"],
                                          "user": fields["user"], "outcome": outcome,
                                          "latency_ms": round(latency, 1)})
        return response


def install(app: AsyncApp, store: Store, services: Any) -> None:
    """Global middleware and the error handler, in the order they must run."""

    @app.middleware
    async def drop_repeats(req: AsyncBoltRequest, resp: BoltResponse, next: Any) -> BoltResponse | None:
        key = dedupe_key(req.body)
        if key is not None and not store.first_time(key):
            req.context["outcome"] = "duplicate ignored"
            return BoltResponse(status=200, body="")
        await next()
        return None

    @app.middleware
    async def attach_services(context: Any, next: Any) -> None:
        context["services"] = services
        if context.response_url and context.user_id:
            context["respond"] = CheckedRespond(response_url=context.response_url, slack=services.slack,
                                                user_id=context.user_id)
        await next()

    @app.error
    async def apologise(error: Exception, body: dict[str, Any], client: Any, respond: Any,
                        request: AsyncBoltRequest, response: BoltResponse | None) -> BoltResponse | None:
        """Any failure in a listener: the person gets a short apology with a code; the log gets the trace."""
        reference = "E-" + secrets.token_hex(3).upper()
        fields = describe(body)
        request.context["outcome"] = f"error {reference}"
        log.error("unhandled error %s in %s %s", reference, fields["type"], fields["name"], exc_info=error,
                  extra={"reference": reference, "user": fields["user"]})
        answer = None
        if response is None:
            request.context[KEPT_ACK] = request.context.ack.response
        else:
            answer = _unacknowledged_answer(body, reference)
            if answer.body:
                return answer
        text, blocks = apology(reference)
        try:
            if body.get("response_url") and respond is not None:
                await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
            elif fields["user"] not in ("-", "None"):
                await client.chat_postMessage(channel=fields["user"], text=text, blocks=blocks)
        except Exception:  # noqa: BLE001 - the apology itself must never raise
            log.warning("could not deliver apology %s", reference)
        return answer


def _unacknowledged_answer(body: dict[str, Any], reference: str) -> BoltResponse:
    """What Slack gets instead of Bolt's bare 500 when a listener failed before acknowledging.

    A command gets the apology as its reply; a form gets it pushed on top, so the draft underneath is
    kept; anything else gets an empty acknowledgement and the apology by `respond` or DM.
    """
    if "command" in body:
        text, blocks = apology(reference)
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text, "blocks": blocks})
    if body.get("type") == "view_submission":
        return BoltResponse(status=200, body={"response_action": "push", "view": apology_view(reference)})
    return BoltResponse(status=200, body="")
