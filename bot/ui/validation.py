"""Block Kit checks with slack_sdk's own models and Slack's documented limits.

The same checks run in the ui tests and in the Slack sandbox, so a view the sandbox accepts is one
Slack would accept too.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
MESSAGE_TEXT_LIMIT = 40_000
PRIVATE_METADATA_LIMIT = 3000


class InvalidBlocks(ValueError):
    """Blocks or a view that Slack would reject with `invalid_blocks`."""


def validate_blocks(blocks: list[dict[str, Any]], limit: int = MESSAGE_BLOCK_LIMIT) -> None:
    if not isinstance(blocks, list):
        raise InvalidBlocks("blocks must be a list")
    if len(blocks) > limit:
        raise InvalidBlocks(f"{len(blocks)} blocks, more than the {limit} allowed")
    for index, raw in enumerate(blocks):
        parsed = Block.parse(raw) if isinstance(raw, dict) else None
        if parsed is None:
            raise InvalidBlocks(f"block {index}: unknown block {raw!r:.80}")
        try:
            parsed.validate_json()
        except SlackObjectFormationError as error:
            raise InvalidBlocks(f"block {index} ({raw.get('type')}): {error}") from None
        _check_elements(raw, index)


def _check_elements(raw: dict[str, Any], index: int) -> None:
    """slack_sdk drops element types it does not know; Slack rejects them, so do we."""
    elements = list(raw.get("elements") or []) if raw.get("type") in ("actions", "context") else []
    for key in ("accessory", "element"):
        if key in raw:
            elements.append(raw[key])
    for element in elements:
        if not isinstance(element, dict) or "type" not in element:
            raise InvalidBlocks(f"block {index}: element without a type")


def validate_view(view: dict[str, Any]) -> None:
    if view.get("type") not in ("modal", "home"):
        raise InvalidBlocks(f"unknown view type {view.get('type')!r}")
    if len(view.get("private_metadata") or "") > PRIVATE_METADATA_LIMIT:
        raise InvalidBlocks("private_metadata is longer than 3000 characters")
    blocks = view.get("blocks") or []
    validate_blocks(blocks, VIEW_BLOCK_LIMIT)
    has_input = any(block.get("type") == "input" for block in blocks)
    if view["type"] == "modal" and has_input and not view.get("submit"):
        raise InvalidBlocks("a modal with input blocks needs a submit button")
    try:
        fields = {key: value for key, value in view.items() if key != "state"}
        View(**fields).validate_json()
    except SlackObjectFormationError as error:
        raise InvalidBlocks(f"view: {error}") from None
    except TypeError as error:
        raise InvalidBlocks(f"view: {error}") from None


def validate_message(text: str | None, blocks: list[dict[str, Any]] | None) -> None:
    if not text and not blocks:
        raise InvalidBlocks("a message needs text or blocks")
    if text and len(text) > MESSAGE_TEXT_LIMIT:
        raise InvalidBlocks("message text is longer than 40,000 characters")
    if blocks:
        validate_blocks(blocks, MESSAGE_BLOCK_LIMIT)
