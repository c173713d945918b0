"""A stand-in for the Slack Web API served over real HTTP, with a workspace's state.

The bot talks to it exactly as to slack.com (SLACK_API_URL); the console and the end-to-end tests
read what the bot did from its state. It enforces the Slack rules a bot can get wrong: single-use
trigger ids that expire 3 s after they were issued (always on the real clock: Slack does not wait
for a test's clock), Block Kit as strict as Slack (bot.sandbox.blockkit) on every surface including
the bodies of acks, channel membership, DMs to deactivated people, the per-channel posting rate,
view hashes and the view stack depth. `latency` slows every answer, as a far-away Slack would.

Assumption (no document says it): a DM to a deactivated member is refused with `user_disabled`,
the error conversations.open documents for them.

Reading taken (docs.slack.dev documents the `response_action: errors` body but not how long its
messages stay): an error shows under its input block until the next submission or until the view
is updated (`views.update`, or `response_action: update`), whichever comes first; typing alone does
not clear it. A dispatched input's live reading arrives as a `views.update`, so it clears them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.clock import Clock, SystemClock
from bot.sandbox.blockkit import (
    Refused,
    check_command_ack,
    check_message,
    check_options,
    check_submission_ack,
    check_view,
)
from bot.sandbox.faults import DroppedResponse

TRIGGER_LIFETIME_S = 3.0
VIEW_STACK_LIMIT = 3
RESPONSE_URL_USES = 5
DROPPED = "connection_dropped"
DEFAULT_SCOPES = (
    "commands,chat:write,chat:write.public,users:read,users:read.email,im:write,files:read,files:write"
)
REFUSALS = {"invalid_blocks", "invalid_arguments", "view_too_large", "msg_too_long", "no_text",
            "expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}


class SlackError(Exception):
    def __init__(self, error: str, status: int = 200, headers: dict[str, str] | None = None,
                 messages: list[str] | None = None):
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}
        self.messages = messages or []

    @classmethod
    def refused(cls, refusal: Refused) -> SlackError:
        return cls(refusal.error, messages=refusal.messages)

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            answer["errors"] = [message.removeprefix("[ERROR] ") for message in self.messages]
            answer["response_metadata"] = {"messages": self.messages}
        return answer


@dataclass
class SlackUser:
    id: str
    name: str
    real_name: str
    email: str | None = None
    tz: str | None = "America/Los_Angeles"
    is_bot: bool = False
    deleted: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    members: set[str] = field(default_factory=set)


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    edited: int = 0
    files: list[str] = field(default_factory=list)
    bot: bool = False


@dataclass
class Ephemeral:
    channel: str
    user: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    deleted: bool = False
    edited: int = 0


@dataclass
class ViewRecord:
    id: str
    user: str
    hash: str
    view: dict[str, Any]
    root_view_id: str
    previous_view_id: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """A refused submission's messages by input block_id, shown until the next submission or update."""


@dataclass
class Trigger:
    user: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    channel: str
    user: str
    uses: int = 0
    source_ts: str | None = None
    source_is_ephemeral: bool = False


@dataclass
class ScheduledMessage:
    id: str
    channel: str
    post_at: int
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None


@dataclass
class StoredFile:
    id: str
    name: str
    content: bytes
    mimetype: str = "text/plain"
    title: str | None = None


@dataclass
class ApiCall:
    method: str
    args: dict[str, Any]
    error: str | None
    at: float = field(default_factory=time.perf_counter)
    messages: list[str] = field(default_factory=list)


