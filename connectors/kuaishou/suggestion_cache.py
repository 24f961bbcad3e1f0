"""Category suggestions cached in the warehouse, so a migration spends quota once per category.

`open.item.category.suggested.get` allows 2,000 calls per merchant per day (kuaishou-api.md §3),
and listings of one source category get the same suggestions. So the answer is kept in the
warehouse table `category_suggestions`, keyed by (seller key, source category key):

- the seller, because the quota and the `open` flag are per merchant;
- the source category (e.g. `taobao:50000671`), because that is what the listings share.

An empty answer is cached too: asking again would spend quota for the same nothing. Errors are
not cached. The table is created here (CREATE TABLE IF NOT EXISTS) through `Warehouse.connect()`,
whose connections are short-lived as DuckDB needs (DESIGN.md, "State and scale").
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from connectors.kuaishou.models import CategorySuggestion

if TYPE_CHECKING:
    from connectors.kuaishou.client import KuaishouClient
    from connectors.warehouse import Warehouse

__all__ = ["TABLE", "SuggestionCache", "cached_suggestions"]

TABLE = "category_suggestions"
_DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    seller_key VARCHAR NOT NULL, source_category_key VARCHAR NOT NULL,
    suggestions JSON NOT NULL, title VARCHAR, fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (seller_key, source_category_key));
"""


class SuggestionCache:
    """Suggested categories by (seller key, source category key), in the warehouse."""

    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse
        self._ready = False
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def _ensure_table(self) -> None:
        if not self._ready:
            with self._warehouse.connect() as con:
                con.execute(_DDL)
            self._ready = True

    def get(self, *, seller_key: str, source_category_key: str) -> list[CategorySuggestion] | None:
        """The cached suggestions, `[]` if the platform had none, or None if never asked."""
        self._ensure_table()
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
        self._ensure_table()
        payload = json.dumps(
            [s.model_dump(by_alias=True, mode="json") for s in suggestions], ensure_ascii=False
        )
        with self._warehouse.connect() as con:
            con.execute(
                f"INSERT OR REPLACE INTO {TABLE} (seller_key, source_category_key, suggestions, "
                "title, fetched_at) VALUES (?, ?, ?, ?, ?)",
                [seller_key, source_category_key, payload, title, datetime.now(UTC)],
            )

    def lock(self, *, seller_key: str, source_category_key: str) -> asyncio.Lock:
        """One lock per key, so concurrent listings of one category ask the platform once."""
        return self._locks.setdefault((seller_key, source_category_key), asyncio.Lock())


async def cached_suggestions(
    client: KuaishouClient,
    cache: SuggestionCache,
    *,
    seller_key: str,
    source_category_key: str,
    title: str,
    image_urls: Sequence[str],
) -> list[CategorySuggestion]:
    """The suggestions for a source category: from the cache, or asked once and then cached.

    Raises what `KuaishouClient.suggest_categories` raises (the quota error included); nothing
    is cached then, so the next run asks again.
    """
    async with cache.lock(seller_key=seller_key, source_category_key=source_category_key):
        cached = cache.get(seller_key=seller_key, source_category_key=source_category_key)
        if cached is not None:
            return cached
        suggestions = await client.suggest_categories(title=title, image_urls=image_urls)
        cache.put(
            seller_key=seller_key,
            source_category_key=source_category_key,
            suggestions=suggestions,
            title=title,
        )
        return suggestions
