"""Category decisions: the Kuaishou leaf of every listing, the layer that chose it and how sure.

Offline layers first (overrides, mapping table, text); what they are unsure of is asked of
Kuaishou's `suggested.get` (cached, within the run's budget) and decided again. Whatever is still
below the migration's threshold goes to the merchant's review queue (`category_review`) with its
top three candidates.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from listings.categories import (
    CategoryDecision,
    CategoryMatcher,
    DecisionRequest,
    needs_review,
)
from listings.migrations import Migration
from listings.model import Listing
from pipeline.category_inputs import (
    category_tree,
    load_mapping,
    load_overrides,
    open_leaf_ids,
    suggested_leaves,
    suggestion_key,
)
from pipeline.clients import Platforms
from pipeline.progress import Progress, batches_of
from pipeline.results import Breakdown, StageResult
from store.stage_tables import load_listings
from store.warehouse import Warehouse

__all__ = ["decide_categories"]


def _decide(
    matcher: CategoryMatcher,
    listing: Listing,
    overrides: Mapping[str, int],
    suggestions: Sequence[int] | None = None,
) -> CategoryDecision:
    return matcher.decide(
        title=listing.title,
        platform=str(listing.platform),
        source_item_id=listing.source_item_id,
        source_category_ids=listing.category.ids,
        source_category_path=listing.category.path,
        overrides=overrides,
        suggestions=suggestions,
    )


def _request(listing: Listing) -> DecisionRequest:
    return DecisionRequest(
        title=listing.title,
        platform=str(listing.platform),
        source_item_id=listing.source_item_id,
        source_category_ids=tuple(listing.category.ids),
        source_category_path=tuple(listing.category.path),
    )


def _review_row(migration_key: str, listing: Listing, decision: CategoryDecision) -> dict[str, Any]:
    return {
        "migration": migration_key,
        "source_item_id": listing.source_item_id,
        "title": listing.title,
        "source_category_path": listing.category.path_text,
        "source_category_id": listing.category.leaf_id,
        "category_id": decision.category_id,
        "confidence": decision.confidence,
        "layer": decision.layer,
        "candidates": [c.model_dump() for c in decision.candidates[:3]],
    }


# Listings through the matcher between two progress updates: big enough that the text layer's
# sparse product stays one matrix operation per batch (issue 19).
CATEGORY_BATCH = 2000


def decide_categories(
    migration: Migration,
    *,
    warehouse: Warehouse,
    platforms: Platforms,
    progress: Progress | None = None,
) -> StageResult:
    """Decide every listing's leaf into `category_decisions`; queue the unsure in `category_review`.

    Raises:
        OverridesFileError: the migration's overrides file has a bad row (file and line named).
    """
    overrides = load_overrides(migration)
    tree = asyncio.run(category_tree(platforms, migration, warehouse))
    open_ids = open_leaf_ids(tree, migration)
    matcher = CategoryMatcher(tree, open_leaf_ids=open_ids, mapping=load_mapping(migration))
    items = load_listings(warehouse, migration.key)
    threshold = migration.category.min_confidence
    # Large batches through the matcher: one sparse product each for the text layer (issue 19).
    # Progress: done = a leaf chosen, failed = none (left to the merchant's review).
    progress = progress or Progress("categories", migration.key)
    progress.start(len(items))
    decided: dict[str, CategoryDecision] = {}
    for chunk in batches_of(items, CATEGORY_BATCH):
        batch = matcher.decide_many([_request(item) for item in chunk], overrides=overrides)
        decided.update((item.source_item_id, d) for item, d in zip(chunk, batch, strict=True))
        unmatched = sum(1 for d in batch if d.category_id is None)
        progress.advance(done=len(batch) - unmatched, failed=unmatched)
    progress.finish()
    unsure = [
        item
        for item in items
        if decided[item.source_item_id].layer in ("text", "none")
        and needs_review(decided[item.source_item_id], min_confidence=threshold)
    ]
    suggested = asyncio.run(suggested_leaves(platforms, migration, warehouse, unsure))
    for item in unsure:
        leaves = suggested.get(suggestion_key(item))
        if leaves:
            decided[item.source_item_id] = _decide(matcher, item, overrides, leaves)
    rows, review = [], []
    for item in items:
        decision = decided[item.source_item_id]
        rows.append(
            {
                "migration": migration.key,
                "source_item_id": item.source_item_id,
                "category_id": decision.category_id,
                "category_path": decision.path,
                "confidence": decision.confidence,
                "layer": decision.layer,
                "candidates": [c.model_dump() for c in decision.candidates],
            }
        )
        if needs_review(decision, min_confidence=threshold):
            review.append(_review_row(migration.key, item, decision))
    warehouse.replace_partition("category_decisions", migration=migration.key, rows=rows)
    warehouse.replace_partition("category_review", migration=migration.key, rows=review)
    warehouse.replace_partition(
        "category_leaves",
        migration=migration.key,
        rows=[
            {
                "migration": migration.key,
                "category_id": leaf,
                "path": tree.path_text(leaf),
                "is_open": leaf in open_ids,
            }
            for leaf in sorted(tree.leaves)
        ],
    )
    return StageResult(
        figures={
            "decided": len(rows),
            "to_review": len(review),
            "leaves_in_tree": len(tree.leaves),
            "open_leaves": len(open_ids),
            "overrides": len(overrides),
        },
        breakdowns={"by_layer": Breakdown("layer", Counter(str(r["layer"]) for r in rows))},
        preview=[
            {k: r[k] for k in ("source_item_id", "category_path", "confidence")} for r in rows
        ],
        row_count=len(rows),
    )
