"""Slack messages and views as terminal text: mrkdwn as styling, date tokens in the reader's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape as rich_escape

from bot.ui.text import MENTION
from bot.when import describe

_DATE = re.compile(r"<!date\^(\d+)\^([^|>]*)\|([^>]*)>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")
_BARE_LINK = re.compile(r"<(https?://[^|>]+)>")


def mrkdwn(text: str, tz: str, names: dict[str, str], channels: dict[str, str]) -> str:
    """Slack mrkdwn to rich markup, as the reader (in `tz`) would see it in Slack."""
    text = _DATE.sub(lambda m: _date(int(m.group(1)), m.group(2), tz), text)
    text = MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or channels.get(m.group(1), m.group(1))), text)
    text = _LINK.sub(lambda m: m.group(2), text)
    text = _BARE_LINK.sub(lambda m: m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = rich_escape(text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"[bold]\1[/bold]", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"[italic]\1[/italic]", text)
    text = re.sub(r"(?<![\w~])~([^~\n]+)~(?![\w~])", r"[strike]\1[/strike]", text)
    text = re.sub(r"`([^`\n]+)`", r"[cyan]\1[/cyan]", text)
    return re.sub(r":([a-z_]+):", lambda m: EMOJI.get(m.group(1), ""), text).strip()


def _date(epoch: int, token: str, tz: str) -> str:
    """A date token as Slack shows it to the reader: `{time}` alone is just the time."""
    shown = describe(datetime.fromtimestamp(epoch, UTC), tz)
    return shown.split(", ")[-1] if token == "{time}" else shown


EMOJI = {"white_check_mark": "✅", "ballot_box_with_check": "☑️", "warning": "⚠️", "alarm_clock": "⏰",
         "wastebasket": "🗑️", "hourglass_flowing_sand": "⏳", "calendar": "📅", "zzz": "💤", "lock": "🔒",
         "red_circle": "🔴", "link": "🔗", "arrows_counterclockwise": "🔄", "no_entry": "⛔", "no_entry_sign": "🚫",
         "x": "❌", "repeat": "🔁", "grey_question": "❔"}


def block_lines(blocks: list[dict[str, Any]], render: Any, buttons: list[tuple[dict, dict]]) -> list[str]:
    """Each block as lines; buttons get numbers, collected in `buttons` for clicking."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"[bold underline]{rich_escape(block['text']['text'])}[/]")
        elif kind == "section":
            accessory = block.get("accessory") or {}
            control = _control(accessory, block, buttons) if accessory.get("type") in CONTROLS else ""
            if block.get("text"):
                lines.append(render(block["text"]["text"]) + (f"  {control}" if control else ""))
            for field in block.get("fields") or []:
                lines.append("  " + render(field["text"]).replace("\n", ": ", 1))
            if accessory.get("type") == "button":
                lines.append(_button_line([accessory], block, buttons))
        elif kind == "context":
            lines.append("[dim]" + " · ".join(render(e.get("text", "")) for e in block.get("elements", [])) + "[/dim]")
        elif kind == "divider":
            lines.append("[dim]" + "─" * 40 + "[/dim]")
        elif kind == "actions":
            line = _button_line([e for e in block["elements"] if e.get("type") == "button"], block, buttons)
            if line:
                lines.append(line)
    return lines


CONTROLS = ("static_select", "timepicker")


def _control(element: dict, block: dict, buttons: list[tuple[dict, dict]]) -> str:
    """A select or time picker beside its text: its current value, numbered like a button to change it."""
    buttons.append((element, block))
    if element["type"] == "timepicker":
        value = element.get("initial_time") or "--:--"
    else:
        value = ((element.get("initial_option") or {}).get("text") or {}).get("text") or "choose"
    return f"[reverse] {len(buttons)} {rich_escape(value)} ▾ [/reverse]"


def _button_line(elements: list[dict], block: dict, buttons: list[tuple[dict, dict]]) -> str:
    labels = []
    for element in elements:
        buttons.append((element, block))
        labels.append(f"[reverse] {len(buttons)} {rich_escape(element['text']['text'])} [/reverse]")
    return "  ".join(labels)
