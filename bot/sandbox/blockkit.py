"""Block Kit as strict as Slack: shapes, every documented limit, and the uniqueness of ids.

The Slack sandbox refuses with this module what Slack refuses, on every surface a bot writes to
(chat.postMessage, chat.update, chat.postEphemeral, response_url posts, views.open/update/push/publish,
and the bodies of acks), and the ui tests check every builder's output with it. slack_sdk's models
run too, as a second opinion; they do not check ids for uniqueness, most limits inside nested
objects, or keys Slack does not know.

Limits, with where they are written (docs.slack.dev/reference/..., read for this module):

| limit | value | source |
|---|---|---|
| blocks in a message | 50 | block-kit/blocks ("up to 50 blocks in each message") |
| blocks in a modal or Home tab | 100 | views/modal-views, views/home-tab-views |
| block_id | 255, unique in a message or view | block-kit/blocks (every block's block_id) |
| action_id | 255, unique within its block | block-kit/block-elements (button et al.: "unique among all other action_ids in the containing block") |
| text object | 1..3000 | block-kit/composition-objects/text-object |
| section text | 3000; fields at most 10, each 2000; text or fields | block-kit/blocks/section-block |
| header text | 150, plain_text | block-kit/blocks/header-block |
| context elements | 1..10 | block-kit/blocks/context-block |
| actions elements | 1..25 | block-kit/blocks/actions-block |
| input label, hint | 2000, plain_text | block-kit/blocks/input-block |
| button text, value, url, accessibility_label | 75, 2000, 3000, 75 | block-kit/block-elements/button-element |
| placeholder | 150, plain_text | every element with a placeholder |
| option text, value, description, url | 75, 150, 75, 3000 | block-kit/composition-objects/option-object |
| options, option_groups | at most 100 each, one of the two | select menu elements |
| option group label | 75 | composition-objects/option-group-object |
| checkboxes, radio buttons options | 1..10 | checkboxes-element, radio-button-group-element |
| overflow options | 1..5 | overflow-menu-element |
| confirm title, text, confirm, deny | 100, 300, 30, 30 | composition-objects/confirmation-dialog-object |
| plain_text_input min_length, max_length | 0..3000, 1..3000 | plain-text-input-element |
| image url, alt_text | 3000, 2000 | image-element, image-block |
| modal title, submit, close | 24 each, plain_text; submit when an input block is present | views/modal-views |
| private_metadata | 3000 | views/modal-views, views/home-tab-views |
| callback_id, external_id | 255 | views/modal-views |
| view JSON | 250 kB: view_too_large | methods/views.open ("greater than 250kb") |
| message text | 40,000: msg_too_long | methods/chat.postMessage ("no more than 40,000 characters or risk truncation") |

Assumptions, each the stricter reading of something the documents leave open:
- "Characters" are counted in UTF-16 code units, as Slack's JavaScript clients count string length;
  an emoji outside the Basic Multilingual Plane counts two. It is never more lenient than counting
  code points.
- 250 kB is 250,000 bytes of the view's JSON as sent (UTF-8).
- Message text over 40,000 characters is refused with `msg_too_long` rather than truncated.
- A key Slack does not define for a block, element or composition object is refused (Slack's
  schema names the offending property; `"url"` on a select's option is the commonly reported case).
- An `initial_option` of a static menu (and each of `initial_options`) must equal one of its options;
  an `initial_value` may not be longer than the input's `max_length`.
- In a view_submission ack, every key of `errors` must be the block_id of an input block of that view.
- Views are refused with `invalid_arguments` and messages with `invalid_blocks`, each with
  `response_metadata.messages` naming the place (`[ERROR] ... [json-pointer:/blocks/0/text]`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.ui.text import slack_len

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
VIEW_BYTES = 250_000
PRIVATE_METADATA = 3000
ID_LENGTH = 255
TEXT = 3000
FIELD_TEXT = 2000
FIELDS = 10
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
LABEL = 2000
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
URL = 3000
PLACEHOLDER = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
CHOICES = 10
OVERFLOW_OPTIONS = 5
CONFIRM_TITLE, CONFIRM_TEXT, CONFIRM_BUTTON = 100, 300, 30
INPUT_LENGTH = 3000
VIEW_TEXT = 24
ALT_TEXT = 2000

STYLES = {"primary", "danger"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
TRIGGERS = {"on_enter_pressed", "on_character_entered"}


class Refused(ValueError):
    """What Slack would answer instead of `ok`: its error code and the places it names."""

    def __init__(self, error: str, messages: list[str]):
        super().__init__(f"{error}: " + "; ".join(messages))
        self.error = error
        self.messages = messages


class _Check:
    """Walks one payload, collecting every problem with its JSON pointer."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, why: str) -> None:
        self.problems.append(f"[ERROR] {why} [json-pointer:{where or '/'}]")

    # ----- primitives -------------------------------------------------------------------------

    def keys(self, value: dict[str, Any], where: str, allowed: Iterable[str], required: Iterable[str] = (),
             typed: bool = True) -> None:
        allowed = set(allowed) | ({"type"} if typed else set())
        for key in value:
            if key not in allowed:
                self.fail(f"{where}/{key}", "unknown property")
        for key in required:
            if value.get(key) in (None, "", []):
                self.fail(f"{where}/{key}", "is required")

    def string(self, value: Any, where: str, limit: int, minimum: int = 0) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.fail(where, "must be a string")
        elif slack_len(value) > limit:
            self.fail(where, f"must be at most {limit} characters")
        elif slack_len(value) < minimum:
            self.fail(where, f"must be at least {minimum} characters")

    def boolean(self, value: dict[str, Any], key: str, where: str) -> None:
        if key in value and not isinstance(value[key], bool):
            self.fail(f"{where}/{key}", "must be a boolean")

    def count(self, items: Any, where: str, limit: int, minimum: int = 0) -> list[Any]:
        if items is None:
            return []
        if not isinstance(items, list):
            self.fail(where, "must be an array")
            return []
        if len(items) > limit:
            self.fail(where, f"must have at most {limit} items")
        if len(items) < minimum:
            self.fail(where, f"must have at least {minimum} items")
        return items

    def obj(self, value: Any, where: str) -> bool:
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
            return False
        return True

    # ----- composition objects ----------------------------------------------------------------

    def text(self, value: Any, where: str, limit: int = TEXT, plain_only: bool = False) -> None:
        if value is None or not self.obj(value, where):
            return
        kind = value.get("type")
        if kind == "plain_text":
            self.keys(value, where, ("text", "emoji"), ("text",))
            self.boolean(value, "emoji", where)
        elif kind == "mrkdwn" and not plain_only:
            self.keys(value, where, ("text", "verbatim"), ("text",))
            self.boolean(value, "verbatim", where)
        else:
            self.fail(f"{where}/type", "must be plain_text" if plain_only else "must be plain_text or mrkdwn")
        self.string(value.get("text"), f"{where}/text", min(limit, TEXT), minimum=1)

    def option(self, value: Any, where: str, plain_only: bool = True, with_url: bool = False) -> None:
        if not self.obj(value, where):
            return
        self.keys(value, where, ("text", "value", "description") + (("url",) if with_url else ()), ("text",),
                  typed=False)
        self.text(value.get("text"), f"{where}/text", OPTION_TEXT, plain_only)
        self.string(value.get("value"), f"{where}/value", OPTION_VALUE, minimum=1)
        self.text(value.get("description"), f"{where}/description", OPTION_TEXT, plain_only)
        self.string(value.get("url"), f"{where}/url", URL)

    def options(self, element: dict[str, Any], where: str, limit: int = OPTIONS, minimum: int = 0,
                plain_only: bool = True, groups: bool = True) -> list[dict[str, Any]]:
        """Check options or option_groups; return every option, for checking initial ones."""
        found: list[dict[str, Any]] = []
        if groups and "option_groups" in element:
            if "options" in element:
                self.fail(f"{where}/options", "options and option_groups cannot both be given")
            for index, group in enumerate(self.count(element["option_groups"], f"{where}/option_groups", OPTIONS, 1)):
                at = f"{where}/option_groups/{index}"
                if not self.obj(group, at):
                    continue
                self.keys(group, at, ("label", "options"), ("label", "options"), typed=False)
                self.text(group.get("label"), f"{at}/label", OPTION_TEXT, plain_only=True)
                for number, item in enumerate(self.count(group.get("options"), f"{at}/options", OPTIONS, 1)):
                    self.option(item, f"{at}/options/{number}", plain_only)
                    found.append(item)
            return found
        for index, item in enumerate(self.count(element.get("options"), f"{where}/options", limit, minimum)):
            self.option(item, f"{where}/options/{index}", plain_only)
            found.append(item)
        return found

    def confirm(self, value: Any, where: str) -> None:
        if value is None or not self.obj(value, where):
            return
        self.keys(value, where, ("title", "text", "confirm", "deny", "style"), ("title", "text", "confirm", "deny"),
                  typed=False)
        self.text(value.get("title"), f"{where}/title", CONFIRM_TITLE, plain_only=True)
        self.text(value.get("text"), f"{where}/text", CONFIRM_TEXT)
        self.text(value.get("confirm"), f"{where}/confirm", CONFIRM_BUTTON, plain_only=True)
        self.text(value.get("deny"), f"{where}/deny", CONFIRM_BUTTON, plain_only=True)
        if "style" in value and value["style"] not in STYLES:
            self.fail(f"{where}/style", "must be primary or danger")

    # ----- elements -----------------------------------------------------------------------------

    def element(self, value: Any, where: str, allowed: set[str]) -> None:
        if not self.obj(value, where):
            return
        kind = value.get("type")
        if kind not in allowed:
            self.fail(f"{where}/type", f"{kind!r} is not allowed here")
            return
        common = ("action_id",)
        self.string(value.get("action_id"), f"{where}/action_id", ID_LENGTH, minimum=1)
        focusable = ("focus_on_load",)
        placeholder = ("placeholder",)
        self.text(value.get("placeholder"), f"{where}/placeholder", PLACEHOLDER, plain_only=True)
        self.confirm(value.get("confirm"), f"{where}/confirm")
        if kind == "button":
            self.keys(value, where, common + ("text", "url", "value", "style", "confirm", "accessibility_label"),
                      ("text",))
            self.text(value.get("text"), f"{where}/text", BUTTON_TEXT, plain_only=True)
            self.string(value.get("url"), f"{where}/url", URL)
            self.string(value.get("value"), f"{where}/value", BUTTON_VALUE)
            self.string(value.get("accessibility_label"), f"{where}/accessibility_label", BUTTON_TEXT, minimum=1)
            if "style" in value and value["style"] not in STYLES:
                self.fail(f"{where}/style", "must be primary or danger")
        elif kind in ("static_select", "multi_static_select"):
            multi = kind.startswith("multi")
            self.keys(value, where, common + focusable + placeholder + (
                "options", "option_groups", "confirm") + (("initial_options", "max_selected_items") if multi
                                                          else ("initial_option",)))
            if "options" not in value and "option_groups" not in value:
                self.fail(f"{where}/options", "options or option_groups is required")
            choices = self.options(value, where)
            self.initial(value, where, choices, multi)
        elif kind in ("external_select", "multi_external_select"):
            multi = kind.startswith("multi")
            self.keys(value, where, common + focusable + placeholder + ("min_query_length", "confirm") + (
                ("initial_options", "max_selected_items") if multi else ("initial_option",)))
            for index, item in enumerate(value.get("initial_options") or []):
                self.option(item, f"{where}/initial_options/{index}")
            if "initial_option" in value:
                self.option(value["initial_option"], f"{where}/initial_option")
            minimum = value.get("min_query_length")
            if minimum is not None and (not isinstance(minimum, int) or minimum < 0):
                self.fail(f"{where}/min_query_length", "must be a whole number, 0 or more")
        elif kind in ("users_select", "multi_users_select"):
            multi = kind.startswith("multi")
            self.keys(value, where, common + focusable + placeholder + ("confirm",) + (
                ("initial_users", "max_selected_items") if multi else ("initial_user",)))
        elif kind in ("conversations_select", "channels_select", "multi_conversations_select",
                      "multi_channels_select"):
            self.keys(value, where, common + focusable + placeholder + (
                "confirm", "initial_conversation", "initial_conversations", "initial_channel", "initial_channels",
                "response_url_enabled", "default_to_current_conversation", "filter", "max_selected_items"))
        elif kind in ("checkboxes", "radio_buttons"):
            multi = kind == "checkboxes"
            self.keys(value, where, common + focusable + ("options", "confirm") + (
                ("initial_options",) if multi else ("initial_option",)), ("options",))
            choices = self.options(value, where, CHOICES, 1, plain_only=False, groups=False)
            self.initial(value, where, choices, multi)
        elif kind == "overflow":
            self.keys(value, where, common + ("options", "confirm"), ("options",))
            for index, item in enumerate(self.count(value.get("options"), f"{where}/options", OVERFLOW_OPTIONS, 1)):
                self.option(item, f"{where}/options/{index}", with_url=True)
        elif kind == "datepicker":
            self.keys(value, where, common + focusable + placeholder + ("initial_date", "confirm"))
            if "initial_date" in value and not DATE.match(str(value["initial_date"])):
                self.fail(f"{where}/initial_date", "must be YYYY-MM-DD")
        elif kind == "timepicker":
            self.keys(value, where, common + focusable + placeholder + ("initial_time", "confirm", "timezone"))
            if "initial_time" in value and not TIME.match(str(value["initial_time"])):
                self.fail(f"{where}/initial_time", "must be HH:mm")
        elif kind == "datetimepicker":
            self.keys(value, where, common + focusable + ("initial_date_time", "confirm"))
            if "initial_date_time" in value and not isinstance(value["initial_date_time"], int):
                self.fail(f"{where}/initial_date_time", "must be a whole number of seconds")
        elif kind == "plain_text_input":
            self.keys(value, where, common + focusable + placeholder + (
                "initial_value", "multiline", "min_length", "max_length", "dispatch_action_config"))
            self.boolean(value, "multiline", where)
            self.input_lengths(value, where)
            self.dispatch_config(value.get("dispatch_action_config"), f"{where}/dispatch_action_config")
        elif kind in ("email_text_input", "url_text_input", "number_input"):
            self.keys(value, where, common + focusable + placeholder + (
                "initial_value", "dispatch_action_config", "is_decimal_allowed", "min_value", "max_value"))
            self.dispatch_config(value.get("dispatch_action_config"), f"{where}/dispatch_action_config")
        elif kind == "rich_text_input":
            self.keys(value, where, common + focusable + placeholder + ("initial_value", "dispatch_action_config"))
            if value.get("initial_value") is not None:
                self.rich_text(value["initial_value"], f"{where}/initial_value")
            self.dispatch_config(value.get("dispatch_action_config"), f"{where}/dispatch_action_config")
        elif kind == "file_input":
            self.keys(value, where, common + ("filetypes", "max_files"))
            files = value.get("max_files")
            if files is not None and (not isinstance(files, int) or not 1 <= files <= 10):
                self.fail(f"{where}/max_files", "must be 1 to 10")
        elif kind == "image":
            self.keys(value, where, ("image_url", "slack_file", "alt_text"), ("alt_text",))
            self.string(value.get("image_url"), f"{where}/image_url", URL, minimum=1)
            self.string(value.get("alt_text"), f"{where}/alt_text", ALT_TEXT, minimum=1)

    def initial(self, value: dict[str, Any], where: str, choices: list[dict[str, Any]], multi: bool) -> None:
        if multi:
            picked = value.get("initial_options") or []
        else:
            picked = [value["initial_option"]] if "initial_option" in value else []
        key = "initial_options" if multi else "initial_option"
        for index, item in enumerate(picked):
            if item not in choices:
                self.fail(f"{where}/{key}" + (f"/{index}" if multi else ""), "must exactly match one of the options")

    def input_lengths(self, value: dict[str, Any], where: str) -> None:
        low, high = value.get("min_length"), value.get("max_length")
        if low is not None and (not isinstance(low, int) or not 0 <= low <= INPUT_LENGTH):
            self.fail(f"{where}/min_length", f"must be 0 to {INPUT_LENGTH}")
        if high is not None and (not isinstance(high, int) or not 1 <= high <= INPUT_LENGTH):
            self.fail(f"{where}/max_length", f"must be 1 to {INPUT_LENGTH}")
        initial = value.get("initial_value")
        if isinstance(initial, str) and slack_len(initial) > (high if isinstance(high, int) else INPUT_LENGTH):
            self.fail(f"{where}/initial_value", "is longer than the input allows")

    def dispatch_config(self, value: Any, where: str) -> None:
        if value is None or not self.obj(value, where):
            return
        self.keys(value, where, ("trigger_actions_on",), typed=False)
        for index, trigger in enumerate(self.count(value.get("trigger_actions_on"), f"{where}/trigger_actions_on",
                                                   2, 1)):
            if trigger not in TRIGGERS:
                self.fail(f"{where}/trigger_actions_on/{index}", "unknown trigger")

    def rich_text(self, value: Any, where: str) -> None:
        if not self.obj(value, where):
            return
        if value.get("type") != "rich_text":
            self.fail(f"{where}/type", "must be rich_text")
        self.keys(value, where, ("elements", "block_id"))
        self.count(value.get("elements"), f"{where}/elements", 1000)

    # ----- blocks -------------------------------------------------------------------------------

    def blocks(self, blocks: Any, where: str, limit: int) -> None:
        blocks = self.count(blocks, where, limit)
        seen: dict[str, int] = {}
        for index, block in enumerate(blocks):
            at = f"{where}/{index}"
            if not self.obj(block, at):
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                self.string(block_id, f"{at}/block_id", ID_LENGTH, minimum=1)
                if block_id in seen:
                    self.fail(f"{at}/block_id", f"duplicate block_id {block_id!r} (also block {seen[block_id]})")
                seen.setdefault(block_id, index)
            self.block(block, at)
            self.unique_actions(block, at)

    def block(self, block: dict[str, Any], at: str) -> None:
        kind = block.get("type")
        base = ("block_id",)
        if kind == "section":
            self.keys(block, at, base + ("text", "fields", "accessory", "expand"))
            if "text" not in block and "fields" not in block:
                self.fail(at, "a section needs text or fields")
            self.text(block.get("text"), f"{at}/text")
            for index, item in enumerate(self.count(block.get("fields"), f"{at}/fields", FIELDS, 1)):
                self.text(item, f"{at}/fields/{index}", FIELD_TEXT)
            if "accessory" in block:
                self.element(block["accessory"], f"{at}/accessory", ACCESSORIES)
        elif kind == "header":
            self.keys(block, at, base + ("text",), ("text",))
            self.text(block.get("text"), f"{at}/text", HEADER_TEXT, plain_only=True)
        elif kind == "context":
            self.keys(block, at, base + ("elements",), ("elements",))
            for index, item in enumerate(self.count(block.get("elements"), f"{at}/elements", CONTEXT_ELEMENTS, 1)):
                if isinstance(item, dict) and item.get("type") == "image":
                    self.element(item, f"{at}/elements/{index}", {"image"})
                else:
                    self.text(item, f"{at}/elements/{index}")
        elif kind == "divider":
            self.keys(block, at, base)
        elif kind == "actions":
            self.keys(block, at, base + ("elements",), ("elements",))
            for index, item in enumerate(self.count(block.get("elements"), f"{at}/elements", ACTIONS_ELEMENTS, 1)):
                self.element(item, f"{at}/elements/{index}", ACTION_ELEMENTS)
        elif kind == "input":
            self.keys(block, at, base + ("label", "element", "dispatch_action", "hint", "optional"),
                      ("label", "element"))
            self.text(block.get("label"), f"{at}/label", LABEL, plain_only=True)
            self.text(block.get("hint"), f"{at}/hint", LABEL, plain_only=True)
            self.boolean(block, "optional", at)
            self.boolean(block, "dispatch_action", at)
            if "element" in block:
                self.element(block["element"], f"{at}/element", INPUT_ELEMENTS)
        elif kind == "image":
            self.keys(block, at, base + ("image_url", "slack_file", "alt_text", "title"), ("alt_text",))
            self.string(block.get("image_url"), f"{at}/image_url", URL, minimum=1)
            self.string(block.get("alt_text"), f"{at}/alt_text", ALT_TEXT, minimum=1)
            self.text(block.get("title"), f"{at}/title", ALT_TEXT, plain_only=True)
        elif kind == "rich_text":
            self.rich_text(block, at)
        else:
            self.fail(f"{at}/type", f"unknown block type {kind!r}")

    def unique_actions(self, block: dict[str, Any], at: str) -> None:
        seen: set[str] = set()
        for index, element in enumerate(block.get("elements") or [] if block.get("type") == "actions" else []):
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if action_id is None:
                continue
            if action_id in seen:
                self.fail(f"{at}/elements/{index}/action_id", f"duplicate action_id {action_id!r} in one block")
            seen.add(action_id)

    def sdk_models(self, blocks: list[Any], where: str) -> None:
        """slack_sdk's own validators, on every nested object they know."""
        for index, raw in enumerate(blocks):
            if not isinstance(raw, dict):
                continue
            try:
                parsed = Block.parse(raw)
                if parsed is not None:
                    parsed.to_dict()
            except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as error:
                self.fail(f"{where}/{index}", f"slack_sdk: {error}")


