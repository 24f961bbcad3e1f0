"""Category decisions: the Kuaishou leaf of every listing, the layer that chose it and how sure.

Offline layers first (overrides, mapping table, text); what they are unsure of is asked of
Kuaishou's `suggested.get` (cached, within the run's budget) and decided again. Whatever is still
below the migration's threshold goes to the merchant's review queue (`category_review`) with its
top three candidates.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from listings.categories import (
    Candidate,
    CategoryDecision,
    CategoryMapping,
    CategoryMatcher,
    CategoryTree,
    DecisionRequest,
    needs_review,
)
from listings.migrations import Migration
from listings.model import Listing
from pipeline import worker_pool
from pipeline.category_inputs import (
    category_tree,
    load_mapping,
    load_overrides,
    open_leaf_ids,
    platform_category_key,
    suggested_leaves,
)
from pipeline.clients import Platforms
from pipeline.gc_policy import long_stage_collector, paused_collector
from pipeline.progress import Progress
from pipeline.results import Breakdown, StageResult
from pipeline.stage_memory import streaming_stage
from store.warehouse import Warehouse

__all__ = [
    "PARALLEL_MIN_LISTINGS",
    "DecidedBatch",
    "DecidedRows",
    "ListingHead",
    "MatcherSpec",
    "decide_again",
    "decide_batch",
    "decide_categories",
    "decided_batches",
    "workers_for",
]


class _SourceCategory(msgspec.Struct, frozen=True):
    ids: tuple[str, ...] = ()
    path: tuple[str, ...] = ()


class ListingHead(msgspec.Struct, frozen=True):
    """What the offline layers and the stage's rows read of a `listings` row: decoded from its
    JSON without the SKUs, images and description (a full `Listing.model_validate_json` of a
    12-SKU listing took ~54 µs, this ~4: decision 90). The row is a `Listing` normalize validated
    and wrote; the stage parses a whole `Listing` only for what it asks Kuaishou about."""

    source_item_id: str
    platform: str
    title: str
    category: _SourceCategory = _SourceCategory()


_read_head = msgspec.json.Decoder(ListingHead).decode


def _heads(listings: Sequence[str | ListingHead]) -> list[ListingHead]:
    """A batch's heads: rows as the warehouse holds them (JSON) are read here; heads the stage
    read already pass through."""
    return [item if isinstance(item, ListingHead) else _read_head(item) for item in listings]


def _request(
    listing: Listing | ListingHead, suggestions: Sequence[int] | None = None
) -> DecisionRequest:
    return DecisionRequest(
        title=listing.title,
        platform=str(listing.platform),
        source_item_id=listing.source_item_id,
        source_category_ids=tuple(listing.category.ids),
        source_category_path=tuple(listing.category.path),
        suggestions=None if suggestions is None else tuple(suggestions),
    )


def _category_key(item: ListingHead) -> str:
    """The platform-qualified key of a listing's source category (`suggestion_key` of a head)."""
    return platform_category_key(
        platform=item.platform,
        source_item_id=item.source_item_id,
        source_category_ids=item.category.ids,
        source_category_path=item.category.path,
    )


def _review_row(
    migration_key: str, listing: Listing | ListingHead, decision: CategoryDecision
) -> dict[str, Any]:
    ids = listing.category.ids
    return {
        "migration": migration_key,
        "source_item_id": listing.source_item_id,
        "title": listing.title,
        "source_category_path": ">".join(listing.category.path),
        "source_category_id": ids[-1] if ids else None,
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
        "candidates": [_candidate(c) for c in decision.candidates],
    }


def _candidate(candidate: Candidate) -> dict[str, Any]:
    """`candidate.model_dump()`, without pydantic's per-call set-up (three a listing)."""
    return {"category_id": candidate.category_id, "path": candidate.path, "score": candidate.score}


# Listings read, matched and written per batch: memory holds one batch, however large the shop,
# and the text layer's sparse product stays one matrix operation per batch (issue 19).
CATEGORY_BATCH = 2000
PREVIEW_ROWS = 10


