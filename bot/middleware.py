"""Bolt-level plumbing shared by every listener: request log, de-duplication, size caps, rate limits,
and the one error path that answers every request the bot could not handle."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import metrics
from bot.config import RateLimit
from bot.limits import COMMAND_TEXT_MAX, FIELD_TEXT_MAX, RateLimiter, slow_down, too_long
from bot.slack_client import CheckedRespond
from bot.store import Store
from bot.ui.messages import apology, apology_view

log = logging.getLogger("taskbot.slack")


def _dict(value: Any) -> dict[str, Any]:
    """Payload parts are read defensively: a forged request may put anything anywhere."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def describe(body: dict[str, Any]) -> dict[str, str]:
    """type, name (command, callback or action) and user of a Slack request, for logs."""
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    if kind == "event_callback":
        event = _dict(body.get("event"))
        return {"type": "event", "name": str(event.get("type")), "user": str(event.get("user"))}
    user = body.get("user_id") or _dict(body.get("user")).get("id") or "-"
    name = (body.get("command") or body.get("callback_id") or _dict(body.get("view")).get("callback_id")
            or ",".join(str(_dict(action).get("action_id", "")) for action in _list(body.get("actions")))
            or body.get("action_id") or "-")
    return {"type": str(kind), "name": str(name), "user": str(user)}


def dedupe_key(body: dict[str, Any]) -> str | None:
    """What makes two deliveries the same request; typeahead queries are never de-duplicated."""
    if body.get("type") == "block_suggestion":
        return None
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    return None


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def first_input(view: Any) -> str | None:
    """The form's first input, where a refusal of the whole form is shown."""
    for block in _list(_dict(view).get("blocks")):
        if _dict(block).get("type") == "input" and isinstance(block.get("block_id"), str):
            return block["block_id"]
    return None


def unreadable_answer(body: dict[str, Any], reference: str) -> BoltResponse | None:
    """The answer to a request that failed before its ack, where Slack can show one, else None.

    A command gets the apology as its reply; a form gets it pushed on top, so the draft underneath is
    kept; a typeahead gets no options; anything else gets the apology by `respond` or DM.
    """
    kind = body.get("type")
    if kind == "view_submission":
        return _json({"response_action": "push", "view": apology_view(reference)})
    if kind == "block_suggestion":
        return _json({"options": []})
    if "command" in body:
        text, blocks = apology(reference)
        return _json({"response_type": "ephemeral", "text": text, "blocks": blocks})
    return None


def oversized_fields(view: Any) -> dict[str, str]:
    """Text inputs holding more than a modal field may: their block ids, each with the limit."""
    errors = {}
    for block_id, inputs in _dict(_dict(_dict(view).get("state")).get("values")).items():
        for state in _dict(inputs).values():
            value = _dict(state).get("value")
            if isinstance(value, str) and len(value) > FIELD_TEXT_MAX:
                errors[str(block_id)] = too_long("text", len(value), FIELD_TEXT_MAX)
    return errors


def _oversized_action(body: dict[str, Any]) -> bool:
    values = [_dict(action).get("value") for action in _list(body.get("actions"))] + [body.get("value")]
    return bool(oversized_fields(body.get("view"))) or any(
        isinstance(value, str) and len(value) > FIELD_TEXT_MAX for value in values)


async def report_failure(error: Exception, body: dict[str, Any]) -> tuple[str, str, Any, dict[str, str]]:
    """Log an unexpected failure under a fresh reference; the apology text and blocks that carry it."""
    reference = "E-" + secrets.token_hex(3).upper()
    fields = describe(body)
    log.error("unhandled error %s in %s %s", reference, fields["type"], fields["name"], exc_info=error,
              extra={"reference": reference, "user": fields["user"]})
    text, blocks = apology(reference)
    return reference, text, blocks, fields


def answered(listener: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[None]]:
    """A listener whose failures after its ack are apologised for here, not handed back to Bolt (which
    would drop the ack it already sent if the failure came before Bolt saw it)."""
    wanted = inspect.getfullargspec(listener).args

    async def run(ack: Any, body: dict[str, Any], context: Any, client: Any, respond: Any, command: Any,
                  view: Any, action: Any, shortcut: Any, event: Any, payload: Any) -> None:
        given = {"ack": ack, "body": body, "context": context, "client": client, "respond": respond,
                 "command": command, "view": view, "action": action, "shortcut": shortcut, "event": event,
                 "payload": payload}
        try:
            await listener(**{name: given[name] for name in wanted})
        except Exception as error:  # noqa: BLE001 - every failure is answered, never raised to the framework
            if ack.response is None:
                raise
            reference, text, blocks, fields = await report_failure(error, _dict(body))
            context["outcome"] = f"error {reference}"
            await _deliver(_dict(body), fields, client, respond, text, blocks, reference)

    run.__name__ = run.__qualname__ = listener.__name__
    return run


