"""Retention: finished work older than TASKBOT_RETENTION_DAYS leaves the database, so it stays small."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.clock import Clock
from bot.store import Store

log = logging.getLogger("taskbot.retention")
EVERY = timedelta(hours=6)


class Retention:
    def __init__(self, store: Store, clock: Clock, days: int):
        self.store = store
        self.clock = clock
        self.keep = timedelta(days=days)

    def prune(self) -> dict[str, int]:
        removed = self.store.prune(self.keep)
        if any(removed.values()):
            log.info("retention: removed %s", ", ".join(f"{count} {what}" for what, count in removed.items()))
        return removed

    async def run_forever(self) -> None:
        while True:
            self.prune()
            await self.clock.sleep(EVERY.total_seconds())