@dataclass
class _Tally:
    """What the stage returns, kept as batches are written (no whole-shop list of rows).

    `askable` holds the first listing the offline layers were unsure of per source category:
    what `suggested_leaves` asks Kuaishou with (one listing per source category, the first in id
    order). Nothing is kept per listing: which ones were unsure is read back from their
    `category_decisions` rows (`_unsure_batches`), so the stage's memory does not grow with the
    shop (issue 19).
    """

    by_layer: Counter[str] = field(default_factory=Counter)
    decided: int = 0
    to_review: int = 0
    preview: dict[str, dict[str, Any]] = field(default_factory=dict)
    askable: dict[str, Listing] = field(default_factory=dict)

    def count(self, row: dict[str, Any], *, reviewed: bool, sign: int = 1) -> None:
        self.by_layer[str(row["layer"])] += sign
        self.decided += sign
        self.to_review += sign * reviewed
        if sign > 0 and (row["source_item_id"] in self.preview or len(self.preview) < PREVIEW_ROWS):
            self.preview[row["source_item_id"]] = {
                k: row[k] for k in ("source_item_id", "category_path", "confidence")
            }


@dataclass
class DecidedBatch:
    """A batch's listings (what the offline layers read of them) and decisions, in order, with
    their `category_decisions` rows and the `category_review` rows of those that need the
    merchant."""

    listings: Sequence[Listing | ListingHead]
    decisions: list[CategoryDecision]
    rows: list[dict[str, Any]]
    review: list[dict[str, Any]]


def _decided_batch(
    migration: Migration,
    listings: Sequence[Listing | ListingHead],
    decisions: list[CategoryDecision],
) -> DecidedBatch:
    threshold = migration.category.min_confidence
    rows, review = [], []
    for listing, decision in zip(listings, decisions, strict=True):
        rows.append(_decision_row(migration.key, listing.source_item_id, decision))
        if needs_review(decision, min_confidence=threshold):
            review.append(_review_row(migration.key, listing, decision))
    return DecidedBatch(listings=listings, decisions=decisions, rows=rows, review=review)


def decide_batch(
    matcher: CategoryMatcher,
    migration: Migration,
    batch: Sequence[str | ListingHead],
    *,
    overrides: Mapping[str, int],
) -> DecidedBatch:
    """One batch of listings, as the warehouse holds them (JSON) or their heads already read,
    decided by the offline layers in one `decide_many` call (one sparse product for the batch's
    text layer), with the rows the stage writes for them. What the stage does per batch, without
    the warehouse: the transform bench (tests/bench/test_transform_bench.py) times this."""
    with paused_collector():  # no cycles made: reference counting frees all (decision 98)
        listings = _heads(batch)
        decisions = matcher.decide_many([_request(item) for item in listings], overrides=overrides)
        return _decided_batch(migration, listings, decisions)


def decide_again(
    matcher: CategoryMatcher,
    migration: Migration,
    again: Sequence[tuple[ListingHead, Sequence[int]]],
    *,
    overrides: Mapping[str, int],
) -> DecidedBatch:
    """The second pass over one batch: listings the first pass was unsure of, each with the
    leaves Kuaishou suggested for its source category, decided again in one `decide_many` call
    (one sparse product for the batch, as the first pass; one call per listing made the second
    pass a third of the stage on a 100,000-item shop: decision 102)."""
    with paused_collector():  # no cycles made: reference counting frees all (decision 98)
        decisions = matcher.decide_many(
            [_request(item, leaves) for item, leaves in again], overrides=overrides
        )
        return _decided_batch(migration, [item for item, _ in again], decisions)


# Below this many listings a shop's first pass is decided in this process; above, by one spawned
# worker per core, each importing the project (scikit-learn included, ~4 s on the shared 2-core
# machine) and building its own matcher once. Chosen from the transform bench's 2-process line:
# decision 93.
PARALLEL_MIN_LISTINGS = 40_000