class TaskbotBolt(AsyncApp):
    """AsyncApp that logs one line per request (type, name, user, outcome, ack latency) and answers
    every request, whatever its listener does."""

    def _register_listener(self, functions: Any, *args: Any, **kwargs: Any) -> Any:
        super()._register_listener([answered(function) for function in functions], *args, **kwargs)
        return functions[0] if len(functions) == 1 else None

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        body = req.body if isinstance(req.body, dict) else {}
        try:
            response = await super().async_dispatch(req)
        except Exception as error:  # noqa: BLE001 - a payload so malformed that Bolt itself cannot read it
            reference, _, _, _ = await report_failure(error, body)
            req.context["outcome"] = f"error {reference}"
            response = unreadable_answer(body, reference) or BoltResponse(status=200, body="")
        outcome = req.context.get("outcome") or ("ok" if response.status < 400 else f"http {response.status}")
        if outcome == "ok" and isinstance(response.body, str) and '"response_action": "errors"' in response.body:
            outcome = "validation errors"
        fields = describe(body)
        latency = (time.perf_counter() - started) * 1000
        log.info("slack %s %s user=%s outcome=%s ms=%.1f", fields["type"], fields["name"], fields["user"],
                 outcome, latency, extra={"request_type": fields["type"], "request_name": fields["name"],
                                          "user": fields["user"], "outcome": outcome,
                                          "latency_ms": round(latency, 1)})
        metrics.ACKS.labels(fields["type"], outcome).inc()
        metrics.ACK_SECONDS.labels(fields["type"]).observe(latency / 1000)
        return response


def install(app: AsyncApp, store: Store, services: Any) -> None:
    """Global middleware and the error handler, in the order they must run."""
    per_user = RateLimit.parse(services.settings.taskbot_user_rate)
    commands = RateLimiter(services.clock, burst=per_user.calls, every=per_user.seconds / per_user.calls)
    searches = RateLimiter(services.clock, burst=30, every=0.5)

    def limited(limiter: RateLimiter, name: str, user: str) -> float:
        wait = limiter.take(user)
        if wait:
            metrics.LIMITER_WAITS.labels(name).inc()
            metrics.LIMITER_WAIT_SECONDS.labels(name).observe(wait)
        return wait

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

    @app.middleware
    async def bounded(req: AsyncBoltRequest, resp: BoltResponse, next: Any) -> BoltResponse | None:
        """Oversized input is refused before any listener reads it; a person sending too fast waits."""
        body = req.body
        kind, user = body.get("type"), describe(body)["user"]
        if "command" in body:
            text = body.get("text") or ""
            if len(text) > COMMAND_TEXT_MAX:
                req.context["outcome"] = "too long"
                return _json({"response_type": "ephemeral", "text": too_long("command", len(text), COMMAND_TEXT_MAX)})
            if wait := limited(commands, "commands", user):
                req.context["outcome"] = "rate limited"
                return _json({"response_type": "ephemeral", "text": slow_down(wait)})
        elif kind == "view_submission" and (errors := oversized_fields(body.get("view"))):
            req.context["outcome"] = "too long"
            return _json({"response_action": "errors", "errors": errors})
        elif kind == "block_suggestion":
            if _oversized_action(body) or limited(searches, "searches", user):
                req.context["outcome"] = "refused search"
                return _json({"options": []})
        elif kind == "block_actions" and _oversized_action(body):
            req.context["outcome"] = "too long ignored"
            return BoltResponse(status=200, body="")
        elif kind in ("shortcut", "message_action") and limited(commands, "commands", user):
            req.context["outcome"] = "rate limited"
            return BoltResponse(status=200, body="")
        await next()
        return None

    @app.error
    async def apologise(error: Exception, body: dict[str, Any], context: Any, client: Any, respond: Any,
                        response: BoltResponse | None) -> BoltResponse | None:
        """Every failure is logged with a reference the rep is given; one before the ack is answered too."""
        body = _dict(body)
        reference, text, blocks, fields = await report_failure(error, body)
        context["outcome"] = f"error {reference}"
        if response is None:
            await _deliver(body, fields, client, respond, text, blocks, reference)
            return None
        answer = unreadable_answer(body, reference)
        if answer is None:
            delivery = asyncio.ensure_future(_deliver(body, fields, client, respond, text, blocks, reference))
            _deliveries.add(delivery)
            delivery.add_done_callback(_deliveries.discard)
        return answer or BoltResponse(status=200, body="")


_deliveries: set[asyncio.Future] = set()
"""Apologies for requests failed before their ack go out after it, so the ack never waits on Slack."""


async def _deliver(body: dict[str, Any], fields: dict[str, str], client: Any, respond: Any, text: str,
                   blocks: Any, reference: str) -> None:
    try:
        if body.get("response_url") and respond is not None:
            await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        elif fields["user"] not in ("-", "None"):
            await client.chat_postMessage(channel=fields["user"], text=text, blocks=blocks)
    except Exception:  # noqa: BLE001 - the apology itself must never raise
        log.warning("could not deliver apology %s", reference)
