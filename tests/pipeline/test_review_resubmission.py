"""Answering Kuaishou's review: a mechanical fix resubmitted once through open.item.edit, the rest
left for the merchant, never an edit twice, and items taken off the shelf later counted.

The emulator's realistic review (sandbox/kuaishou_review.py) here: 5 minutes per review; even
relItemIds are sent back for their first main image; titles with absolute terms are sent back
(审核待修改); brand words are rejected (审核拒绝); relItemId % 3 == 1 goes off the shelf 30
minutes after it was submitted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from connectors.kuaishou import AuditStatus
from listings.migrations import Migration
from pipeline.clients import Platforms
from pipeline.migrations_file import load_migrations
from pipeline.resubmit import review_answer
from pipeline.results import StageResult
from pipeline.review import track_reviews
from pipeline.settings import PROJECT_ROOT
from sandbox.app import Sandbox
from sandbox.inprocess import reset_in_process_sandbox
from sandbox.kuaishou_review import TAKEDOWN_REASON
from store import DuckDBLedger, Warehouse
from store.resubmissions import load_resubmissions
from store.reviews import load_reviews
from tests.pipeline.review_sandbox import (
    Clock,
    Planned,
    calls,
    publish,
    review_sandbox,
    sandbox_platforms,
)

PLAIN = Planned(7_000_011)
ABSOLUTE = Planned(7_000_017, title="全网最舒服的纯棉T恤")
WATERMARKED = Planned(7_000_014, images=4)
TWICE = Planned(7_000_016, title="最舒服的纯棉T恤", images=4)  # the title, then the image
BRAND = Planned(7_000_023, title="耐克同款纯棉T恤")
TAKEN_DOWN = Planned(7_000_015)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Iterator[Sandbox]:
    yield review_sandbox(
        clock,
        delay=timedelta(minutes=5),
        image_reject_every=2,
        takedown_every=3,
        takedown_after=timedelta(minutes=30),
    )
    reset_in_process_sandbox()


@pytest.fixture
def platforms(sandbox: Sandbox) -> Platforms:
    return sandbox_platforms()


@pytest.fixture
def migration() -> Migration:
    return load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get("taobao-demo")


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "w.duckdb")


@pytest.fixture
def ledger(warehouse: Warehouse) -> DuckDBLedger:
    return DuckDBLedger(warehouse)


Follow = Callable[[Clock, float], StageResult]


@pytest.fixture
def follow(
    migration: Migration, warehouse: Warehouse, ledger: DuckDBLedger, platforms: Platforms
) -> Follow:
    """One scheduled run of the review stage at minute `at` of the emulator's clock."""

    def run(clock: Clock, at: float) -> StageResult:
        return track_reviews(
            migration,
            warehouse=warehouse,
            ledger=ledger,
            platforms=platforms,
            now=clock.move_to(at),
        )

    return run


def test_a_forbidden_term_in_the_title_is_removed_resubmitted_once_and_approved(
    sandbox: Sandbox,
    clock: Clock,
    follow: Follow,
    migration: Migration,
    warehouse: Warehouse,
    ledger: DuckDBLedger,
    platforms: Platforms,
) -> None:
    publish(migration, platforms, ledger, [ABSOLUTE])
    follow(clock, 0)
    sent_back = follow(clock, 6)  # reviewed: 审核待修改 for 最, and answered in the same run
    assert sent_back.figures["resubmitted_this_run"] == 1
    item = next(iter(sandbox.kuaishou.items.values()))
    assert item.param["title"] == "全网 舒服的纯棉T恤"
    assert item.audit_status == AuditStatus.PENDING  # the edit sent it back to review
    (row,) = load_resubmissions(warehouse, migration.key).values()
    assert (row["state"], row["sends"], row["reason_code"]) == ("sent", 1, "title_forbidden_words")
    assert "removed 最" in row["change"] and row["sent_at"] is not None

    follow(clock, 9)  # the new review takes 5 minutes from the edit
    approved = follow(clock, 12)
    assert approved.figures["approved"] == 1 and approved.figures["needs_changes"] == 0
    assert calls(sandbox, "open.item.edit") == 1
    review = load_reviews(warehouse, migration.key)[ABSOLUTE.rel]
    assert review_answer(review, row).startswith("resubmitted by banjia and approved")


def test_a_main_image_objected_to_is_dropped_and_the_item_resubmitted(
    sandbox: Sandbox,
    clock: Clock,
    follow: Follow,
    migration: Migration,
    ledger: DuckDBLedger,
    platforms: Platforms,
) -> None:
    publish(migration, platforms, ledger, [WATERMARKED])
    item = next(iter(sandbox.kuaishou.items.values()))
    rest = item.param["imageUrls"][1:]
    follow(clock, 6)
    assert (
        item.param["imageUrls"] == rest
    )  # the cover dropped, 3 left: Kuaishou's audit minimum still met
    follow(clock, 12)
    assert item.audit_status == AuditStatus.APPROVED
    assert calls(sandbox, "open.item.edit") == 1


def test_an_unfixable_rejection_is_left_for_the_merchant_with_reason_and_fix(
    sandbox: Sandbox,
    clock: Clock,
    follow: Follow,
    migration: Migration,
    warehouse: Warehouse,
    ledger: DuckDBLedger,
    platforms: Platforms,
) -> None:
    publish(migration, platforms, ledger, [BRAND])
    result = follow(clock, 6)
    assert calls(sandbox, "open.item.edit") == 0
    assert result.figures["rejected"] == 1 and result.figures["left_for_merchant"] == 1
    review = load_reviews(warehouse, migration.key)[BRAND.rel]
    assert review["reason_code"] == "brand_qualification_missing"
    assert "品牌授权" in review["audit_reason"] and "brand authorisation" in review["fix"]
    (preview,) = result.preview
    assert preview["answer"].startswith("for the merchant: 审核拒绝 is final")
    follow(clock, 30)
    assert calls(sandbox, "open.item.edit") == 0