def workers_for(listings: int) -> int:
    """Worker processes for the first pass over a shop of `listings`: one per core, or 1
    (decided here) below `PARALLEL_MIN_LISTINGS` or on one core."""
    return worker_pool.workers_for(listings, threshold=PARALLEL_MIN_LISTINGS)


@dataclass(frozen=True)
class MatcherSpec:
    """What the first pass decides every batch with, sent once to each worker process: the tree
    and what the matcher is built with there (a built matcher is not sent: its TF-IDF matrix and
    indexes are rebuilt in ~0.2 s from the tree, cheaper than pickling them)."""

    tree: CategoryTree
    migration: Migration
    overrides: Mapping[str, int] = field(default_factory=dict)
    open_leaf_ids: frozenset[int] | None = None
    mapping: CategoryMapping | None = None


@dataclass(frozen=True)
class _Decider:
    """A process's state for the first pass: the spec and the matcher built from it."""

    spec: MatcherSpec
    matcher: CategoryMatcher


def _decider_of(spec: MatcherSpec) -> _Decider:
    matcher = CategoryMatcher(spec.tree, open_leaf_ids=spec.open_leaf_ids, mapping=spec.mapping)
    return _Decider(spec, matcher)


@dataclass
class DecidedRows:
    """What the stage writes of a batch, and which of its listings (positions in the batch) the
    offline layers were unsure of: what comes back from a worker. Plain data: a batch's
    decisions and listings as models took ~140 ms to unpickle per 2,000 listings, its rows 4
    (decision 93)."""

    rows: list[dict[str, Any]]
    review: list[dict[str, Any]]
    unsure: list[int]


def _unsure(decision: CategoryDecision, threshold: float) -> bool:
    """Left by the text layer below the threshold: what Kuaishou's `suggested.get` may settle."""
    return decision.layer in ("text", "none") and needs_review(decision, min_confidence=threshold)


def _decide_rows(decider: _Decider, batch: Sequence[str | ListingHead]) -> DecidedRows:
    spec = decider.spec
    decided = decide_batch(decider.matcher, spec.migration, batch, overrides=spec.overrides)
    threshold = spec.migration.category.min_confidence
    unsure = [at for at, d in enumerate(decided.decisions) if _unsure(d, threshold)]
    return DecidedRows(rows=decided.rows, review=decided.review, unsure=unsure)


def decided_batches(
    spec: MatcherSpec,
    batches: Iterable[Sequence[str | ListingHead]],
    *,
    workers: int = 1,
    matcher: CategoryMatcher | None = None,
) -> Iterator[DecidedRows]:
    """`decide_batch` of each batch of listing rows (JSON, or their heads), in the order given:
    with `workers` >
    1 by that many spawned processes, each building its matcher from `spec` once
    (pipeline/worker_pool.py); else here, with `matcher` when the caller holds one built from
    the same spec. The batches decide the same either way: a batch depends on nothing but its
    rows, the matcher and the overrides."""
    here = None if matcher is None else _Decider(spec, matcher)
    return worker_pool.ordered_results(
        _decide_rows, batches, build=_decider_of, spec=spec, workers=workers, here=here
    )


def _write_batch(
    warehouse: Warehouse,
    migration: Migration,
    decided: DecidedBatch | DecidedRows,
    *,
    tally: _Tally,
    replacing: bool = False,
) -> None:
    """One batch's decisions into `category_decisions`, its unsure ones into `category_review`.

    `replacing`: the batch was written once already (decided again with Kuaishou's
    suggestions): its rows are replaced and the tally moves from the old decisions to the new.
    """
    threshold = migration.category.min_confidence
    rows, review = decided.rows, decided.review
    if replacing:
        ids = [row["source_item_id"] for row in rows]
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


def _whole_listing(warehouse: Warehouse, migration_key: str, item_id: str) -> Listing:
    """One listing as normalize wrote it, parsed whole."""
    text = warehouse.scalar(
        "SELECT listing FROM listings WHERE migration = ? AND source_item_id = ?",
        [migration_key, item_id],
    )
    return Listing.model_validate_json(text)


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


