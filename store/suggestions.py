"""Category suggestions cached in the warehouse, so a migration spends quota once per category.

`open.item.category.suggested.get` allows 2,000 calls per merchant per day (kuaishou-api.md §3),
and listings of one source category get the same suggestions. So the answer is kept in the
warehouse table `category_suggestions`, keyed by (seller key, source category key):

- the seller, because the quota and the `open` flag are per merchant;
- the source category (e.g. `taobao:50000671`), because that is what the listings share.

An empty answer is cached too: asking again would spend quota for the same nothing. Errors are
not cached. The table is part of the warehouse schema (store/schema.py), reached through
`Warehouse.connect()`'s short-lived connections as DuckDB needs (DESIGN.md, "State and scale");
with PostgreSQL every worker shares it, so the quota is spent once per category, not per worker.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from connectors.kuaishou.models import CategorySuggestion

if TYPE_CHECKING:
    from store.warehouse import Warehouse

__all__ = ["TABLE", "SuggestionCache"]

TABLE = "category_suggestions"


class SuggestionCache:
    """Suggested categories by (seller key, source category key), in the warehouse."""

    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def get(self, *, seller_key: str, source_category_key: str) -> list[CategorySuggestion] | None:
        """The cached suggestions, `[]` if the platform had none, or None if never asked."""
        with self._warehouse.connect() as con:
            row = con.execute(
                f"SELECT suggestions FROM {TABLE} WHERE seller_key = ? AND source_category_key = ?",
                [seller_key, source_category_key],
            ).fetchone()
        if row is None:
            return None
        return [CategorySuggestion.model_validate(item) for item in json.loads(row[0])]

    def put(
        self,
        *,
        seller_key: str,
        source_category_key: str,
        suggestions: Sequence[CategorySuggestion],
        title: str | None = None,
    ) -> None:
        """Store (or replace) the answer. `title` records which listing it was asked for."""
        payload = json.dumps(
            [s.model_dump(by_alias=True, mode="json") for s in suggestions], ensure_ascii=False
        )
        with self._warehouse.connect() as con:
            con.execute(
                f"INSERT INTO {TABLE} (seller_key, source_category_key, suggestions, title, "
                "fetched_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (seller_key, source_category_key) "
                "DO UPDATE SET suggestions = excluded.suggestions, title = excluded.title, "
                "fetched_at = excluded.fetched_at",
                [seller_key, source_category_key, payload, title, datetime.now(UTC)],
            )

    def lock(self, *, seller_key: str, source_category_key: str) -> asyncio.Lock:
        """One lock per key, so concurrent listings of one category ask the platform once."""
        return self._locks.setdefault((seller_key, source_category_key), asyncio.Lock())
