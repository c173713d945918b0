"""mrkdwn text: escaping what people typed, links and mentions."""

from __future__ import annotations

import re

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
"""A user mention as Slack sends it (`<@U123>` or `<@U123|name>`); group 1 is the member id."""


def slack_len(text: str) -> int:
    """A string's length as Slack counts it: UTF-16 code units (an emoji beyond the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """At most `limit` of Slack's characters, never splitting an emoji; an ellipsis marks a cut."""
    if slack_len(text) <= limit:
        return text
    kept, used = [], 0
    for char in text:
        width = slack_len(char)
        if used + width > limit - 1:
            break
        kept.append(char)
        used += width
    return "".join(kept) + "…"


def escape(text: str) -> str:
    """Slack's three control characters, and only those: `<!channel>` typed by a rep stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of a command's text (`should_escape`), so echoing it escapes once, not twice."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label).replace('|', '¦')}>"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 task`, `2 tasks`, `1,204 rows`: a number with its noun in the right form."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