BUTTONISH = {"button", "static_select", "multi_static_select", "external_select", "multi_external_select",
             "users_select", "multi_users_select", "conversations_select", "multi_conversations_select",
             "channels_select", "multi_channels_select", "overflow", "datepicker", "timepicker", "datetimepicker",
             "checkboxes", "radio_buttons"}
ACCESSORIES = BUTTONISH | {"image"}
ACTION_ELEMENTS = BUTTONISH | {"rich_text_input", "plain_text_input"}
INPUT_ELEMENTS = (BUTTONISH - {"button", "overflow"}) | {"plain_text_input", "email_text_input", "url_text_input",
                                                         "number_input", "rich_text_input", "file_input"}


def _refuse_if(check: _Check, error: str) -> None:
    if check.problems:
        raise Refused(error, check.problems)


def check_message(text: Any, blocks: Any, error: str = "invalid_blocks") -> None:
    """A message as chat.postMessage, chat.update, chat.postEphemeral or a response_url takes it."""
    if text is not None and not isinstance(text, str):
        raise Refused("invalid_arguments", ["[ERROR] must be a string [json-pointer:/text]"])
    if text and slack_len(text) > MESSAGE_TEXT:
        raise Refused("msg_too_long", [f"[ERROR] must be at most {MESSAGE_TEXT} characters [json-pointer:/text]"])
    if not text and not blocks:
        raise Refused("no_text", ["[ERROR] text or blocks is required [json-pointer:/text]"])
    if blocks:
        check = _Check()
        check.blocks(blocks, "/blocks", MESSAGE_BLOCKS)
        if isinstance(blocks, list):
            check.sdk_models(blocks, "/blocks")
        _refuse_if(check, error)


