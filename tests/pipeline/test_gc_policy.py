"""The long stages' collector policy: in force inside the block, gone after it, even on error; and
the batches it pauses the collector for make no garbage only the collector could free."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from listings.categories import CategoryMatcher, CategoryTree
from pipeline.categories import CATEGORY_BATCH, decide_batch
from pipeline.draft_batches import ListingToDraft, draft_batch
from pipeline.gc_policy import STAGE_THRESHOLDS, long_stage_collector, paused_collector
from tests.bench.test_transform_bench import TREE, _listings, _migration, _rules


@pytest.fixture(autouse=True)
def _collector_as_found() -> Iterator[None]:
    """Whatever a failing test leaves behind, the next test (and the suite) gets it back."""
    thresholds = gc.get_threshold()
    enabled = gc.isenabled()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()
    if enabled:
        gc.enable()


class _StageBroke(Exception):
    pass


def test_inside_the_block_what_existed_is_frozen_and_the_thresholds_raised() -> None:
    resident = [{"sku": n, "specs": [n]} for n in range(1_000)]
    with long_stage_collector():
        assert gc.get_threshold() == STAGE_THRESHOLDS
        assert gc.get_freeze_count() >= len(resident)
        marker = resident[0]
        assert not any(o is marker for o in gc.get_objects())  # no pass walks it


def test_thresholds_and_freeze_state_restored_after_the_block() -> None:
    gc.set_threshold(900, 11, 12)
    with long_stage_collector():
        pass
    assert gc.get_threshold() == (900, 11, 12)
    assert gc.get_freeze_count() == 0


def test_restored_even_when_the_stage_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(_StageBroke), long_stage_collector():
        raise _StageBroke("normalize: none of the payloads could be read")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_decorated_stage_restores_on_every_call_and_on_error() -> None:
    seen: list[tuple[int, int, int]] = []

    @long_stage_collector()
    def stage(*, fail: bool) -> None:
        seen.append(gc.get_threshold())
        if fail:
            raise _StageBroke("drafts: the warehouse went away")

    before = gc.get_threshold()
    stage(fail=False)
    with pytest.raises(_StageBroke):
        stage(fail=True)
    assert seen == [STAGE_THRESHOLDS, STAGE_THRESHOLDS]
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_nested_blocks_leave_the_outer_policy_in_force_until_it_ends() -> None:
    before = gc.get_threshold()
    with long_stage_collector():
        with long_stage_collector((20_000, 10, 10)):
            assert gc.get_threshold() == (20_000, 10, 10)
        assert gc.get_threshold() == STAGE_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_what_someone_else_froze_before_the_stage_stays_frozen() -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    with long_stage_collector():
        pass
    assert gc.get_freeze_count() >= frozen > 0


def test_no_cyclic_collection_inside_a_paused_block_and_as_before_after_it() -> None:
    with paused_collector():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with paused_collector():
        pass
    assert not gc.isenabled()  # whoever disabled it before still has it disabled


def test_a_paused_block_gives_the_collector_back_when_it_raises() -> None:
    with pytest.raises(_StageBroke), paused_collector():
        raise _StageBroke
    assert gc.isenabled()


def test_a_batch_decided_and_drafted_leaves_no_garbage_in_a_cycle() -> None:
    """What makes pausing the collector for a batch safe: every object the categories and drafts
    batches drop is freed by reference counting (real titles, 12-SKU listings)."""
    listings = _listings(CATEGORY_BATCH)
    migration = _migration()
    matcher = CategoryMatcher(CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8")))
    rules = _rules(migration)
    gc.collect()
    gc.disable()
    decided = decide_batch(matcher, migration, listings, overrides={})
    drafted = draft_batch(
        rules,
        [
            ListingToDraft(str(i), text, decision)
            for i, (text, decision) in enumerate(zip(listings, decided.decisions, strict=True))
        ],
    )
    assert len(drafted.rows) + len(drafted.problems) == len(listings)
    del decided, drafted
    assert gc.collect() == 0