class SlackSandbox:
    """Workspace state plus the Web API methods the bot uses. Thread-safe; tests wait on `changed`."""

    def __init__(self, bot_token: str = "xoxb-sandbox-token", clock: Clock | None = None,
                 team_id: str = "T0SANDBOX", base_url: str = "http://127.0.0.1:0",
                 post_burst: int = 4, granted_scopes: str = DEFAULT_SCOPES, trigger_clock: Clock | None = None):
        """`clock` dates messages and paces posts; triggers expire on `trigger_clock`, real time unless a
        sandbox test replaces it."""
        self.bot_token = bot_token
        self.clock = clock or SystemClock()
        self.trigger_clock = trigger_clock or SystemClock()
        self.latency = 0.0
        self.team_id = team_id
        self.base_url = base_url
        self.app_token: str | None = None
        self.socket: tuple[WebSocket, Any] | None = None
        self.socket_acks: dict[str, Any] = {}
        self.bot_user_id = "UTASKBOT"
        self.bot_id = "BTASKBOT"
        self.granted_scopes = granted_scopes
        self.post_burst = post_burst
        self.users: dict[str, SlackUser] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: list[Message] = []
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, ViewRecord] = {}
        self.stacks: dict[str, list[str]] = defaultdict(list)
        self.home_views: dict[str, dict[str, Any]] = {}
        self.scheduled: dict[str, ScheduledMessage] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.files: dict[str, StoredFile] = {}
        self.calls: list[ApiCall] = []
        self.faults: dict[str, deque[str]] = defaultdict(deque)
        self._posts: dict[str, deque[float]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.add_user(SlackUser(self.bot_user_id, "taskbot", "Taskbot", is_bot=True, tz=None))

    # ----- workspace set-up -------------------------------------------------------------------

    def add_user(self, user: SlackUser) -> SlackUser:
        with self.lock:
            self.users[user.id] = user
            return user

    def escape_command_text(self, text: str) -> str:
        """What Slack sends for a command whose manifest says `should_escape: true`: `&<>` escaped,
        `@name` / `#channel` / an email turned into `<@U…|name>` / `<#C…|name>` / `<mailto:…|…>`. A token
        already in that form stands for one picked from Slack's menus and is kept."""
        by_name = {user.name.lower(): user.id for user in self.users.values()}
        channels = {channel.name.lower(): channel.id for channel in self.channels.values()}
        kept = re.split(r"(<(?:[@#][A-Z0-9]+|![a-z]+|(?:mailto|https?):[^|>\s]+)(?:\|[^>]*)?>)", text)
        for index, part in enumerate(kept):
            if index % 2:
                continue
            part = part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            part = re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", lambda m: f"<mailto:{m[0]}|{m[0]}>", part)
            part = re.sub(r"(?<![\w@])@([\w.-]+)", lambda m: f"<@{by_name[m[1].lower()]}|{m[1]}>"
                          if m[1].lower() in by_name else m[0], part)
            kept[index] = re.sub(r"(?<![\w&])#([\w-]+)", lambda m: f"<#{channels[m[1].lower()]}|{m[1]}>"
                                 if m[1].lower() in channels else m[0], part)
        return "".join(kept)

    def add_channel(self, channel: Channel) -> Channel:
        with self.lock:
            self.channels[channel.id] = channel
            return channel

    def fail_next(self, method: str, error: str = "internal_error", times: int = 1) -> None:
        """The next `times` calls of `method` answer `error` (an HTTP 500 for `internal_error`; for `DROPPED`,
        nothing is done and the connection closes mid-answer)."""
        with self.lock:
            self.faults[method].extend([error] * times)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def new_ts(self) -> str:
        return f"{int(self.clock.now().timestamp())}.{next(self._ts):06d}"

    def numbering(self) -> dict[str, int]:
        """Where id and ts numbering stand, to be saved with a workspace (this uses up one of each)."""
        with self.lock:
            return {"ids": next(self._ids), "ts": next(self._ts)}

    def continue_numbering(self, numbering: dict[str, int]) -> None:
        """A restored workspace goes on after the ids it used: Slack never issues a trigger id twice."""
        with self.lock:
            self._ids, self._ts = itertools.count(numbering["ids"]), itertools.count(numbering["ts"])

    def issue_trigger(self, user: str) -> str:
        with self.lock:
            trigger_id = f"{next(self._ids)}.{self.team_id}.trigger"
            self.triggers[trigger_id] = Trigger(user, self.trigger_clock.monotonic())
            return trigger_id

    def issue_response_url(self, channel: str, user: str, source_ts: str | None = None,
                           source_is_ephemeral: bool = False) -> str:
        with self.lock:
            token = self.new_id("R")
            self.response_urls[token] = ResponseUrl(channel, user, source_ts=source_ts,
                                                    source_is_ephemeral=source_is_ephemeral)
            return f"{self.base_url}/response/{token}"

    def refusals(self) -> list[ApiCall]:
        """Calls Slack would have refused for what was sent (Block Kit, text, triggers), acks included."""
        with self.lock:
            return [call for call in self.calls if call.error in REFUSALS]

    def check_ack(self, kind: str, body: Any, view: dict[str, Any] | None = None) -> str | None:
        """Judge the body of an ack as Slack does; the refusal's error (recorded as a call), or None."""
        try:
            if kind == "command":
                check_command_ack(body)
            elif kind == "view_submission":
                check_submission_ack(body, view or {})
            elif kind == "block_suggestion":
                check_options(body)
            elif body:
                raise Refused("invalid_arguments", ["[ERROR] this request's ack takes no body [json-pointer:/]"])
        except Refused as refusal:
            with self.changed:
                self.calls.append(ApiCall(f"ack:{kind}", {"body": body}, refusal.error, messages=refusal.messages))
                self.changed.notify_all()
            return refusal.error
        return None

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Block until `predicate()` is truthy after some change; return its value or raise."""
        with self.changed:
            result = self.changed.wait_for(predicate, timeout=timeout)
        if not result:
            raise TimeoutError("the sandbox never reached the expected state")
        return result

    # ----- reading ----------------------------------------------------------------------------

    def history(self, channel: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.channel == channel and m.thread_ts in (None, m.ts)]

    def replies(self, channel: str, thread_ts: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages
                    if m.channel == channel and m.thread_ts == thread_ts and m.ts != thread_ts]

    def find_message(self, channel: str, ts: str) -> Message | None:
        with self.lock:
            return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    def im_channel(self, user: str) -> Channel:
        with self.lock:
            for channel in self.channels.values():
                if channel.is_im and channel.members == {user, self.bot_user_id}:
                    return channel
            return self.add_channel(Channel(self.new_id("D"), user, is_private=True, is_im=True,
                                            members={user, self.bot_user_id}))

    def top_view(self, user: str) -> ViewRecord | None:
        with self.lock:
            stack = self.stacks.get(user) or []
            return self.views[stack[-1]] if stack else None

    def view_stack(self, user: str) -> list[ViewRecord]:
        with self.lock:
            return [self.views[view_id] for view_id in self.stacks.get(user, [])]

    # ----- the HTTP face ----------------------------------------------------------------------

    def asgi(self) -> Starlette:
        return Starlette(routes=[
            Route("/api/{method}", self._api, methods=["GET", "POST"]),
            Route("/response/{token}", self._response_url, methods=["POST"]),
            Route("/files/{file_id}", self._download, methods=["GET"]),
            Route("/upload/{file_id}", self._upload, methods=["POST"]),
            WebSocketRoute("/link", self._socket_mode),
        ])

    # ----- Socket Mode ----------------------------------------------------------------------------

    async def _socket_mode(self, websocket: WebSocket) -> None:
        """Slack's Socket Mode link: hello, then envelopes out and acks back."""
        await websocket.accept()
        with self.changed:
            self.socket = (websocket, asyncio.get_running_loop())
            self.changed.notify_all()
        await websocket.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "sandbox"}})
        try:
            while True:
                ack = await websocket.receive_json()
                with self.changed:
                    self.socket_acks[ack.get("envelope_id")] = ack.get("payload")
                    self.changed.notify_all()
        except WebSocketDisconnect:
            with self.changed:
                self.socket = None
                self.changed.notify_all()

    def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Deliver a request to the bot over Socket Mode, as Slack does; returns the envelope id."""
        assert self.socket is not None, "no bot is connected over Socket Mode"
        websocket, loop = self.socket
        envelope_id = self.new_id("E")
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": True}
        asyncio.run_coroutine_threadsafe(websocket.send_json(envelope), loop).result(5)
        return envelope_id

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = await _read_args(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or args.pop(
            "token", "")
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        try:
            if handler is None:
                raise SlackError("unknown_method", 404)
            if token != self.bot_token and not (method == "apps.connections.open" and token and token == self.app_token):
                raise SlackError("invalid_auth")
            with self.changed:
                fault = self.faults[method].popleft() if self.faults.get(method) else None
                if fault == "internal_error":
                    raise SlackError("internal_error", 500)
                if fault == DROPPED:
                    self.calls.append(ApiCall(method, args, DROPPED))
                    return DroppedResponse()
                if fault:
                    raise SlackError(fault)
                result = handler(args)
                self.calls.append(ApiCall(method, args, None))
                self.changed.notify_all()
        except SlackError as error:
            with self.changed:
                self.calls.append(ApiCall(method, args, error.error, messages=error.messages))
                self.changed.notify_all()
            return JSONResponse(error.body(), status_code=error.status, headers=error.headers)
        headers = {"x-oauth-scopes": self.granted_scopes} if method == "auth.test" else {}
        return JSONResponse({"ok": True, **result}, headers=headers)

    async def _response_url(self, request: Request) -> Response:
        """A post to a response_url: "ok", or the error as the body with a 4xx, as Slack's webhooks answer."""
        if self.latency:
            await asyncio.sleep(self.latency)
        body = json.loads(await request.body() or b"{}")
        with self.changed:
            hook = self.response_urls.get(request.path_params["token"])
            try:
                fault = self.faults["response_url"].popleft() if self.faults.get("response_url") else None
                if fault:
                    raise SlackError(fault, 404)
                if hook is None or hook.uses >= RESPONSE_URL_USES:
                    raise SlackError("used_url", 404)
                self._respond(hook, body)
                hook.uses += 1
            except SlackError as error:
                self.calls.append(ApiCall("response_url", body, error.error, messages=error.messages))
                self.changed.notify_all()
                return Response(error.error, status_code=error.status if error.status != 200 else 400)
            self.calls.append(ApiCall("response_url", body, None))
            self.changed.notify_all()
        return Response("ok")

    async def _download(self, request: Request) -> Response:
        if request.headers.get("authorization", "") != f"Bearer {self.bot_token}":
            return Response("unauthorized", status_code=403)
        stored = self.files.get(request.path_params["file_id"])
        if stored is None:
            return Response("not found", status_code=404)
        return Response(stored.content, media_type=stored.mimetype)

    async def _upload(self, request: Request) -> Response:
        with self.changed:
            stored = self.files.get(request.path_params["file_id"])
            if stored is None:
                return Response("not found", status_code=404)
            stored.content = await _multipart_or_raw(request)
            self.changed.notify_all()
        return Response("OK - " + str(len(stored.content)))

    # ----- rules ------------------------------------------------------------------------------

    def _user(self, user_id: str | None) -> SlackUser:
        user = self.users.get(user_id or "")
        if user is None:
            raise SlackError("user_not_found")
        return user

    def _channel_for_post(self, channel_id: str | None) -> Channel:
        if not channel_id:
            raise SlackError("channel_not_found")
        if channel_id.startswith(("U", "W")) and channel_id in self.users:
            person = self.users[channel_id]
            if person.is_bot:
                raise SlackError("cannot_dm_bot")
            if person.deleted:
                raise SlackError("user_disabled")
            return self.im_channel(channel_id)
        channel = self.channels.get(channel_id)
        if channel is None:
            raise SlackError("channel_not_found")
        if self.bot_user_id not in channel.members and (channel.is_private or channel.is_im):
            raise SlackError("channel_not_found" if channel.is_im else "not_in_channel")
        return channel

    def _check_message(self, args: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        text = args.get("text") or ""
        blocks = _json_arg(args.get("blocks")) or []
        try:
            check_message(text, blocks)
        except Refused as refusal:
            raise SlackError.refused(refusal) from None
        return text, blocks

    def _rate_check(self, channel: str) -> None:
        now = self.clock.monotonic()
        window = self._posts[channel]
        while window and window[0] <= now - self.post_burst:
            window.popleft()
        if len(window) >= self.post_burst:
            retry_after = max(1, int(window[0] + self.post_burst - now + 0.999))
            raise SlackError("ratelimited", 429, {"Retry-After": str(retry_after)})
        window.append(now)

    def _use_trigger(self, trigger_id: str | None, user: str | None = None) -> Trigger:
        trigger = self.triggers.get(trigger_id or "")
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.trigger_clock.monotonic() - trigger.issued_at > TRIGGER_LIFETIME_S:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def _checked_view(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _json_arg(args.get("view"))
        try:
            check_view(view)
        except Refused as refusal:
            raise SlackError.refused(refusal) from None
        return view

    def _post(self, channel: Channel, user: str, text: str, blocks: list[dict[str, Any]],
              thread_ts: str | None, bot: bool = True) -> Message:
        if thread_ts and self.find_message(channel.id, thread_ts) is None:
            raise SlackError("thread_not_found")
        message = Message(channel.id, self.new_ts(), user, text, blocks, thread_ts, bot=bot)
        self.messages.append(message)
        return message

    def _respond(self, hook: ResponseUrl, body: dict[str, Any]) -> None:
        text, blocks = body.get("text") or "", body.get("blocks") or []
        if body.get("delete_original") and hook.source_ts:
            self._delete_original(hook)
            return
        try:
            check_message(text, blocks)
        except Refused as refusal:
            raise SlackError(refusal.error, 400, messages=refusal.messages) from None
        if body.get("replace_original") and hook.source_ts:
            if hook.source_is_ephemeral:
                for ephemeral in self.ephemerals:
                    if ephemeral.ts == hook.source_ts:
                        ephemeral.text, ephemeral.blocks = text, blocks
                        ephemeral.edited += 1
                return
            original = self.find_message(hook.channel, hook.source_ts)
            if original is not None:
                original.text, original.blocks = text, blocks
                original.edited += 1
                return
        if body.get("response_type") == "in_channel":
            channel = self.channels.get(hook.channel) or self.im_channel(hook.user)
            self._post(channel, self.bot_user_id, text, blocks, body.get("thread_ts"))
        else:
            self.ephemerals.append(Ephemeral(hook.channel, hook.user, self.new_ts(), text, blocks,
                                             body.get("thread_ts")))

    def _delete_original(self, hook: ResponseUrl) -> None:
        if hook.source_is_ephemeral:
            for ephemeral in self.ephemerals:
                if ephemeral.ts == hook.source_ts:
                    ephemeral.deleted = True
        else:
            self.messages = [m for m in self.messages
                             if not (m.channel == hook.channel and m.ts == hook.source_ts)]

    # ----- Web API methods --------------------------------------------------------------------

    def api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": "https://sandbox.slack.local/", "team": "Sandbox", "user": "taskbot",
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id}

    def api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.base_url.replace("http://", "ws://") + "/link"}

    def api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(args.get("channel"))
        text, blocks = self._check_message(args)
        self._rate_check(channel.id)
        message = self._post(channel, self.bot_user_id, text, blocks, args.get("thread_ts") or None)
        return {"channel": channel.id, "ts": message.ts,
                "message": {"text": text, "blocks": blocks, "ts": message.ts, "user": self.bot_user_id}}

    def api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(args.get("channel"))
        message = self.find_message(channel.id, args.get("ts") or "")
        if message is None:
            raise SlackError("message_not_found")
        if message.user != self.bot_user_id:
            raise SlackError("cant_update_message")
        text, blocks = self._check_message(args)
        message.text, message.blocks = text, blocks
        message.edited += 1
        return {"channel": channel.id, "ts": message.ts, "text": text}

    def api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(args.get("channel"))
        user = self._user(args.get("user"))
        if user.id not in channel.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self._check_message(args)
        ephemeral = Ephemeral(channel.id, user.id, self.new_ts(), text, blocks, args.get("thread_ts"))
        self.ephemerals.append(ephemeral)
        return {"message_ts": ephemeral.ts}

    def api_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(args.get("channel") or "")
        message_ts = args.get("message_ts") or ""
        if channel is None:
            raise SlackError("channel_not_found")
        if self.find_message(channel.id, message_ts) is None:
            raise SlackError("message_not_found")
        return {"channel": channel.id,
                "permalink": f"https://sandbox.slack.local/archives/{channel.id}/p{message_ts.replace('.', '')}"}

    def api_chat_scheduleMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(args.get("channel"))
        text, blocks = self._check_message(args)
        post_at = int(float(args.get("post_at") or 0))
        now = self.clock.now().timestamp()
        if post_at <= now:
            raise SlackError("time_in_past")
        if post_at > now + 120 * 86400:
            raise SlackError("time_too_far")
        scheduled = ScheduledMessage(self.new_id("Q"), channel.id, post_at, text, blocks, args.get("thread_ts"))
        self.scheduled[scheduled.id] = scheduled
        return {"channel": channel.id, "scheduled_message_id": scheduled.id, "post_at": post_at}

    def api_chat_deleteScheduledMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.scheduled.pop(args.get("scheduled_message_id") or "", None) is None:
            raise SlackError("invalid_scheduled_message_id")
        return {}

    def deliver_scheduled(self) -> int:
        """Post every scheduled message whose time has come (the console calls it after `:time`)."""
        with self.changed:
            due = [s for s in self.scheduled.values() if s.post_at <= self.clock.now().timestamp()]
            for scheduled in due:
                del self.scheduled[scheduled.id]
                self._post(self.channels[scheduled.channel], self.bot_user_id, scheduled.text,
                           scheduled.blocks, scheduled.thread_ts)
            self.changed.notify_all()
            return len(due)

    def api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) != 1:
            raise SlackError("not_enough_users" if not users else "too_many_users")
        return {"channel": {"id": self.im_channel(self._user(users[0]).id).id}}

    def api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user_json(self._user(args.get("user")))}

    def api_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email") or "").lower()
        for user in self.users.values():
            if user.email and user.email.lower() == email:
                return {"user": self._user_json(user)}
        raise SlackError("users_not_found")

    def _user_json(self, user: SlackUser) -> dict[str, Any]:
        from zoneinfo import ZoneInfo

        offset = 0
        if user.tz:
            offset = int(self.clock.now().astimezone(ZoneInfo(user.tz)).utcoffset().total_seconds())
        profile = {"real_name": user.real_name, "display_name": user.name}
        if user.email:
            profile["email"] = user.email
        return {"id": user.id, "team_id": self.team_id, "name": user.name, "real_name": user.real_name,
                "deleted": user.deleted, "is_bot": user.is_bot, "is_restricted": user.is_restricted,
                "is_ultra_restricted": user.is_ultra_restricted, "tz": user.tz, "tz_offset": offset,
                "tz_label": user.tz or "", "profile": profile}

    def api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view(args)
        trigger = self._use_trigger(args.get("trigger_id"))
        self.stacks[trigger.user] = []
        return {"view": self._push_view(trigger.user, view, previous=None)}

    def api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view(args)
        trigger = self._use_trigger(args.get("trigger_id"))
        stack = self.stacks.get(trigger.user) or []
        if not stack:
            raise SlackError("not_found")
        if len(stack) >= VIEW_STACK_LIMIT:
            raise SlackError("push_limit_reached")
        return {"view": self._push_view(trigger.user, view, previous=stack[-1])}

    def api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view(args)
        record = self.views.get(args.get("view_id") or "")
        if record is None or record.id not in self.stacks.get(record.user, []):
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != record.hash:
            raise SlackError("hash_conflict")
        self.replace_view(record, view)
        return {"view": self._view_json(record)}

    def api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view(args)
        user = self._user(args.get("user_id"))
        if view.get("type") != "home":
            raise SlackError("invalid_arguments")
        self.home_views[user.id] = view
        return {"view": {"id": f"VHOME{user.id}", "type": "home", **view}}

    def _push_view(self, user: str, view: dict[str, Any], previous: str | None) -> dict[str, Any]:
        view_id = self.new_id("V")
        root = self.stacks[user][0] if self.stacks[user] else view_id
        record = ViewRecord(view_id, user, self.new_id("h"), view, root, previous)
        self.views[view_id] = record
        self.stacks[user].append(view_id)
        return self._view_json(record)

    def replace_view(self, record: ViewRecord, view: dict[str, Any]) -> None:
        """Swap a view's content; typed input survives only where block_id and action_id stay."""
        kept = {block["block_id"]: record.state[block["block_id"]]
                for block in view.get("blocks", []) if block.get("block_id") in record.state}
        record.view, record.state, record.hash = view, kept, self.new_id("h")
        record.errors = {}

    def close_top_view(self, user: str) -> None:
        with self.changed:
            if self.stacks.get(user):
                self.stacks[user].pop()
            self.changed.notify_all()

    def clear_views(self, user: str) -> None:
        with self.changed:
            self.stacks[user] = []
            self.changed.notify_all()

    def _view_json(self, record: ViewRecord) -> dict[str, Any]:
        return {"id": record.id, "hash": record.hash, "team_id": self.team_id,
                "root_view_id": record.root_view_id, "previous_view_id": record.previous_view_id,
                "state": {"values": record.state}, **record.view}

    def api_files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(args.get("file") or "")
        if stored is None:
            raise SlackError("file_not_found")
        return {"file": self._file_json(stored)}

    def api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        stored = StoredFile(self.new_id("F"), str(args.get("filename") or "file"), b"")
        self.files[stored.id] = stored
        return {"upload_url": f"{self.base_url}/upload/{stored.id}", "file_id": stored.id}

    def api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        entries = _json_arg(args.get("files")) or []
        stored = [self.files[entry["id"]] for entry in entries if entry.get("id") in self.files]
        if not stored:
            raise SlackError("file_not_found")
        for entry, item in zip(entries, stored, strict=False):
            item.title = entry.get("title") or item.name
        if args.get("channel_id"):
            channel = self._channel_for_post(args["channel_id"])
            message = self._post(channel, self.bot_user_id, args.get("initial_comment") or "",
                                 [], args.get("thread_ts") or None)
            message.files = [item.id for item in stored]
        return {"files": [self._file_json(item) for item in stored]}

    def _file_json(self, stored: StoredFile) -> dict[str, Any]:
        url = f"{self.base_url}/files/{stored.id}"
        return {"id": stored.id, "name": stored.name, "title": stored.title or stored.name,
                "mimetype": stored.mimetype, "size": len(stored.content), "url_private": url,
                "url_private_download": url}

    def add_file(self, name: str, content: bytes, mimetype: str = "text/csv") -> StoredFile:
        """A file a person uploaded, as a modal's file_input would hand it to the bot."""
        with self.lock:
            stored = StoredFile(self.new_id("F"), name, content, mimetype)
            self.files[stored.id] = stored
            return stored


