"""Deterministic Kuaishou ids for source items and SKUs.

Kuaishou's `relItemId` must never repeat an item ever created, so it doubles as our idempotency key:
derived from (target Kuaishou shop, platform, source shop, source item id, generation) it is the same
on every run and every machine, one supplier's goods distributed into two shops get two ids (the
ledger's key is the id), and a new generation (a deliberate re-listing) gets a fresh one. Ids are
positive 63-bit longs, so they fit Kuaishou's `long` and DuckDB's BIGINT alike.

An id, once in the ledger, is kept: items first published before the target shop was part of the
derivation keep the id they were created with (`pipeline.drafts` passes it in, decision 51).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "legacy_rel_item_id",
    "rel_item_id",
    "rel_sku_id",
    "rel_sku_ids",
    "rel_sku_ids_of_product",
]

_MASK_63 = (1 << 63) - 1


def _positive_63(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "big") & _MASK_63
    return value or 1


def rel_item_id(
    *, target_shop: str, platform: str, shop_id: str, source_item_id: str, generation: int = 0
) -> int:
    """The `relItemId` of a source item in one Kuaishou shop: stable across runs and machines,
    distinct per target shop and per generation."""
    return _positive_63("item", target_shop, platform, shop_id, source_item_id, str(generation))


def legacy_rel_item_id(
    *, platform: str, shop_id: str, source_item_id: str, generation: int = 0
) -> int:
    """The id versions before decision 51 derived without the target shop: what ledgers made
    then hold, and what `pipeline.drafts` keeps for their items."""
    return _positive_63("item", platform, shop_id, source_item_id, str(generation))


def rel_sku_id(*, item_rel_id: int, spec_values: tuple[str, ...]) -> int:
    """The `relSkuId` of one cell of the SKU matrix, keyed by the item and its spec values."""
    return _positive_63("sku", str(item_rel_id), *spec_values)


def rel_sku_ids(*, item_rel_id: int, cells: Iterable[tuple[str, ...]]) -> list[int]:
    """`rel_sku_id` of every cell of one item's matrix, the item's part of the key joined once:
    the drafts stage derives ~25 per listing, and the per-call overhead was most of their cost."""
    prefix = f"sku\x1f{item_rel_id}"
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    ids = []
    for values in cells:
        text = "\x1f".join((prefix, *values))
        ids.append(
            from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big") & _MASK_63 or 1
        )
    return ids


def rel_sku_ids_of_product(*, item_rel_id: int, levels: Sequence[Sequence[str]]) -> list[int]:
    """`rel_sku_id` of every cell of the matrix `levels` spans, in `itertools.product(*levels)`
    order: the drafts stage's whole matrix at once.

    A hash reads its input in order, so the item's part and each leading value are hashed once
    and the state copied for every cell that starts with them (a copy costs half a new hash).
    The ids are `rel_sku_ids`' (tests/listings/test_ids.py compares them)."""
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    heads = [blake2b(f"sku\x1f{item_rel_id}".encode(), digest_size=8)]
    for values in levels:
        parts = [f"\x1f{value}".encode() for value in values]
        grown = []
        for head in heads:
            for part in parts:
                state = head.copy()
                state.update(part)
                grown.append(state)
        heads = grown
    return [from_bytes(state.digest(), "big") & _MASK_63 or 1 for state in heads]
