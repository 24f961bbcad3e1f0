"""The categories stage's first pass in batches (`pipeline.categories.decided_batches`): worker
processes, each building its own matcher, decide exactly what one process decides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from listings.categories import CategoryMatcher, CategoryTree
from listings.category_eval import parse_labelled_csv
from listings.model import Listing, SourceCategory, SourcePlatform
from pipeline import categories
from pipeline.categories import (
    PARALLEL_MIN_LISTINGS,
    DecidedRows,
    ListingHead,
    MatcherSpec,
    decide_again,
    decided_batches,
    workers_for,
)
from tests.samples import sample_migration

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "tests" / "fixtures" / "category_dev_real.csv"
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"


def _listing(i: int, title: str, path: tuple[str, ...]) -> str:
    return Listing.model_validate(
        {
            "platform": SourcePlatform.TAOBAO,
            "shop_id": "shop",
            "source_item_id": f"{i:06d}",
            "title": title,
            "category": SourceCategory(path=path),
            "skus": [{"source_sku_id": f"{i}-1", "specs": [], "price_fen": 990, "stock": 3}],
            "main_images": [f"https://img.alicdn.com/{i}.jpg"],
            "origin_url": f"https://item.taobao.com/item.htm?id={i}",
        }
    ).model_dump_json()


@pytest.fixture(scope="module")
def shop() -> tuple[MatcherSpec, list[list[str]]]:
    """240 real seller titles in 6 batches; an item override, and a tree with a third of its
    leaves closed, so what the workers are sent is used."""
    rows = parse_labelled_csv(DEV.read_text(encoding="utf-8"))[::12][:240]
    listings = [
        _listing(i, row.title, tuple(row.source_category_path)) for i, row in enumerate(rows)
    ]
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    leaves = sorted(tree.leaves)
    spec = MatcherSpec(
        tree=tree,
        migration=sample_migration(),
        overrides={"item:000001": leaves[1]},
        open_leaf_ids=frozenset(leaf for k, leaf in enumerate(leaves) if k % 3),
    )
    return spec, [listings[i : i + 40] for i in range(0, len(listings), 40)]


Written = tuple[list[dict[str, Any]], list[dict[str, Any]], list[int]]


def _written(batches: list[DecidedRows]) -> list[Written]:
    return [(batch.rows, batch.review, batch.unsure) for batch in batches]


def test_worker_processes_decide_the_rows_one_process_decides_in_the_same_order(
    shop: tuple[MatcherSpec, list[list[str]]],
) -> None:
    spec, batches = shop
    here = list(decided_batches(spec, batches, workers=1))
    spread = list(decided_batches(spec, batches, workers=2))
    assert _written(spread) == _written(here)
    layers = {row["layer"] for batch in here for row in batch.rows}
    assert {"override", "text"} <= layers  # the spec's overrides and tree reached the workers
    assert any(batch.unsure for batch in here)


def test_the_unsure_listings_are_those_left_below_the_threshold_by_the_text_layer(
    shop: tuple[MatcherSpec, list[list[str]]],
) -> None:
    spec, batches = shop
    threshold = spec.migration.category.min_confidence
    for batch in decided_batches(spec, batches[:2]):
        unsure = [
            at
            for at, row in enumerate(batch.rows)
            if row["layer"] in ("text", "none")
            and (row["category_id"] is None or row["confidence"] < threshold)
        ]
        assert batch.unsure == unsure


def test_a_matcher_held_by_the_caller_decides_as_one_built_from_the_spec(
    shop: tuple[MatcherSpec, list[list[str]]],
) -> None:
    spec, batches = shop
    held = CategoryMatcher(spec.tree, open_leaf_ids=spec.open_leaf_ids, mapping=spec.mapping)
    built = list(decided_batches(spec, batches[:2]))
    assert _written(list(decided_batches(spec, batches[:2], matcher=held))) == _written(built)


def test_only_a_shop_large_enough_to_pay_for_workers_is_spread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        categories.worker_pool.os, "sched_getaffinity", lambda _: {0, 1}, raising=False
    )
    assert workers_for(PARALLEL_MIN_LISTINGS - 1) == 1
    assert workers_for(PARALLEL_MIN_LISTINGS) == 2


def test_a_decision_row_holds_each_candidate_as_pydantic_would_dump_it() -> None:
    """The row builder spells a candidate's fields out (three a listing, on the hot path): it
    must stay what `Candidate.model_dump` gives, whatever fields a candidate gains."""
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    rows = parse_labelled_csv(DEV.read_text(encoding="utf-8"))[:50]
    listings = [_listing(i, r.title, tuple(r.source_category_path)) for i, r in enumerate(rows)]
    decided = categories.decide_batch(
        CategoryMatcher(tree), sample_migration(), listings, overrides={}
    )
    assert any(d.candidates for d in decided.decisions)
    for row, decision in zip(decided.rows, decided.decisions, strict=True):
        assert row["candidates"] == [c.model_dump() for c in decision.candidates]


def test_heads_the_stage_read_decide_in_workers_as_the_rows_they_were_read_from(
    shop: tuple[MatcherSpec, list[list[str]]],
) -> None:
    """The stage sends heads, not the rows' JSON, to its workers (decision 97)."""
    spec, batches = shop
    heads = [[msgspec.json.decode(row, type=ListingHead) for row in batch] for batch in batches]
    from_rows = list(decided_batches(spec, batches, workers=1))
    assert _written(list(decided_batches(spec, heads, workers=2))) == _written(from_rows)


def test_the_second_pass_decides_a_batch_as_it_decides_each_listing_alone(
    shop: tuple[MatcherSpec, list[list[str]]],
) -> None:
    """The unsure listings with Kuaishou's suggested leaves, in one batch: the same decisions
    (leaf, layer, confidence, candidates) as `decide` gives each with its suggestions."""
    spec, batches = shop
    matcher = CategoryMatcher(spec.tree, open_leaf_ids=spec.open_leaf_ids)
    decoder = msgspec.json.Decoder(ListingHead)
    heads = [decoder.decode(row) for batch in batches for row in batch][:60]
    leaves = sorted(spec.open_leaf_ids or ())
    again = [(head, leaves[i % 7 :: 50][:3]) for i, head in enumerate(heads)]
    decided = decide_again(matcher, spec.migration, again, overrides=spec.overrides)
    alone = [
        matcher.decide(
            title=head.title,
            platform=head.platform,
            source_item_id=head.source_item_id,
            source_category_ids=head.category.ids,
            source_category_path=head.category.path,
            overrides=spec.overrides,
            suggestions=suggested,
        )
        for head, suggested in again
    ]
    assert decided.decisions == alone
    assert [row["source_item_id"] for row in decided.rows] == [h.source_item_id for h in heads]
    layers = {d.layer for d in alone}
    assert "suggested" in layers and len(layers) > 1  # the suggestions were weighed, not all taken
