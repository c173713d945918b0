"""Answering the person who clicked: in place where Slack gave a response_url, else by DM."""

from typing import Any


async def tell(body: dict[str, Any], client: Any, respond: Any, text: str) -> None:
    if body.get("response_url"):
        await respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        await client.chat_postMessage(channel=body["user"]["id"], text=text)


def task_value(value: str) -> tuple[str, str | None]:
    """A task button's value: the task's id, and the list it was shown in (if any)."""
    crm_id, _, shown_in = value.partition("|")
    return crm_id, shown_in or None
