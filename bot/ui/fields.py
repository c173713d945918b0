"""Reusable input builders, so every modal asks for a time, a person or a choice alike."""

from __future__ import annotations

from bot.ui.kit import Block, input_block, option, plain
from bot.ui.text import clip, slack_len

INPUT_LIMIT = 3000


def text_input(block_id: str, label: str, *, initial: str | None = None, placeholder: str | None = None,
               optional: bool = False, multiline: bool = False, hint: str | None = None,
               live: bool = False, max_length: int | None = None, action_id: str | None = None) -> Block:
    """A text field; `live` sends each pause in typing to the bot (for the time preview). A value already
    longer than `max_length` (Slack counts emoji twice) widens the field rather than lose anything."""
    element: Block = {"type": "plain_text_input", "action_id": action_id or block_id, "multiline": multiline}
    if initial:
        element["initial_value"] = clip(initial, INPUT_LIMIT)
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    if max_length:
        element["max_length"] = min(max(max_length, slack_len(element.get("initial_value", ""))), INPUT_LIMIT)
    if live:
        element["dispatch_action_config"] = {"trigger_actions_on": ["on_character_entered"]}
    return input_block(block_id, label, element, optional=optional, hint=hint, dispatch=live)


def select_input(block_id: str, label: str, choices: list[tuple[str, str]], *, initial: str | None = None,
                 optional: bool = False, live: bool = False, placeholder: str = "Choose") -> Block:
    options = [option(value, text) for value, text in choices]
    element: Block = {"type": "static_select", "action_id": block_id, "options": options,
                      "placeholder": plain(placeholder, 150)}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return input_block(block_id, label, element, optional=optional, dispatch=live)


def typeahead_input(block_id: str, label: str, *, initial: tuple[str, str] | None = None, optional: bool = True,
                    placeholder: str = "Type to search", min_query_length: int = 2,
                    hint: str | None = None, live: bool = False) -> Block:
    element: Block = {"type": "external_select", "action_id": block_id, "placeholder": plain(placeholder, 150),
                      "min_query_length": min_query_length}
    if initial:
        element["initial_option"] = option(*initial)
    return input_block(block_id, label, element, optional=optional, hint=hint, dispatch=live)


def user_input(block_id: str, label: str, *, initial: str | None = None) -> Block:
    element: Block = {"type": "users_select", "action_id": block_id, "placeholder": plain("Choose a person", 150)}
    if initial:
        element["initial_user"] = initial
    return input_block(block_id, label, element)


def date_input(block_id: str, label: str, *, initial: str | None = None, optional: bool = True) -> Block:
    element: Block = {"type": "datepicker", "action_id": block_id}
    if initial:
        element["initial_date"] = initial
    return input_block(block_id, label, element, optional=optional)


def time_input(block_id: str, label: str, *, initial: str | None = None, optional: bool = True,
               tz: str | None = None) -> Block:
    element: Block = {"type": "timepicker", "action_id": block_id}
    if initial:
        element["initial_time"] = initial
    if tz:
        element["timezone"] = tz
    return input_block(block_id, label, element, optional=optional)


def checkbox_input(block_id: str, label: str, choice: tuple[str, str], *, checked: bool = False) -> Block:
    box = option(*choice)
    element: Block = {"type": "checkboxes", "action_id": block_id, "options": [box]}
    if checked:
        element["initial_options"] = [box]
    return input_block(block_id, label, element, optional=True)
