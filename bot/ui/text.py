"""mrkdwn text: escaping what people typed, links and mentions."""

from __future__ import annotations


def escape(text: str) -> str:
    """Slack's three control characters, and only those: `<!channel>` typed by a rep stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label).replace('|', '¦')}>"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 task`, `2 tasks`, `1,204 rows`: a number with its noun in the right form."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