def test_an_item_sent_back_again_after_its_resubmission_is_never_edited_twice(
    sandbox: Sandbox,
    clock: Clock,
    follow: Follow,
    migration: Migration,
    warehouse: Warehouse,
    ledger: DuckDBLedger,
    platforms: Platforms,
) -> None:
    publish(migration, platforms, ledger, [TWICE])
    follow(clock, 6)  # sent back for 最: resubmitted without it
    again = follow(clock, 12)  # the new review objects to the cover image
    assert again.figures["needs_changes"] == 1
    review = load_reviews(warehouse, migration.key)[TWICE.rel]
    assert review["reason_code"] == "image_quality"
    follow(clock, 60)
    assert calls(sandbox, "open.item.edit") == 1
    (row,) = load_resubmissions(warehouse, migration.key).values()
    assert row["sends"] == 1
    assert "sent back again: for the merchant" in review_answer(review, row)


def test_an_edit_whose_answer_was_lost_is_found_on_kuaishou_not_sent_again(
    sandbox: Sandbox,
    clock: Clock,
    follow: Follow,
    migration: Migration,
    warehouse: Warehouse,
    ledger: DuckDBLedger,
    platforms: Platforms,
) -> None:
    publish(migration, platforms, ledger, [ABSOLUTE])
    sandbox.kuaishou.fail_next("open.item.edit", "lose_response")  # applied, answer lost
    lost = follow(clock, 6)
    assert lost.figures["resubmission_unconfirmed"] == 1
    (row,) = load_resubmissions(warehouse, migration.key).values()
    assert row["state"] == "sending"

    settled = follow(clock, 7)  # the next run reads the item: the edit is there
    assert settled.figures["resubmitted_this_run"] == 1
    assert load_resubmissions(warehouse, migration.key)[ABSOLUTE.rel]["state"] == "sent"
    follow(clock, 12)
    assert calls(sandbox, "open.item.edit") == 1


def test_a_crash_between_sending_the_edit_and_recording_it_does_not_edit_again(
    sandbox: Sandbox,
    clock: Clock,
    follow: Follow,
    migration: Migration,
    warehouse: Warehouse,
    ledger: DuckDBLedger,
    platforms: Platforms,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publish(migration, platforms, ledger, [ABSOLUTE])

    def crash(*args: object, **kwargs: object) -> None:
        raise SystemExit("the worker died after the edit was sent")

    with monkeypatch.context() as patched:
        patched.setattr("pipeline.resubmit.record_outcome", crash)
        with pytest.raises(SystemExit):
            follow(clock, 6)
    assert calls(sandbox, "open.item.edit") == 1
    assert load_resubmissions(warehouse, migration.key)[ABSOLUTE.rel]["state"] == "sending"

    settled = follow(clock, 7)
    assert settled.figures["resubmitted_this_run"] == 1
    follow(clock, 12)
    assert calls(sandbox, "open.item.edit") == 1
    assert load_resubmissions(warehouse, migration.key)[ABSOLUTE.rel]["state"] == "sent"


def test_a_crash_after_the_claim_and_before_sending_sends_the_edit_on_the_next_run(
    sandbox: Sandbox,
    clock: Clock,
    follow: Follow,
    migration: Migration,
    warehouse: Warehouse,
    ledger: DuckDBLedger,
    platforms: Platforms,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kuaishou shows no edit and the item still waits for one: no edit arrived, so one is sent."""
    publish(migration, platforms, ledger, [ABSOLUTE])

    async def crash(*args: object, **kwargs: object) -> None:
        raise SystemExit("the worker died before sending")

    with monkeypatch.context() as patched:
        patched.setattr("connectors.kuaishou.KuaishouClient.edit_item", crash)
        with pytest.raises(SystemExit):
            follow(clock, 6)
    assert calls(sandbox, "open.item.edit") == 0

    follow(clock, 7)
    item = next(iter(sandbox.kuaishou.items.values()))
    assert item.param["title"] == "全网 舒服的纯棉T恤"
    assert calls(sandbox, "open.item.edit") == 1
    assert load_resubmissions(warehouse, migration.key)[ABSOLUTE.rel]["state"] == "sent"


def test_an_item_taken_off_the_shelf_later_is_counted_off_shelf(
    sandbox: Sandbox,
    clock: Clock,
    follow: Follow,
    migration: Migration,
    warehouse: Warehouse,
    ledger: DuckDBLedger,
    platforms: Platforms,
) -> None:
    publish(migration, platforms, ledger, [PLAIN, TAKEN_DOWN])
    approved = follow(clock, 6)
    assert (approved.figures["on_shelf"], approved.figures["off_shelf"]) == (2, 0)
    assert approved.checks[1].passed

    quiet = follow(clock, 40)  # approved items are asked again for their shelf once a day
    assert quiet.figures["asked_this_run"] == 0

    later = follow(clock, 6 + 24 * 60)
    assert later.figures["asked_this_run"] == 2
    assert (later.figures["on_shelf"], later.figures["off_shelf"]) == (1, 1)
    assert later.figures["approved_but_off_shelf"] == 1
    assert dict(later.breakdowns["off_shelf_by_reason"].counts) == {TAKEDOWN_REASON: 1}
    check = later.checks[1]
    assert check.name == "no_approved_item_off_shelf" and not check.passed
    row = load_reviews(warehouse, migration.key)[TAKEN_DOWN.rel]
    assert (row["on_shelf"], row["offline_reason"]) == (False, TAKEDOWN_REASON)
    assert row["shelf_changed_at"] is not None
