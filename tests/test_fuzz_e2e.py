"""Every request gets an answer: thousands of correctly signed, mutated requests, never a 5xx.

Each listener's payload shape starts from what Slack really sends (the modals the bot opened, the
buttons it drew) and hypothesis mutates it: blocks dropped from a form's state, values of the wrong
type, options that were never offered, forged ids, oversized text, malformed JSON.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sandbox.stack import SandboxStack
from bot.sandbox.virtual_user import VirtualUser
from bot.ui.ids import MEET_LIVE_FIELDS, WHEN, Action, Command, Field, MeetField, Shortcut
from tests.slack_helpers import create_task, has_block

EXAMPLES = 280
USERS = ["UMARIA", "UNOCRM", "UOPS", "UFORGED1", ""]
FORGED_IDS = ["", "0", "-1", "../../x", "x/../../calendars", "999999999", "1|home", "abc|list:mine:0",
              "%2e%2e%2f", "a" * 300, "12|", "|", "None", "null", "1e309", "ａｂｃ"]
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(allow_nan=False),
                      st.sampled_from(FORGED_IDS), st.text(max_size=40))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(st.text(max_size=8), inner,
                                                                             max_size=3)), max_leaves=6)
long_text = st.sampled_from([0, 10, 3000, 3001, 40_000]).map(lambda n: "tmrw 3pm " + "w" * n)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


class Wire:
    """Sends signed requests as Slack does and keeps the tally of answers."""

    def __init__(self, rep: VirtualUser):
        self.rep = rep
        self.statuses: Counter[int] = Counter()
        self.failures: list[tuple[int, bytes]] = []

    def send(self, body: bytes, content_type: str = "application/x-www-form-urlencoded") -> None:
        status = self.rep.send(body, content_type).status
        self.statuses[status] += 1
        if status >= 500:
            self.failures.append((status, body[:300]))

    def payload(self, payload: Any) -> None:
        self.send(urlencode({"payload": json.dumps(payload)}).encode())

    @property
    def count(self) -> int:
        return sum(self.statuses.values())


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, prefix + (index,))
    return found


@st.composite
def mutated(draw: Any, base: Any) -> Any:
    """The base payload with a few parts dropped or replaced by any JSON value."""
    result = copy.deepcopy(base)
    every = paths(base)
    for path in draw(st.lists(st.sampled_from(every), max_size=4)) if every else []:
        parent = result
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_value)
        except (KeyError, IndexError, TypeError):
            continue
    return result


def user_json(user: str) -> dict[str, Any]:
    return {"id": user, "username": "someone", "name": "someone", "team_id": "T0SANDBOX"}


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@pytest.mark.refusals_expected  # forged payloads of one type posing as another get acks Slack would not judge alike
def test_thousands_of_mutated_signed_requests_are_all_answered_without_a_5xx(stack: SandboxStack,
                                                                              maria: VirtualUser):
    wire = Wire(maria)
    slack = stack.slack
    started = time.perf_counter()

    created = create_task(maria, "/todo call Priya tmrw 3pm")
    maria.click("Reschedule", message=created)
    reschedule = maria.wait_for_modal("reschedule_modal")
    views = {"reschedule": maria._view_payload(reschedule)}
    maria.close_modal()
    maria.command("/todo call Priya tmrw 3pm")
    views["task"] = maria._view_payload(maria.wait_for_modal("task_modal", where=lambda v: has_block(v.view,
                                                                                                     "title")))
    maria.close_modal()
    maria.command("/meet demo with Priya tmrw 3pm")
    views["meet"] = maria._view_payload(maria.wait_for_modal(
        "meet_modal", where=lambda v: has_block(v.view, MeetField.CALENDAR)))
    maria.close_modal()
    ops = stack.user("UOPS")
    ops.command("/bulktasks")
    views["bulk"] = ops._view_payload(ops.wait_for_modal("bulk_modal"))
    ops.close_modal()

    def trigger(user: str) -> str:
        return slack.issue_trigger(user if user in slack.users else "UMARIA")

    def response_url(user: str) -> str:
        return slack.issue_response_url("CSALES", user if user in slack.users else "UMARIA")

    @FUZZ
    @given(command=st.sampled_from(list(Command)), text=st.one_of(st.text(max_size=60), long_text,
                                                                  st.sampled_from(FORGED_IDS)),
           user=st.sampled_from(USERS), fields=st.dictionaries(st.sampled_from(
               ["channel_id", "trigger_id", "response_url", "user_id", "text"]), json_leaf.map(str), max_size=2))
    def commands(command: str, text: str, user: str, fields: dict[str, str]) -> None:
        form = {"token": "x", "team_id": "T0SANDBOX", "channel_id": "CSALES", "user_id": user, "command": command,
                "text": text, "api_app_id": "ATASKBOT", "response_url": response_url(user),
                "trigger_id": trigger(user), **fields}
        wire.send(urlencode(form).encode())

    @FUZZ
    @given(data=st.data(), which=st.sampled_from(sorted(views)), user=st.sampled_from(USERS))
    def submissions(data: Any, which: str, user: str) -> None:
        view = data.draw(mutated(views[which]))
        wire.payload({"type": "view_submission", "team": {"id": "T0SANDBOX"}, "user": user_json(user),
                      "api_app_id": "ATASKBOT", "trigger_id": trigger(user), "view": view, "response_urls": []})

    live = [Field.DUE, Field.TASK_TYPE, Field.KIND, WHEN, *MEET_LIVE_FIELDS, f"{Action.MEET_SLOT}:0"]

    @FUZZ
    @given(data=st.data(), action_id=st.sampled_from([*Action, *live]), user=st.sampled_from(USERS),
           value=st.one_of(st.sampled_from(FORGED_IDS), st.text(max_size=20)),
           in_view=st.sampled_from([None, *sorted(views)]))
    def actions(data: Any, action_id: str, user: str, value: str, in_view: str | None) -> None:
        action = {"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                  "selected_option": {"value": value, "text": {"type": "plain_text", "text": "x"}},
                  "selected_time": value, "action_ts": "1.0"}
        payload: dict[str, Any] = {"type": "block_actions", "user": user_json(user), "team": {"id": "T0SANDBOX"},
                                   "api_app_id": "ATASKBOT", "trigger_id": trigger(user),
                                   "actions": [data.draw(mutated(action))]}
        if in_view:
            payload["view"] = views[in_view]
            payload["container"] = {"type": "view", "view_id": views[in_view].get("id")}
        else:
            payload["response_url"] = response_url(user)
            payload["container"] = {"type": "message", "message_ts": created.ts, "channel_id": "CSALES"}
        wire.payload(data.draw(mutated(payload)))

    @FUZZ
    @given(data=st.data(), action_id=st.sampled_from([Field.LEAD, Field.OPPORTUNITY, MeetField.CONTACT]),
           user=st.sampled_from(USERS), query=st.one_of(st.text(max_size=30), long_text),
           which=st.sampled_from(sorted(views)))
    def suggestions(data: Any, action_id: str, user: str, query: str, which: str) -> None:
        wire.payload(data.draw(mutated({"type": "block_suggestion", "user": user_json(user),
                                        "team": {"id": "T0SANDBOX"}, "action_id": action_id,
                                        "block_id": action_id, "value": query, "api_app_id": "ATASKBOT",
                                        "view": views[which]})))

    @FUZZ
    @given(data=st.data(), callback=st.sampled_from(list(Shortcut)), user=st.sampled_from(USERS))
    def shortcuts(data: Any, callback: str, user: str) -> None:
        kind = "message_action" if callback == Shortcut.CREATE_FROM_MESSAGE else "shortcut"
        wire.payload(data.draw(mutated({
            "type": kind, "callback_id": callback, "team": {"id": "T0SANDBOX"}, "user": user_json(user),
            "channel": {"id": "CSALES"}, "trigger_id": trigger(user), "response_url": response_url(user),
            "message": {"type": "message", "user": "UDEV", "ts": created.ts, "text": "call Priya tmrw"}})))

    @FUZZ
    @given(data=st.data(), user=st.sampled_from(USERS), raw=st.text(max_size=80))
    def events_and_garbage(data: Any, user: str, raw: str) -> None:
        event = data.draw(mutated({"token": "x", "team_id": "T0SANDBOX", "api_app_id": "ATASKBOT",
                                   "type": "event_callback", "event_id": f"Ev{time.perf_counter_ns()}",
                                   "event": {"type": "app_home_opened", "user": user, "tab": "home"}}))
        wire.send(json.dumps(event).encode(), "application/json")
        wire.send(b"payload=" + raw.encode())
        wire.send(b"{" + raw.encode(), "application/json")
        wire.send(urlencode({"payload": json.dumps(data.draw(json_value))}).encode())

    for shape in (commands, submissions, actions, suggestions, shortcuts, events_and_garbage):
        shape()

    seconds = time.perf_counter() - started
    print(f"\nfuzz: {wire.count} signed requests in {seconds:.1f} s; answers {dict(sorted(wire.statuses.items()))}")
    assert wire.failures == []
    assert wire.count >= 2500
