"""LeadSquared task webhooks: the secret in their URL, and the task ids in their bodies."""

from __future__ import annotations

import hashlib
import hmac

from bot.config import Settings


def webhook_token(settings: Settings) -> str:
    """The secret path segment of the webhook URL, derived so there is no extra setting to manage."""
    seed = settings.secret_values()[0] if settings.secret_values() else "taskbot"
    return hmac.new(seed.encode(), b"leadsquared-task-webhook", hashlib.sha256).hexdigest()[:32]


def webhook_url(settings: Settings) -> str | None:
    if not settings.public_url:
        return None
    return f"{settings.public_url.rstrip('/')}/webhooks/leadsquared/tasks/{webhook_token(settings)}"


def task_ids(payload: object) -> list[str]:
    """Task ids anywhere in a webhook body (LeadSquared's exact payload shape is not documented)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("UserTaskId", "TaskId", "TaskID") and isinstance(value, str) and value not in found:
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found