def check_view(view: Any, error: str = "invalid_arguments") -> None:
    """A modal or Home tab as views.open, views.update, views.push, views.publish or an ack takes it."""
    if not isinstance(view, dict):
        raise Refused("invalid_arguments", ["[ERROR] must provide an object [json-pointer:/view]"])
    size = len(json.dumps(view, ensure_ascii=False).encode())
    if size > VIEW_BYTES:
        raise Refused("view_too_large", [f"[ERROR] the view is {size:,} bytes, over 250 kB [json-pointer:/view]"])
    check = _Check()
    kind = view.get("type")
    if kind == "modal":
        check.keys(view, "/view", ("title", "blocks", "close", "submit", "private_metadata", "callback_id",
                                   "clear_on_close", "notify_on_close", "external_id", "submit_disabled"),
                   ("title", "blocks"))
        for key in ("title", "submit", "close"):
            check.text(view.get(key), f"/view/{key}", VIEW_TEXT, plain_only=True)
        if any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []) and not view.get(
                "submit"):
            check.fail("/view/submit", "is required when the view has an input block")
        for key in ("clear_on_close", "notify_on_close", "submit_disabled"):
            check.boolean(view, key, "/view")
    elif kind == "home":
        check.keys(view, "/view", ("blocks", "private_metadata", "callback_id", "external_id"), ("blocks",))
    else:
        check.fail("/view/type", "must be modal or home")
    check.string(view.get("private_metadata"), "/view/private_metadata", PRIVATE_METADATA)
    check.string(view.get("callback_id"), "/view/callback_id", ID_LENGTH)
    check.string(view.get("external_id"), "/view/external_id", ID_LENGTH)
    check.blocks(view.get("blocks"), "/view/blocks", VIEW_BLOCKS)
    if isinstance(view.get("blocks"), list):
        check.sdk_models(view["blocks"], "/view/blocks")
        try:
            View(**view).to_dict()
        except (SlackObjectFormationError, TypeError) as problem:
            check.fail("/view", f"slack_sdk: {problem}")
    _refuse_if(check, error)


