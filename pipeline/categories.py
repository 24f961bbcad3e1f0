"""Category decisions: the Kuaishou leaf of every listing, the layer that chose it and how sure.

Offline layers first (overrides, mapping table, text); what they are unsure of is asked of
Kuaishou's `suggested.get` (cached, within the run's budget) and decided again. Whatever is still
below the migration's threshold goes to the merchant's review queue (`category_review`) with its
top three candidates.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
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
from pipeline.gc_policy import long_stage_collector
from pipeline.progress import Progress
from pipeline.results import Breakdown, StageResult
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


def _decision_row(migration_key: str, item_id: str, decision: CategoryDecision) -> dict[str, Any]:
    return {
        "migration": migration_key,
        "source_item_id": item_id,
        "category_id": decision.category_id,
        "category_path": decision.path,
        "confidence": decision.confidence,
        "layer": decision.layer,
        "candidates": [c.model_dump() for c in decision.candidates],
    }


# Listings read, matched and written per batch: memory holds one batch, however large the shop,
# and the text layer's sparse product stays one matrix operation per batch (issue 19).
CATEGORY_BATCH = 2000
PREVIEW_ROWS = 10


@dataclass
class _Tally:
    """What the stage returns, kept as batches are written (no whole-shop list of rows).

    `unsure` holds, per source category, the ids of the listings the offline layers were unsure
    of, and `askable` the first such listing per source category: what `suggested_leaves` asks
    Kuaishou with (it asks one listing per source category, the first in id order).
    """

    by_layer: Counter[str] = field(default_factory=Counter)
    decided: int = 0
    to_review: int = 0
    preview: dict[str, dict[str, Any]] = field(default_factory=dict)
    unsure: dict[str, list[str]] = field(default_factory=dict)
    askable: dict[str, Listing] = field(default_factory=dict)

    def count(self, row: dict[str, Any], *, reviewed: bool, sign: int = 1) -> None:
        self.by_layer[str(row["layer"])] += sign
        self.decided += sign
        self.to_review += sign * reviewed
        if sign > 0 and (row["source_item_id"] in self.preview or len(self.preview) < PREVIEW_ROWS):
            self.preview[row["source_item_id"]] = {
                k: row[k] for k in ("source_item_id", "category_path", "confidence")
            }


def _write_batch(
    warehouse: Warehouse,
    migration: Migration,
    decided: Sequence[tuple[Listing, CategoryDecision]],
    *,
    tally: _Tally,
    replacing: bool = False,
) -> None:
    """One batch's decisions into `category_decisions`, its unsure ones into `category_review`.

    `replacing`: the batch was written once already (decided again with Kuaishou's
    suggestions): its rows are replaced and the tally moves from the old decisions to the new.
    """
    threshold = migration.category.min_confidence
    rows, review = [], []
    for listing, decision in decided:
        rows.append(_decision_row(migration.key, listing.source_item_id, decision))
        if needs_review(decision, min_confidence=threshold):
            review.append(_review_row(migration.key, listing, decision))
    if replacing:
        ids = [listing.source_item_id for listing, _ in decided]
        for old in _written_decisions(warehouse, migration.key, ids):
            tally.count(old, reviewed=_needs_review_row(old, threshold), sign=-1)
        warehouse.replace_items(
            "category_decisions", migration=migration.key, source_item_ids=ids, rows=rows
        )
        warehouse.replace_items(
            "category_review", migration=migration.key, source_item_ids=ids, rows=review
        )
    else:
        warehouse.append_rows("category_decisions", rows)
        warehouse.append_rows("category_review", review)
    reviewed = {row["source_item_id"] for row in review}
    for row in rows:
        tally.count(row, reviewed=row["source_item_id"] in reviewed)


def _written_decisions(
    warehouse: Warehouse, migration_key: str, ids: Sequence[str]
) -> list[dict[str, Any]]:
    return warehouse.query(
        "SELECT source_item_id, category_id, category_path, confidence, layer "
        "FROM category_decisions WHERE migration = ? AND source_item_id IN "
        f"({', '.join('?' for _ in ids)})",
        [migration_key, *ids],
    )


def _needs_review_row(row: dict[str, Any], threshold: float) -> bool:
    return needs_review(
        CategoryDecision(
            category_id=row["category_id"],
            path=row["category_path"],
            confidence=row["confidence"],
            layer=row["layer"],
        ),
        min_confidence=threshold,
    )


def _listing_batches(
    warehouse: Warehouse, migration_key: str, *, only: set[str] | None = None
) -> Iterator[list[Listing]]:
    """The migration's listings in id order, a batch at a time (those in `only`, when given)."""
    for batch in warehouse.partition_batches(
        "listings",
        migration=migration_key,
        columns=("source_item_id", "listing"),
        batch_size=CATEGORY_BATCH,
    ):
        listings = [
            Listing.model_validate_json(row["listing"])
            for row in batch
            if only is None or row["source_item_id"] in only
        ]
        if listings:
            yield listings


