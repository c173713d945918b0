"""Reading what the bot showed: a modal's inputs, a message's words."""

from __future__ import annotations

import csv
import io
from typing import Any


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def has_block(view: dict[str, Any], block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in view["blocks"])


def initial(view: dict[str, Any], block_id: str) -> Any:
    element = block(view, block_id)["element"]
    for key in ("initial_value", "initial_user", "initial_date", "initial_time"):
        if key in element:
            return element[key]
    if "initial_option" in element:
        return element["initial_option"]["text"]["text"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    return None


def options(view: dict[str, Any], block_id: str) -> list[str]:
    return [o["text"]["text"] for o in block(view, block_id)["element"].get("options", [])]


def words(blocks: list[dict[str, Any]]) -> str:
    """All the text of some blocks, for assertions about what a person reads."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)


def eventually(predicate: Any, timeout: float = 5.0) -> Any:
    """Poll for state the bot writes outside Slack (its database), which nothing signals."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            assert value, "the condition never held"
            return value
        time.sleep(0.01)


def create_task(rep: Any, line: str, **fields: Any) -> Any:
    """Create a task through the modal, as a rep would, and return its (new) confirmation."""
    before = {m.ts for m in rep.channel_messages()}
    rep.command(line)
    rep.wait_for_modal("task_modal", where=lambda v: has_block(v.view, "title"))
    rep.submit(**fields)
    return rep.wait_for_confirmation(lambda m: m.ts not in before and ("created" in m.text or "booked" in m.text))


def bulk_csv(rows: list[tuple[str, str, str]]) -> bytes:
    """(subject, when, owner email) rows as a CSV with LeadSquared's column names: more rows than the
    3,000 characters Slack lets anyone paste."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Name", "DueDate", "OwnerEmailAddress"])
    writer.writerows(rows)
    return out.getvalue().encode()
