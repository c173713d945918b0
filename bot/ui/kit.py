"""Block Kit as plain dicts: the builders stay pure and cheap enough to re-render on every keystroke.

Tests and the Slack sandbox validate everything built here with slack_sdk's models.
"""

from __future__ import annotations

from typing import Any

from bot.ui.text import clip as truncate

Block = dict[str, Any]
EMPTY = "–"


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    """A plain_text object: Slack parses nothing in it, so user text is safe here unescaped. Slack
    refuses an empty text object, so nothing shows as a dash."""
    return {"type": "plain_text", "text": truncate(text, limit) or EMPTY, "emoji": True}


def md(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, limit) or EMPTY}


def section(text: str | None = None, *, fields: list[str] | None = None, accessory: Block | None = None,
            block_id: str | None = None) -> Block:
    block: Block = {"type": "section"}
    if text is not None:
        block["text"] = md(text)
    if fields:
        block["fields"] = [md(field, 2000) for field in fields[:10]]
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def context(*texts: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "context", "elements": [md(text) for text in texts[:10]]}
    if block_id:
        block["block_id"] = block_id
    return block


def divider() -> Block:
    return {"type": "divider"}


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def button(text: str, action_id: str, value: str | None = None, style: str | None = None,
           confirm: Block | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(text), "action_id": action_id}
    if value is not None:
        element["value"] = value
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def option(value: str, label: str) -> Block:
    return {"text": plain(label, 75), "value": truncate(value, 150)}


def input_block(block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None,
                dispatch: bool = False) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label, 2000), "element": element,
                    "optional": optional}
    if hint:
        block["hint"] = plain(hint, 2000)
    if dispatch:
        block["dispatch_action"] = True
    return block


def modal(callback_id: str, title: str, blocks: list[Block], *, submit: str | None = None, close: str = "Cancel",
          private_metadata: str | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {"type": "modal", "callback_id": callback_id, "title": plain(title, 24),
                            "close": plain(close, 24), "blocks": blocks}
    if submit:
        view["submit"] = plain(submit, 24)
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def home(blocks: list[Block]) -> dict[str, Any]:
    return {"type": "home", "blocks": blocks}