def check_options(body: Any) -> None:
    """The ack of a block_suggestion: options or option_groups for an external select."""
    check = _Check()
    if not isinstance(body, dict):
        check.fail("/", "must be an object with options or option_groups")
    else:
        check.keys(body, "", ("options", "option_groups"), typed=False)
        check.options(body, "")
    _refuse_if(check, "invalid_arguments")


def check_submission_ack(body: Any, view: dict[str, Any]) -> None:
    """The ack of a view_submission: empty (close), errors under input blocks, or a view to show."""
    if not body:
        return
    if not isinstance(body, dict):
        raise Refused("invalid_arguments", ["[ERROR] must be empty or an object [json-pointer:/]"])
    action = body.get("response_action")
    if action == "errors":
        inputs = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
        check = _Check()
        errors = body.get("errors")
        if not isinstance(errors, dict) or not errors:
            check.fail("/errors", "must name at least one input block")
        for block_id, message in (errors or {}).items():
            if block_id not in inputs:
                check.fail(f"/errors/{block_id}", "is not the block_id of an input block in this view")
            check.string(message, f"/errors/{block_id}", TEXT, minimum=1)
        _refuse_if(check, "invalid_arguments")
    elif action in ("update", "push"):
        if view.get("type") != "modal" or body.get("view", {}).get("type") != "modal":
            raise Refused("invalid_arguments", ["[ERROR] must provide a modal [json-pointer:/view]"])
        check_view(body.get("view"))
    elif action != "clear":
        raise Refused("invalid_arguments", [f"[ERROR] unknown response_action {action!r} [json-pointer:/response_action]"])


def check_command_ack(body: Any) -> None:
    """The ack of a slash command: nothing, or an immediate message to the person."""
    if not body or isinstance(body, str):
        return
    if not isinstance(body, dict):
        raise Refused("invalid_arguments", ["[ERROR] must be text or an object [json-pointer:/]"])
    check_message(body.get("text"), body.get("blocks"))
