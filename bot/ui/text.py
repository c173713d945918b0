"""mrkdwn text: escaping user input and showing instants so every reader sees their own zone."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject


def escape(text: str) -> str:
    """Slack's three control characters, and only those: `<!channel>` typed by a rep stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = 75) -> PlainTextObject:
    """A plain_text object (Slack parses nothing in it), cut to the element's limit."""
    return PlainTextObject(text=truncate(text, limit), emoji=True)


def md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate(text, 3000))


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label).replace('|', '¦')}>"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"
