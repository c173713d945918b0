"""A person in the sandbox workspace, sending the bot what Slack would send on their behalf.

Every request is the wire form Slack uses (form-encoded slash commands, `payload=` JSON for
interactivity, JSON events), signed with the app's signing secret, so the bot under test runs its
real verification, parsing and acknowledgement paths. Each ack's body is judged as Slack judges it
(the sandbox records a refusal, and a refused ack changes nothing the person sees).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack import Ephemeral, Message, SlackSandbox, ViewRecord
from bot.ui.fields import INPUT_LIMIT
from bot.ui.text import slack_len

# The commands whose manifest entry says `should_escape: true` (a test keeps this in step with manifest.yml).
ESCAPED_COMMANDS = frozenset({"/tasks", "/taskbot"})


@dataclass
class Ack:
    """What the bot answered Slack within the 3 s window."""

    status: int
    body: dict[str, Any] | str
    latency_ms: float
    refused: str | None = None

    @property
    def errors(self) -> dict[str, str]:
        return self.body.get("errors", {}) if isinstance(self.body, dict) else {}


class VirtualUser:
    def __init__(self, sandbox: SlackSandbox, bot_url: str, signing_secret: str, user_id: str,
                 channel_id: str, http: httpx.Client | None = None,
                 recorded: Callable[[str, str], bool] | None = None):
        self.sandbox = sandbox
        self.recorded = recorded
        self.events_url = bot_url.rstrip("/") + "/slack/events"
        self.verifier = SignatureVerifier(signing_secret)
        self.user_id = user_id
        self.channel_id = channel_id
        self.http = http or httpx.Client(timeout=10)
        self.last_request: tuple[bytes, str, str, dict[str, Any] | None] | None = None

    # ----- identity and place ---------------------------------------------------------------

    def as_user(self, user_id: str) -> VirtualUser:
        """The same workspace and channel, another person."""
        return self._clone(user_id=user_id)

    def in_channel(self, channel_id: str) -> VirtualUser:
        return self._clone(channel_id=channel_id)

    def _clone(self, **changes: Any) -> VirtualUser:
        other = copy.copy(self)
        other.__dict__.update(changes, last_request=None)
        return other

    @property
    def _user_json(self) -> dict[str, Any]:
        user = self.sandbox.users[self.user_id]
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": self.sandbox.team_id}

    @property
    def _team_json(self) -> dict[str, Any]:
        return {"id": self.sandbox.team_id, "domain": "sandbox"}

    # ----- sending ----------------------------------------------------------------------------

    def send(self, body: bytes, content_type: str, *, timestamp: int | None = None,
             signature: str | None = None, retry_num: int | None = None, kind: str = "event",
             view: dict[str, Any] | None = None) -> Ack:
        """Deliver one request; `kind` (command, view_submission, block_actions…) says how Slack judges the ack."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        headers = {
            "content-type": content_type,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": signature or self.verifier.generate_signature(timestamp=ts, body=body),
        }
        if retry_num is not None:
            headers["x-slack-retry-num"] = str(retry_num)
            headers["x-slack-retry-reason"] = "http_timeout"
        self.last_request = (body, content_type, kind, view)
        started = time.perf_counter()
        response = self.http.post(self.events_url, content=body, headers=headers)
        latency_ms = (time.perf_counter() - started) * 1000
        try:
            parsed: dict[str, Any] | str = response.json() if response.content else ""
        except json.JSONDecodeError:
            parsed = response.text
        refused = self.sandbox.check_ack(kind, parsed, view) if response.status_code == 200 else None
        return Ack(response.status_code, parsed, latency_ms, refused)

    def resend_last(self, retry_num: int = 1) -> Ack:
        """Deliver the previous request again, the way Slack retries after a timeout."""
        assert self.last_request is not None, "nothing was sent yet"
        body, content_type, kind, view = self.last_request
        return self.send(body, content_type, retry_num=retry_num, kind=kind, view=view)

    def _send_form(self, fields: dict[str, str], **options: Any) -> Ack:
        return self.send(urlencode(fields).encode(), "application/x-www-form-urlencoded", **options)

    def _send_payload(self, payload: dict[str, Any], **options: Any) -> Ack:
        view = payload.get("view") if payload["type"] == "view_submission" else None
        return self._send_form({"payload": json.dumps(payload)}, kind=payload["type"], view=view, **options)

    # ----- what a person does -----------------------------------------------------------------

    def command(self, line: str, **options: Any) -> Ack:
        """Type a slash command, e.g. `/todo call Priya tmrw 3pm`."""
        command, _, text = line.partition(" ")
        channel = self.sandbox.channels[self.channel_id]
        if command in ESCAPED_COMMANDS:
            text = self.sandbox.escape_command_text(text)
        return self._send_form({
            "token": "deprecated", "team_id": self.sandbox.team_id, "team_domain": "sandbox",
            "channel_id": channel.id, "channel_name": channel.name, "user_id": self.user_id,
            "user_name": self.sandbox.users[self.user_id].name, "command": command, "text": text,
            "api_app_id": "ATASKBOT", "is_enterprise_install": "false",
            "response_url": self.sandbox.issue_response_url(channel.id, self.user_id),
            "trigger_id": self.sandbox.issue_trigger(self.user_id),
        }, kind="command", **options)

    def say(self, text: str, thread_ts: str | None = None) -> Message:
        """Post a message as this person (no bot involved)."""
        sandbox = self.sandbox
        with sandbox.changed:
            message = Message(self.channel_id, sandbox.new_ts(), self.user_id, text, [], thread_ts)
            sandbox.messages.append(message)
            sandbox.changed.notify_all()
            return message

    def message_shortcut(self, callback_id: str, message: Message) -> Ack:
        channel = self.sandbox.channels[message.channel]
        return self._send_payload({
            "type": "message_action", "callback_id": callback_id, "team": self._team_json,
            "user": self._user_json, "channel": {"id": channel.id, "name": channel.name},
            "message_ts": message.ts, "action_ts": f"{time.time():.6f}",
            "message": {"type": "message", "user": message.user, "ts": message.ts, "text": message.text},
            "trigger_id": self.sandbox.issue_trigger(self.user_id),
            "response_url": self.sandbox.issue_response_url(channel.id, self.user_id),
        })

    def global_shortcut(self, callback_id: str) -> Ack:
        return self._send_payload({
            "type": "shortcut", "callback_id": callback_id, "team": self._team_json,
            "user": self._user_json, "action_ts": f"{time.time():.6f}",
            "trigger_id": self.sandbox.issue_trigger(self.user_id),
        })

    def open_home(self) -> Ack:
        body = {
            "token": "deprecated", "team_id": self.sandbox.team_id, "api_app_id": "ATASKBOT",
            "type": "event_callback", "event_id": self.sandbox.new_id("Ev"), "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": self.user_id, "tab": "home",
                      "channel": self.sandbox.im_channel(self.user_id).id, "event_ts": f"{time.time():.6f}"},
        }
        return self.send(json.dumps(body).encode(), "application/json")

    # ----- modals -----------------------------------------------------------------------------

    @property
    def modal(self) -> ViewRecord | None:
        return self.sandbox.top_view(self.user_id)

    def wait_for_modal(self, callback_id: str | None = None, timeout: float = 5.0,
                       where: Any = None) -> ViewRecord:
        def ready() -> ViewRecord | None:
            view = self.sandbox.top_view(self.user_id)
            if view and (callback_id is None or view.view.get("callback_id") == callback_id):
                if where is None or where(view):
                    return view
            return None

        return self.sandbox.wait_for(ready, timeout)

    def fill(self, forged: bool = False, **values: Any) -> None:
        """Type into the open modal's inputs, by block_id or action_id, without submitting. `forged`: values
        Slack's own client would never send (longer than a field takes), as from a forged request."""
        record = self._require_modal()
        with self.sandbox.changed:
            for key, value in values.items():
                block, element = _find_input(record.view, key)
                if not forged:
                    _check_typeable(element, value)
                record.state[block["block_id"]] = {element["action_id"]: _state_value(element, value)}
            self.sandbox.changed.notify_all()

    def type_into(self, key: str, text: str) -> Ack:
        """Type into a dispatch_action input: the bot hears it at once, as Slack sends it on Enter."""
        self.fill(**{key: text})
        record = self._require_modal()
        block, element = _find_input(record.view, key)
        return self._send_view_action(record, {
            "type": element["type"], "action_id": element["action_id"], "block_id": block["block_id"],
            "value": text, "action_ts": f"{time.time():.6f}"})

    def choose(self, key: str, value: str | dict[str, Any]) -> Ack:
        """Pick an option (its value, or a typeahead's whole option) in a select that tells the bot at once."""
        self.fill(**{key: value})
        record = self._require_modal()
        block, element = _find_input(record.view, key)
        state = record.state[block["block_id"]][element["action_id"]]
        return self._send_view_action(record, {
            "type": element["type"], "action_id": element["action_id"], "block_id": block["block_id"],
            "selected_option": state["selected_option"], "action_ts": f"{time.time():.6f}"})

    def upload(self, name: str, content: bytes) -> list[dict[str, str]]:
        """A file the person uploads into a file_input: what to fill it with."""
        stored = self.sandbox.add_file(name, content)
        return [{"id": stored.id, "name": stored.name}]

    def submit(self, forged: bool = False, **values: Any) -> Ack:
        """Fill the given inputs, keep every other input as shown, and press the submit button."""
        if values:
            self.fill(forged, **values)
        record = self._require_modal()
        payload = {
            "type": "view_submission", "team": self._team_json, "user": self._user_json,
            "api_app_id": "ATASKBOT", "trigger_id": self.sandbox.issue_trigger(self.user_id),
            "view": self._view_payload(record), "response_urls": [],
        }
        ack = self._send_payload(payload)
        self._apply_submission_ack(record, ack)
        return ack

    def double_submit(self, **values: Any) -> list[Ack]:
        """Press submit twice before the modal closes, as an impatient double click does."""
        import concurrent.futures

        if values:
            self.fill(**values)
        record = self._require_modal()
        payloads = [{"type": "view_submission", "team": self._team_json, "user": self._user_json,
                     "api_app_id": "ATASKBOT", "trigger_id": self.sandbox.issue_trigger(self.user_id),
                     "view": self._view_payload(record), "response_urls": []} for _ in range(2)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            acks = list(pool.map(self._send_payload, payloads))
        self._apply_submission_ack(record, acks[0])
        return acks

    def close_modal(self) -> None:
        self.sandbox.clear_views(self.user_id)

    def suggest(self, key: str, query: str) -> list[dict[str, Any]]:
        """Type into a typeahead (external_select); returns the options the bot offered."""
        record = self._require_modal()
        block, element = _find_input(record.view, key)
        ack = self._send_payload({
            "type": "block_suggestion", "user": self._user_json, "team": self._team_json,
            "action_id": element["action_id"], "block_id": block["block_id"], "value": query,
            "api_app_id": "ATASKBOT", "view": self._view_payload(record),
            "container": {"type": "view", "view_id": record.id},
        })
        body = ack.body if isinstance(ack.body, dict) else {}
        groups = body.get("option_groups") or []
        return body.get("options") or [option for group in groups for option in group["options"]]

    def _require_modal(self) -> ViewRecord:
        record = self.modal
        if record is None:
            raise AssertionError(f"{self.user_id} has no modal open")
        return record

    def _view_payload(self, record: ViewRecord) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for block in record.view.get("blocks", []):
            element = block.get("element") if block.get("type") == "input" else None
            if element is None:
                continue
            typed = record.state.get(block["block_id"], {}).get(element["action_id"])
            values[block["block_id"]] = {element["action_id"]: typed or initial_state(element)}
        view = self.sandbox._view_json(record)
        view["state"] = {"values": values}
        return view

    def _apply_submission_ack(self, record: ViewRecord, ack: Ack) -> None:
        body = ack.body if isinstance(ack.body, dict) else {}
        action = body.get("response_action")
        sandbox = self.sandbox
        record.errors = {}
        if action == "errors" and ack.status == 200 and not ack.refused:
            inputs = {block.get("block_id") for block in record.view.get("blocks", []) if block.get("type") == "input"}
            record.errors = {key: message for key, message in ack.errors.items() if key in inputs}
        if ack.status != 200 or ack.refused or action == "errors":
            return
        with sandbox.changed:
            if action == "update":
                sandbox.replace_view(record, body["view"])
            elif action == "push":
                sandbox._push_view(self.user_id, body["view"], previous=record.id)
            elif action == "clear":
                sandbox.stacks[self.user_id] = []
            elif sandbox.stacks.get(self.user_id):
                sandbox.stacks[self.user_id].pop()
            sandbox.changed.notify_all()

    # ----- buttons ----------------------------------------------------------------------------

    def click(self, label_or_action: str, *, message: Message | None = None,
              ephemeral: Ephemeral | None = None, in_modal: bool = False, in_home: bool = False,
              value: str | None = None) -> Ack:
        """Press a button (by its label or action_id) in a message, an ephemeral, the modal or Home."""
        if message is not None:
            button, block = _find_button(message.blocks, label_or_action, value)
            channel = self.sandbox.channels[message.channel]
            payload = self._action_payload(button, block, {
                "container": {"type": "message", "message_ts": message.ts, "channel_id": channel.id,
                              "is_ephemeral": False},
                "channel": {"id": channel.id, "name": channel.name},
                "message": {"type": "message", "ts": message.ts, "text": message.text,
                            "blocks": message.blocks, "user": message.user, "thread_ts": message.thread_ts},
                "response_url": self.sandbox.issue_response_url(channel.id, self.user_id, message.ts),
            })
            return self._send_payload(payload)
        if ephemeral is not None:
            button, block = _find_button(ephemeral.blocks, label_or_action, value)
            payload = self._action_payload(button, block, {
                "container": {"type": "message", "message_ts": ephemeral.ts, "channel_id": ephemeral.channel,
                              "is_ephemeral": True},
                "channel": {"id": ephemeral.channel},
                "response_url": self.sandbox.issue_response_url(ephemeral.channel, self.user_id,
                                                                ephemeral.ts, source_is_ephemeral=True),
            })
            return self._send_payload(payload)
        if in_home:
            home = self.sandbox.home_views.get(self.user_id)
            assert home is not None, "no Home tab published"
            button, block = _find_button(home["blocks"], label_or_action, value)
            payload = self._action_payload(button, block, {
                "container": {"type": "view", "view_id": f"VHOME{self.user_id}"},
                "view": {"id": f"VHOME{self.user_id}", "type": "home", **home},
            })
            return self._send_payload(payload)
        assert in_modal, "say where the button is: message=, ephemeral=, in_modal=True or in_home=True"
        record = self._require_modal()
        button, block = _find_button(record.view.get("blocks", []), label_or_action, value)
        return self._send_view_action(record, _button_action(button, block))

    def pick_in_home(self, action_id: str, value: str) -> Ack:
        """Change a select (by option value or label) or a time picker (HH:MM) on the Home tab."""
        home = self.sandbox.home_views.get(self.user_id)
        assert home is not None, "no Home tab published"
        block, element = next(((b, e) for b in home["blocks"] for e in [b.get("accessory"), *b.get("elements", [])]
                               if isinstance(e, dict) and e.get("action_id") == action_id), (None, None))
        assert block is not None and element is not None, f"no {action_id!r} on Home"
        action = {"action_id": action_id, "block_id": block.get("block_id", ""), "action_ts": f"{time.time():.6f}",
                  **_state_value(element, value)}
        return self._send_payload({
            "type": "block_actions", "user": self._user_json, "team": self._team_json, "api_app_id": "ATASKBOT",
            "trigger_id": self.sandbox.issue_trigger(self.user_id), "actions": [action],
            "container": {"type": "view", "view_id": f"VHOME{self.user_id}"},
            "view": {"id": f"VHOME{self.user_id}", "type": "home", **home}})

    def _action_payload(self, button: dict[str, Any], block: dict[str, Any],
                        extra: dict[str, Any]) -> dict[str, Any]:
        return {"type": "block_actions", "user": self._user_json, "team": self._team_json,
                "api_app_id": "ATASKBOT", "trigger_id": self.sandbox.issue_trigger(self.user_id),
                "actions": [_button_action(button, block)], **extra}

    def _send_view_action(self, record: ViewRecord, action: dict[str, Any]) -> Ack:
        return self._send_payload({
            "type": "block_actions", "user": self._user_json, "team": self._team_json,
            "api_app_id": "ATASKBOT", "trigger_id": self.sandbox.issue_trigger(self.user_id),
            "container": {"type": "view", "view_id": record.id}, "view": self._view_payload(record),
            "actions": [action],
        })

    # ----- reading what the bot did -----------------------------------------------------------

    def channel_messages(self, channel_id: str | None = None) -> list[Message]:
        return self.sandbox.history(channel_id or self.channel_id)

    def thread(self, message: Message) -> list[Message]:
        return self.sandbox.replies(message.channel, message.ts)

    def ephemerals(self) -> list[Ephemeral]:
        with self.sandbox.lock:
            return [e for e in self.sandbox.ephemerals if e.user == self.user_id and not e.deleted]

    def dms(self) -> list[Message]:
        return self.sandbox.history(self.sandbox.im_channel(self.user_id).id)

    @property
    def home(self) -> dict[str, Any] | None:
        return self.sandbox.home_views.get(self.user_id)

    def wait_for_message(self, predicate: Any = None, channel_id: str | None = None,
                         timeout: float = 5.0) -> Message:
        return self.sandbox.wait_for(lambda: next(
            (m for m in reversed(self.channel_messages(channel_id)) if m.bot and (predicate is None or predicate(m))),
            None), timeout)

    def wait_for_confirmation(self, predicate: Any = None, timeout: float = 5.0) -> Message:
        """A confirmation the bot posted, once the bot has also recorded where it is (as it has long before a
        person could click on it)."""
        message = self.wait_for_message(predicate, timeout=timeout)
        if self.recorded is not None:
            deadline = time.monotonic() + timeout
            while not self.recorded(message.channel, message.ts):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the bot never recorded its confirmation {message.ts}")
                time.sleep(0.01)
        return message

    def wait_for_ephemeral(self, predicate: Any = None, timeout: float = 5.0) -> Ephemeral:
        return self.sandbox.wait_for(lambda: next(
            (e for e in reversed(self.ephemerals()) if predicate is None or predicate(e)), None), timeout)

    def wait_for_dm(self, predicate: Any = None, timeout: float = 5.0) -> Message:
        return self.sandbox.wait_for(lambda: next(
            (m for m in reversed(self.dms()) if predicate is None or predicate(m)), None), timeout)

    def wait_for_reply(self, message: Message, predicate: Any = None, timeout: float = 5.0) -> Message:
        return self.sandbox.wait_for(lambda: next(
            (m for m in reversed(self.thread(message)) if predicate is None or predicate(m)), None), timeout)


def _find_input(view: dict[str, Any], key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for block in view.get("blocks", []):
        element = block.get("element")
        if block.get("type") == "input" and (block.get("block_id") == key or element.get("action_id") == key):
            return block, element
    raise AssertionError(f"the modal has no input {key!r}")


def _find_button(blocks: list[dict[str, Any]], key: str,
                 value: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    for block in blocks:
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        for element in candidates:
            if element.get("type") != "button":
                continue
            label = element.get("text", {}).get("text", "")
            if key in (label, element.get("action_id")) and (value is None or element.get("value") == value):
                return element, block
    raise AssertionError(f"no button {key!r} here")


def _button_action(button: dict[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "button", "action_id": button["action_id"], "block_id": block.get("block_id", ""),
            "text": button.get("text"), "value": button.get("value"), "action_ts": f"{time.time():.6f}"}


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    options = list(element.get("options") or [])
    options += [option for group in element.get("option_groups") or [] for option in group["options"]]
    for option in options:
        if value in (option["value"], option["text"]["text"]):
            return option
    if element["type"] in ("external_select", "multi_external_select"):
        return {"text": {"type": "plain_text", "text": value}, "value": value}
    raise AssertionError(f"{value!r} is not one of the choices")


def _check_typeable(element: dict[str, Any], value: Any) -> None:
    """Slack lets nobody type or paste more than a text field's max_length (3,000 at most); a test that
    needs more is forging a request, and says so with `forged=True`."""
    if element["type"] == "plain_text_input" and isinstance(value, str):
        limit = element.get("max_length", INPUT_LIMIT)
        if slack_len(value) > limit:
            raise ValueError(f"Slack lets nobody type {slack_len(value):,} characters into {element['action_id']!r}: "
                             f"it takes {limit:,} at most")


def _state_value(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind in ("static_select", "external_select", "radio_buttons"):
        chosen = value if isinstance(value, dict) or not value else _option(element, value)
        return {"type": kind, "selected_option": chosen}
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return {"type": kind, "selected_options": [_option(element, v) for v in value]}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value, "timezone": element.get("timezone")}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": value}
    if kind == "file_input":
        return {"type": kind, "files": value}
    return {"type": kind, "value": value}


def initial_state(element: dict[str, Any]) -> dict[str, Any]:
    kind = element["type"]
    initial = {
        "users_select": "initial_user", "conversations_select": "initial_conversation",
        "datepicker": "initial_date", "timepicker": "initial_time", "datetimepicker": "initial_date_time",
    }.get(kind)
    if initial:
        return _state_value(element, element.get(initial))
    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"type": kind, "selected_option": element.get("initial_option")}
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return {"type": kind, "selected_options": element.get("initial_options") or []}
    if kind == "file_input":
        return {"type": kind, "files": []}
    return {"type": kind, "value": element.get("initial_value")}
