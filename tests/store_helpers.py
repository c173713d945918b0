"""Reading and shaping the store's tables directly, for tests that set up or inspect what no flow exposes."""

from typing import Any

from sqlalchemy import text

from bot.store import Store


def sql(store: Store, query: str, **params: Any) -> list[dict[str, Any]]:
    """Run one statement in its own transaction; the rows it returns, if any."""
    with store.engine.begin() as connection:
        result = connection.execute(text(query), params)
        return [dict(row) for row in result.mappings()] if result.returns_rows else []