@long_stage_collector()  # the collector skips the imported heap (decision 84)
def decide_categories(
    migration: Migration,
    *,
    warehouse: Warehouse,
    platforms: Platforms,
    progress: Progress | None = None,
) -> StageResult:
    """Decide every listing's leaf into `category_decisions`; queue the unsure in `category_review`.

    Streamed: each batch of listings is read, matched and written before the next is read. What
    the offline layers are unsure of is then asked of Kuaishou (one listing per source category)
    and, where it suggested leaves, those listings are read again and their rows replaced.

    Raises:
        OverridesFileError: the migration's overrides file has a bad row (file and line named).
    """
    overrides = load_overrides(migration)
    tree = asyncio.run(category_tree(platforms, migration, warehouse))
    open_ids = open_leaf_ids(tree, migration)
    matcher = CategoryMatcher(tree, open_leaf_ids=open_ids, mapping=load_mapping(migration))
    threshold = migration.category.min_confidence
    # Progress: done = a leaf chosen, failed = none (left to the merchant's review).
    progress = progress or Progress("categories", migration.key)
    progress.start(
        int(warehouse.scalar("SELECT count(*) FROM listings WHERE migration = ?", [migration.key]))
    )
    warehouse.delete_partition("category_decisions", migration=migration.key)
    warehouse.delete_partition("category_review", migration=migration.key)
    tally = _Tally()
    for items in _listing_batches(warehouse, migration.key):
        batch = matcher.decide_many([_request(item) for item in items], overrides=overrides)
        for item, decision in zip(items, batch, strict=True):
            if decision.layer in ("text", "none") and needs_review(
                decision, min_confidence=threshold
            ):
                key = suggestion_key(item)
                tally.unsure.setdefault(key, []).append(item.source_item_id)
                tally.askable.setdefault(key, item)
        _write_batch(warehouse, migration, list(zip(items, batch, strict=True)), tally=tally)
        unmatched = sum(1 for d in batch if d.category_id is None)
        progress.advance(done=len(batch) - unmatched, failed=unmatched)
    progress.finish()
    suggested = asyncio.run(
        suggested_leaves(platforms, migration, warehouse, list(tally.askable.values()))
    )
    again = {
        item_id: suggested[key]
        for key, ids in tally.unsure.items()
        if suggested.get(key)
        for item_id in ids
    }
    if again:
        for items in _listing_batches(warehouse, migration.key, only=set(again)):
            decided = [
                (item, _decide(matcher, item, overrides, again[item.source_item_id]))
                for item in items
            ]
            _write_batch(warehouse, migration, decided, tally=tally, replacing=True)
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
            "decided": tally.decided,
            "to_review": tally.to_review,
            "leaves_in_tree": len(tree.leaves),
            "open_leaves": len(open_ids),
            "overrides": len(overrides),
        },
        breakdowns={"by_layer": Breakdown("layer", +tally.by_layer)},
        preview=list(tally.preview.values()),
        row_count=tally.decided,
    )
