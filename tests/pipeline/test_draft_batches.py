"""Drafting in batches (`pipeline.draft_batches`): the same rows whichever process drafts a batch
and in whatever order the batches are drafted, and the fast path's bytes are the model's."""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

import pytest

from listings.draft import KuaishouDraft
from listings.drafting import build_draft, draft_data_of, listing_data
from listings.model import Listing
from listings.quarantine import Problem
from pipeline.draft_batches import (
    DraftedBatch,
    DraftRules,
    ListingToDraft,
    data_row,
    draft_batch,
    draft_row,
    drafted_batches,
)
from pipeline.drafts import decision_of
from tests.pipeline.drafts_golden import SHOPS, migrations, read_golden


@pytest.fixture(scope="module")
def shop() -> tuple[DraftRules, list[list[ListingToDraft]]]:
    """The golden Taobao shop's listings and decisions, in batches of 9."""
    inputs = read_golden()["inputs"]
    decisions = {
        row["source_item_id"]: decision_of(row)
        for row in inputs["category_decisions"]
        if row["migration"] == SHOPS[0]
    }
    items = [
        ListingToDraft(row["source_item_id"], row["listing"], decisions[row["source_item_id"]])
        for row in inputs["listings"]
        if row["migration"] == SHOPS[0]
    ]
    return DraftRules(migration=migrations()[0]), [
        items[i : i + 9] for i in range(0, len(items), 9)
    ]


def _rows(batches: list[DraftedBatch]) -> list[list[dict[str, Any]]]:
    return [batch.rows + batch.problems for batch in batches]


def test_worker_processes_draft_the_rows_this_process_drafts_in_the_same_order(
    shop: tuple[DraftRules, list[list[ListingToDraft]]],
) -> None:
    rules, batches = shop
    here = list(drafted_batches(rules, batches, workers=1))
    assert sum(len(b.rows) for b in here) > 50
    assert _rows(list(drafted_batches(rules, batches, workers=2))) == _rows(here)


def test_a_batch_drafts_the_same_whatever_was_drafted_before_it(
    shop: tuple[DraftRules, list[list[ListingToDraft]]],
) -> None:
    """No state is carried from batch to batch, so the order the workers finish in is moot."""
    rules, batches = shop
    forward = [draft_batch(rules, batch) for batch in batches]
    backward = [draft_batch(rules, batch) for batch in reversed(batches)]
    assert _rows(backward[::-1]) == _rows(forward)


def test_the_unvalidated_draft_serializes_to_the_models_bytes(
    shop: tuple[DraftRules, list[list[ListingToDraft]]],
) -> None:
    rules, batches = shop
    checked = 0
    for item in (item for batch in batches for item in batch):
        listing = Listing.model_validate_json(item.listing_json)
        data = draft_data_of(
            listing_data(listing), decision=item.decision, migration=rules.migration
        )
        model = build_draft(listing, decision=item.decision, migration=rules.migration)
        if isinstance(data, Problem):
            assert model == data
            continue
        assert isinstance(model, KuaishouDraft)
        assert list(data) == list(KuaishouDraft.model_fields)
        assert data_row("k", data) == draft_row("k", model)
        assert data_row("k", data)["draft"] == model.model_dump_json()
        assert json.loads(data_row("k", data)["draft"]) == model.model_dump(mode="json")
        checked += 1
    assert checked > 50


def test_a_draft_holding_anything_but_plain_data_is_not_written(
    shop: tuple[DraftRules, list[list[ListingToDraft]]],
) -> None:
    """Beyond JSON's own types, the writer knows how pydantic writes a `str` subclass and a
    model only: any other object (a path, say) stops the batch rather than be written its way."""
    rules, batches = shop
    item = batches[0][0]
    listing = Listing.model_validate_json(item.listing_json)
    data = draft_data_of(listing_data(listing), decision=item.decision, migration=rules.migration)
    assert not isinstance(data, Problem)
    with pytest.raises(NotImplementedError, match="Path"):
        data_row("k", {**data, "video_url": PurePosixPath("/videos/1.mp4")})
