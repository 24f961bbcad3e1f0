"""Review status: created items followed through the emulator's realistic review to the end."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from connectors.kuaishou import AuditStatus
from connectors.platforms import Endpoints, EndpointsMode
from listings.china_time import CHINA_TZ
from listings.migrations import Migration, PublishBackend
from listings.review import classify_rejection
from pipeline.clients import Platforms
from pipeline.migrations_file import load_migrations
from pipeline.review import track_reviews
from pipeline.settings import PROJECT_ROOT
from sandbox.app import Sandbox
from sandbox.inprocess import in_process_transport, reset_in_process_sandbox
from sandbox.kuaishou_review import IMAGE_REJECTION, realistic_review
from store import DuckDBLedger, Warehouse
from store.reviews import load_reviews
from tests.assets.conftest import sandbox_env_vars
from tests.inprocess import IN_PROCESS_URL
from tests.samples import tshirt_item_param

FIXED = datetime(2026, 3, 2, 10, 0, tzinfo=CHINA_TZ)
# relItemIds: odd ones pass the sampled image rule (one in 2 here), even ones are "牛皮癣"
PLAIN, ABSOLUTE, WATERMARKED = 7_000_001, 7_000_003, 7_000_004


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    state = reset_in_process_sandbox()
    clock = [FIXED]
    state.kuaishou.now = lambda: clock[0]
    realistic_review(state.kuaishou, delay=timedelta(minutes=5), image_reject_every=2)
    state.clock = clock  # type: ignore[attr-defined]
    yield state
    reset_in_process_sandbox()


@pytest.fixture
def platforms(sandbox: Sandbox) -> Platforms:
    return Platforms(
        endpoints=Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url=IN_PROCESS_URL),
        transport=in_process_transport(),
        rate_limited=False,
        env=sandbox_env_vars(),
    )


@pytest.fixture
def migration() -> Migration:
    return load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get("taobao-demo")


def png_bytes(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return buffer.getvalue()


def _publish(migration: Migration, platforms: Platforms, ledger: DuckDBLedger) -> dict[int, int]:
    """Three items created on the emulator and marked published in the ledger: rel → kwai id."""

    async def create() -> dict[int, int]:
        async with platforms.kuaishou(migration) as client:
            urls = [
                (await client.upload_image(png_bytes(c), filename=f"{i}.png")).kwai_img_url
                for i, c in enumerate([(200, 30, 30), (30, 30, 200)])
            ]
            created = {}
            for rel, title in [
                (PLAIN, "纯棉圆领T恤"),
                (ABSOLUTE, "全网最舒服的纯棉T恤"),
                (WATERMARKED, "宽松纯棉T恤"),
            ]:
                item = await client.create_item(
                    tshirt_item_param(urls, rel_item_id=rel, title=title)
                )
                created[rel] = item.kwai_item_id
            return created

    created = asyncio.run(create())
    ledger.ledger_ensure_pending(
        migration=migration.key, items=[(rel, f"src-{rel}") for rel in created]
    )
    for rel, kwai in created.items():
        ledger.ledger_transition(rel_item_id=rel, state="published", kwai_item_id=kwai)
    return created


def test_reviews_are_followed_until_they_end_and_rejections_are_classified(
    sandbox: Sandbox, platforms: Platforms, migration: Migration, tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    ledger = DuckDBLedger(warehouse)
    _publish(migration, platforms, ledger)

    first = track_reviews(migration, warehouse=warehouse, ledger=ledger, platforms=platforms)
    assert (first.figures["asked_this_run"], first.figures["in_review"]) == (3, 3)
    assert first.checks[0].passed  # nothing rejected yet: all 待审核

    sandbox.clock[0] = FIXED + timedelta(minutes=1)  # type: ignore[attr-defined]
    early = track_reviews(migration, warehouse=warehouse, ledger=ledger, platforms=platforms)
    assert early.figures["in_review"] == 3  # the review takes 5 minutes

    sandbox.clock[0] = FIXED + timedelta(minutes=6)  # the review is over: this look sees it
    done = track_reviews(migration, warehouse=warehouse, ledger=ledger, platforms=platforms)
    assert (done.figures["approved"], done.figures["rejected"]) == (1, 2)
    reviews = load_reviews(warehouse, migration.key)
    assert reviews[PLAIN]["audit_status"] == AuditStatus.APPROVED
    assert reviews[ABSOLUTE]["reason_code"] == "title_forbidden_words"
    assert "“最”" in reviews[ABSOLUTE]["audit_reason"]
    assert reviews[WATERMARKED]["reason_code"] == "image_quality"
    assert reviews[WATERMARKED]["audit_reason"] == IMAGE_REJECTION
    assert all(r["decided_at"] is not None and r["checks"] == 3 for r in reviews.values())
    (check,) = done.checks
    assert not check.passed and check.severity == "warn"
    assert dict(done.breakdowns["rejections_by_reason"].counts) == {
        "title_forbidden_words": 1,
        "image_quality": 1,
    }

    again = track_reviews(migration, warehouse=warehouse, ledger=ledger, platforms=platforms)
    assert again.figures["asked_this_run"] == 0  # a final answer is not asked again


def test_items_published_through_vvtool_are_counted_not_asked(
    sandbox: Sandbox, platforms: Platforms, migration: Migration, tmp_path: Path
) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    ledger = DuckDBLedger(warehouse)
    _publish(migration, platforms, ledger)
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