async def _read_args(request: Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if not body:
        return args
    if "json" in request.headers.get("content-type", ""):
        args.update(json.loads(body))
    else:
        args.update({key: values[-1] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()})
    return args


def _json_arg(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise SlackError("invalid_arguments") from None
    return value


async def _multipart_or_raw(request: Request) -> bytes:
    if request.headers.get("content-type", "").startswith("multipart/"):
        form = await request.form()
        for value in form.values():
            if hasattr(value, "read"):
                return await value.read()
    return await request.body()


def seed_workspace(sandbox: SlackSandbox) -> None:
    """A small sales team: reps in #sales, a manager, an admin, and a private channel without the bot."""
    people = [
        SlackUser("UMARIA", "maria", "Maria Lopez", "maria@acme-sales.test", "America/Los_Angeles"),
        SlackUser("UDEV", "dev", "Dev Patel", "dev@acme-sales.test", "Asia/Kolkata"),
        SlackUser("USAM", "sam", "Sam Carter", "sam@acme-sales.test", "Europe/London"),
        SlackUser("UOPS", "olivia", "Olivia Ops", "olivia@acme-sales.test", "America/New_York"),
        SlackUser("UNOCRM", "noah", "Noah Newhire", "noah@elsewhere.test", None),
    ]
    for person in people:
        sandbox.add_user(person)
    everyone = {person.id for person in people} | {sandbox.bot_user_id}
    sandbox.add_channel(Channel("CSALES", "sales", members=set(everyone)))
    sandbox.add_channel(Channel("CGENERAL", "general", members={person.id for person in people}))
    sandbox.add_channel(Channel("GDEALROOM", "deal-room", is_private=True, members={"UMARIA", "UDEV"}))
