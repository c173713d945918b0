"""How much one request or one person may ask of the bot: size caps and per-person rate limits.

Every cap is checked before the input is read (parsed, searched, sent to the time reader), so one
oversized paste costs the bot a length check, not seconds of every rep's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock

SLACK_BODY_MAX = 1024 * 1024
"""Bytes in one request from Slack; a real one (a modal with all its state) is far smaller."""
COMMAND_TEXT_MAX = 3000
"""Characters after a slash command: a task line is a sentence, not a document."""
FIELD_TEXT_MAX = 3000
"""Characters in one modal text field, pasted bulk lines included: Slack's own ceiling for a plain_text_input
(nobody can type or paste more; a longer value is forged)."""
WEBHOOK_BODY_MAX = 64 * 1024
"""Bytes in one task webhook from LeadSquared: a handful of ids and fields."""
BULK_WEBHOOK_BODY_MAX = 512 * 1024
"""Bytes in one bulk-result webhook: 50 task results."""
UPLOAD_BYTES_MAX = 5 * 1024 * 1024
"""Bytes in one uploaded CSV: 5,000 rows of ordinary task fields fit several times over."""


def kilobytes(size: int) -> str:
    return f"{size // 1024:,} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):g} MB"


def too_long(what: str, length: int, limit: int) -> str:
    return f"That {what} is {length:,} characters; Taskbot reads at most {limit:,}. Shorten it and try again."


@dataclass
class RateLimiter:
    """A token bucket per person: `burst` requests at once, then one more every `every` seconds."""

    clock: Clock
    burst: int
    every: float
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str) -> float:
        """0 when `key` may go ahead now (a token is spent); otherwise the seconds until it may."""
        now = self.clock.monotonic()
        tokens, since = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - since) / self.every)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) * self.every


def slow_down(wait: float) -> str:
    seconds = max(1, round(wait))
    return f"You're going faster than Taskbot can keep up with. Try again in {seconds} second{'s' * (seconds != 1)}."
