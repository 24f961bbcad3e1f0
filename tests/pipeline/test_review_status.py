"""Review status: created items followed through the emulator's realistic review to the end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from connectors.kuaishou import AuditStatus
from listings.migrations import Migration, PublishBackend
from listings.review import classify_rejection
from pipeline.clients import Platforms
from pipeline.migrations_file import load_migrations
from pipeline.results import StageResult
from pipeline.review import track_reviews
from pipeline.settings import PROJECT_ROOT
from sandbox.app import Sandbox
from sandbox.inprocess import reset_in_process_sandbox
from sandbox.kuaishou_review import IMAGE_REJECTION
from store import DuckDBLedger, Warehouse
from store.reviews import load_reviews
from tests.pipeline.review_sandbox import (
    Clock,
    Planned,
    calls,
    publish,
    review_sandbox,
    sandbox_platforms,
)

# relItemIds: odd ones pass the sampled image rule (one in 2 here), even ones are "牛皮癣"; with
# two main images, dropping one would leave fewer than 3, so that one is the merchant's
PLAIN = Planned(7_000_001)
ABSOLUTE = Planned(7_000_003, title="全网最舒服的纯棉T恤")
WATERMARKED = Planned(7_000_004, title="宽松纯棉T恤")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Iterator[Sandbox]:
    yield review_sandbox(
        clock, delay=timedelta(minutes=5), image_reject_every=2, takedown_every=1_000_000
    )
    reset_in_process_sandbox()


@pytest.fixture
def platforms(sandbox: Sandbox) -> Platforms:
    return sandbox_platforms()


@pytest.fixture
def migration() -> Migration:
    return load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get("taobao-demo")


def test_reviews_are_followed_until_they_end_and_rejections_are_classified(
    sandbox: Sandbox, clock: Clock, platforms: Platforms, migration: Migration, tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    ledger = DuckDBLedger(warehouse)
    publish(migration, platforms, ledger, [PLAIN, ABSOLUTE, WATERMARKED])

    def follow(minutes: float) -> StageResult:
        return track_reviews(
            migration,
            warehouse=warehouse,
            ledger=ledger,
            platforms=platforms,
            now=clock.move_to(minutes),
        )

    first = follow(0)
    assert (first.figures["asked_this_run"], first.figures["in_review"]) == (3, 3)
    assert first.checks[0].passed  # nothing rejected yet: all 待审核

    early = follow(1)
    assert early.figures["in_review"] == 3  # the review takes 5 minutes

    done = follow(6)  # the review is over: this look sees it
    assert (done.figures["approved"], done.figures["needs_changes"]) == (1, 1)
    assert done.figures["resubmitted_this_run"] == 1  # the title, answered by banjia
    reviews = load_reviews(warehouse, migration.key)
    assert reviews[PLAIN.rel]["audit_status"] == AuditStatus.APPROVED
    assert reviews[ABSOLUTE.rel]["audit_status"] == AuditStatus.PENDING  # back in review
    assert reviews[WATERMARKED.rel]["reason_code"] == "image_quality"
    assert reviews[WATERMARKED.rel]["audit_reason"] == IMAGE_REJECTION
    assert reviews[PLAIN.rel]["decided_at"] is not None
    assert all(r["checks"] == 3 for r in reviews.values())
    check = done.checks[0]
    assert not check.passed and check.severity == "warn"
    assert dict(done.breakdowns["rejections_by_reason"].counts) == {"image_quality": 1}
    (left,) = done.preview
    assert left["answer"].startswith("for the merchant: dropping main image 1 would leave 1")

    follow(12)  # the resubmitted title passes its new review
    again = follow(13)
    assert again.figures["asked_this_run"] == 1  # only the one still sent back
    assert again.figures["approved"] == 2
    assert calls(sandbox, "open.item.edit") == 1


def test_items_published_through_vvtool_are_counted_not_asked(
    sandbox: Sandbox, platforms: Platforms, migration: Migration, tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    ledger = DuckDBLedger(warehouse)
    publish(migration, platforms, ledger, [PLAIN, ABSOLUTE, WATERMARKED])
    vvtool = migration.model_copy(
        update={"target": migration.target.model_copy(update={"backend": PublishBackend.VVTOOL})}
    )
    result = track_reviews(vvtool, warehouse=warehouse, ledger=ledger, platforms=platforms)
    assert result.figures["asked_this_run"] == 0
    assert result.figures["followed_by_backend"] == 3


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("商品标题含有极限词“第一”，违反《广告法》相关规定", "title_forbidden_words"),
        ("商品主图存在牛皮癣（文字、水印或二维码遮挡）", "image_quality"),
        ("类目错放，请选择正确类目", "wrong_category"),
        ("该品牌需提供品牌授权书", "brand_qualification_missing"),
        ("商品价格异常，划线价虚高", "price_abnormal"),
        ("商品详情描述与实物不符", "detail_incomplete"),
        ("其他原因", "other"),
    ],
)
def test_rejections_in_kuaishous_words_map_to_a_cause(reason: str, code: str) -> None:
    found = classify_rejection(reason)
    assert found.reason_code == code and found.fix
    if code == "other":
        assert reason in found.fix
