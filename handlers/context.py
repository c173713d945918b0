"""Typed access to what the bot's middleware put in Bolt's context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import Services


def services(context: Any) -> Services:
    return context["services"]
