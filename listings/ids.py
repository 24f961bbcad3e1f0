"""Deterministic Kuaishou ids for source items and SKUs.

Kuaishou's `relItemId` must never repeat an item ever created, so it doubles as our idempotency key:
derived from (platform, source shop, source item id, generation) it is the same on every run and every
machine, and a new generation (a deliberate re-listing) gets a fresh one. Ids are positive 63-bit longs,
so they fit Kuaishou's `long` and DuckDB's BIGINT alike.
"""

from __future__ import annotations

import hashlib

__all__ = ["rel_item_id", "rel_sku_id"]

_MASK_63 = (1 << 63) - 1


def _positive_63(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "big") & _MASK_63
    return value or 1


def rel_item_id(*, platform: str, shop_id: str, source_item_id: str, generation: int = 0) -> int:
    """The `relItemId` of a source item: stable across runs, distinct per generation."""
    return _positive_63("item", platform, shop_id, source_item_id, str(generation))


def rel_sku_id(*, item_rel_id: int, spec_values: tuple[str, ...]) -> int:
    """The `relSkuId` of one cell of the SKU matrix, keyed by the item and its spec values."""
    return _positive_63("sku", str(item_rel_id), *spec_values)
