"""Reusable Block Kit input builders, so every modal asks for a time, a person or a choice alike."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DatePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.blocks.basic_components import DispatchActionConfig

from bot.ui.text import plain


def option(value: str, label: str) -> Option:
    return Option(value=value[:150], text=plain(label, 75))


def text_input(block_id: str, label: str, *, initial: str | None = None, placeholder: str | None = None,
               optional: bool = False, multiline: bool = False, hint: str | None = None,
               live: bool = False, max_length: int | None = None) -> InputBlock:
    """A text field; `live` sends every keystroke pause to the bot (for the time preview)."""
    element = PlainTextInputElement(
        action_id=block_id, initial_value=initial or None, multiline=multiline, max_length=max_length,
        placeholder=plain(placeholder, 150) if placeholder else None,
        dispatch_action_config=DispatchActionConfig(trigger_actions_on=["on_character_entered"]) if live else None)
    return InputBlock(block_id=block_id, label=plain(label, 2000), element=element, optional=optional,
                      hint=plain(hint, 2000) if hint else None, dispatch_action=live)


def select_input(block_id: str, label: str, choices: list[tuple[str, str]], *, initial: str | None = None,
                 optional: bool = False, live: bool = False, placeholder: str = "Choose") -> InputBlock:
    options = [option(value, text) for value, text in choices]
    chosen = next((o for o in options if o.value == initial), None)
    element = StaticSelectElement(action_id=block_id, options=options, initial_option=chosen,
                                  placeholder=plain(placeholder, 150))
    return InputBlock(block_id=block_id, label=plain(label, 2000), element=element, optional=optional,
                      dispatch_action=live)


def typeahead_input(block_id: str, label: str, *, initial: tuple[str, str] | None = None, optional: bool = True,
                    placeholder: str = "Type to search", min_query_length: int = 2, hint: str | None = None,
                    live: bool = False) -> InputBlock:
    element = ExternalDataSelectElement(action_id=block_id, placeholder=plain(placeholder, 150),
                                        min_query_length=min_query_length,
                                        initial_option=option(*initial) if initial else None)
    return InputBlock(block_id=block_id, label=plain(label, 2000), element=element, optional=optional,
                      hint=plain(hint, 2000) if hint else None, dispatch_action=live)


def user_input(block_id: str, label: str, *, initial: str | None = None) -> InputBlock:
    return InputBlock(block_id=block_id, label=plain(label, 2000),
                      element=UserSelectElement(action_id=block_id, initial_user=initial,
                                                placeholder=plain("Choose a person", 150)))


def date_input(block_id: str, label: str, *, initial: str | None = None, optional: bool = True) -> InputBlock:
    return InputBlock(block_id=block_id, label=plain(label, 2000), optional=optional,
                      element=DatePickerElement(action_id=block_id, initial_date=initial))


def time_input(block_id: str, label: str, *, initial: str | None = None, optional: bool = True,
               tz: str | None = None) -> InputBlock:
    element = TimePickerElement(action_id=block_id, initial_time=initial, timezone=tz)
    return InputBlock(block_id=block_id, label=plain(label, 2000), optional=optional, element=element)


def checkbox_input(block_id: str, label: str, choice: tuple[str, str], *, checked: bool = False) -> InputBlock:
    box = option(*choice)
    return InputBlock(block_id=block_id, label=plain(label, 2000), optional=True,
                      element=CheckboxesElement(action_id=block_id, options=[box],
                                                initial_options=[box] if checked else None))
