"""What `/tasks` was asked for: a filter and whose tasks, or a plain reason it could not tell."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ui.text import MENTION

FILTERS = ("today", "week", "overdue")


@dataclass(frozen=True)
class ListRequest:
    which: str
    owner: str


class ListRequestError(ValueError):
    """Words `/tasks` does not understand; the message says what it does understand."""


def read_list_request(text: str, viewer: str) -> ListRequest:
    """`/tasks [today|week|overdue] [@someone]`; anything else is refused rather than ignored."""
    mentions = MENTION.findall(text)
    words = MENTION.sub(" ", text).lower().split()
    unknown_people = [word for word in words if word.startswith("@")]
    if unknown_people:
        raise ListRequestError(f"I can't find {unknown_people[0]} in this workspace. Pick them from Slack's "
                               "@-menu, e.g. `/tasks @maria`.")
    filters = [word for word in words if word in FILTERS or word == "all"]
    unknown = [word for word in words if word not in FILTERS and word != "all"]
    if unknown or len(filters) > 1 or len(set(mentions)) > 1:
        shown = unknown[0] if unknown else " ".join(filters) if len(filters) > 1 else "two people"
        raise ListRequestError(f"I don't understand `{shown}`. Try `/tasks`, `/tasks today`, `/tasks week`, "
                               "`/tasks overdue` or `/tasks @someone`.")
    return ListRequest(which=filters[0] if filters and filters[0] != "all" else "all",
                       owner=mentions[0] if mentions else viewer)