def _listing_rows(warehouse: Warehouse, migration_key: str) -> Iterator[list[dict[str, Any]]]:
    return warehouse.partition_batches(
        "listings",
        migration=migration_key,
        columns=("source_item_id", "listing"),
        batch_size=CATEGORY_BATCH,
    )


# What the first pass left unsure for `suggested.get`: `needs_review` of a text-layer (or no-layer)
# decision, as SQL over its `category_decisions` row.
_UNSURE = (
    "SELECT source_item_id FROM category_decisions WHERE migration = ? "
    "AND source_item_id >= ? AND source_item_id <= ? AND layer IN ('text', 'none') "
    "AND (category_id IS NULL OR confidence < ?)"
)


def _unsure_batches(
    warehouse: Warehouse, migration: Migration, suggested: Mapping[str, Sequence[int]]
) -> Iterator[list[tuple[ListingHead, Sequence[int]]]]:
    """The listings the first pass was unsure of whose source category Kuaishou suggested leaves
    for (their heads), with those leaves, a batch at a time in id order.

    Which listings were unsure is read back, per batch, from the decisions the first pass wrote
    (only those listings are read), rather than remembered per listing for the whole shop.
    """
    threshold = migration.category.min_confidence
    for batch in _listing_rows(warehouse, migration.key):
        unsure = {
            row["source_item_id"]
            for row in warehouse.query(
                _UNSURE,
                [
                    migration.key,
                    batch[0]["source_item_id"],
                    batch[-1]["source_item_id"],
                    threshold,
                ],
            )
        }
        again = []
        for row in batch:
            if row["source_item_id"] not in unsure:
                continue
            head = _read_head(row["listing"])
            leaves = suggested.get(_category_key(head))
            if leaves:
                again.append((head, leaves))
        if again:
            yield again


@long_stage_collector()  # the collector skips the imported heap (decision 84)
@streaming_stage  # DuckDB's streaming cap for the stage (decision 100)
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
    spec = MatcherSpec(
        tree=tree,
        migration=migration,
        overrides=overrides,
        open_leaf_ids=frozenset(open_ids),
        mapping=load_mapping(migration),
    )
    matcher = _decider_of(spec).matcher  # here: the second pass's, and the first's without workers
    # Progress: done = a leaf chosen, failed = none (left to the merchant's review).
    progress = progress or Progress("categories", migration.key)
    total = int(
        warehouse.scalar("SELECT count(*) FROM listings WHERE migration = ?", [migration.key])
    )
    progress.start(total)
    warehouse.delete_partition("category_decisions", migration=migration.key)
    warehouse.delete_partition("category_review", migration=migration.key)
    tally = _Tally()
    # The heads read, kept until their batch comes back decided (in order). Only heads are held
    # and sent to the workers, not the rows' JSON: with workers, a few batches are in flight
    # (decision 97). The first unsure listing of a source category is read again whole, by id,
    # to ask Kuaishou with (one row per source category).
    read: deque[list[ListingHead]] = deque()

    def batches() -> Iterator[list[ListingHead]]:
        for rows in _listing_rows(warehouse, migration.key):
            read.append([_read_head(row["listing"]) for row in rows])
            del rows
            yield read[-1]

    for decided in decided_batches(spec, batches(), workers=workers_for(total), matcher=matcher):
        heads = read.popleft()
        for at in decided.unsure:
            item = heads[at]
            key = _category_key(item)
            if key not in tally.askable:
                tally.askable[key] = _whole_listing(warehouse, migration.key, item.source_item_id)
        _write_batch(warehouse, migration, decided, tally=tally)
        unmatched = sum(1 for row in decided.rows if row["category_id"] is None)
        progress.advance(done=len(decided.rows) - unmatched, failed=unmatched)
    progress.finish()
    suggested = asyncio.run(
        suggested_leaves(platforms, migration, warehouse, list(tally.askable.values()))
    )
    if any(suggested.values()):
        for again in _unsure_batches(warehouse, migration, suggested):
            _write_batch(
                warehouse,
                migration,
                decide_again(matcher, migration, again, overrides=overrides),
                tally=tally,
                replacing=True,
            )
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
