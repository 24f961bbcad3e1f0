"""A small warehouse with an item in every state, for the report and `banjia items` tests.

Built through the store's own writers (stage tables, quarantine, ledger), so it holds what the
stages would write, without running them: published (with a trimmed, 3:4-framed image, and
rejected by Kuaishou's review), pending
(drafted, not created yet), quarantined at drafting (a forbidden word), and listed on the source
but never fetched (quarantined at extraction). Two fill-rate runs give the chart a line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration
from listings.model import Listing
from pipeline.drafts import draft_row
from store import DuckDBLedger, Warehouse
from store.reviews import save_reviews
from tests.samples import TSHIRT_CATEGORY, sample_migration, tshirt

KEY = "tb-test"
PUBLISHED, PENDING, FORBIDDEN, MISSING = "1001", "1002", "1003", "1004"
KWAI_ITEM_ID = 88_000_001
SOURCE_IMAGE = "https://img.alicdn.com/imgextra/i1/2206/O1CN01a_!!2206.jpg"
KWAI_IMAGE = "https://p1.kwai-sandbox.example/ufile/abc.jpg"
REVIEW_REASON = "商品主图存在牛皮癣（文字、水印或二维码遮挡）"


def _listing_row(key: str, listing: Listing) -> dict[str, object]:
    return {
        "migration": key,
        "source_item_id": listing.source_item_id,
        "title": listing.title,
        "status": listing.status.value,
        "sku_count": len(listing.skus),
        "price_min_fen": listing.price_min_fen,
        "price_max_fen": listing.price_max_fen,
        "main_image_count": len(listing.main_images),
        "has_video": False,
        "has_short_title": False,
        "listing": listing.model_dump_json(),
    }


def build_report_warehouse(
    path: Path, migration: Migration | None = None
) -> tuple[Warehouse, Migration]:
    """The warehouse at `path` for `migration` (default: the sample Taobao one, `tb-test`)."""
    migration = migration or sample_migration()
    key = migration.key
    warehouse = Warehouse(path)
    listings = [
        tshirt(
            source_item_id=PUBLISHED, origin_url=f"https://item.taobao.com/item.htm?id={PUBLISHED}"
        ),
        tshirt(source_item_id=PENDING, title="宽松百搭纯棉短袖T恤"),
        tshirt(source_item_id=FORBIDDEN, title="全网最好的纯棉T恤"),
    ]
    now = datetime.now(UTC)
    warehouse.replace_partition(
        "raw_listings",
        migration=key,
        rows=[
            {
                "migration": key,
                "platform": "taobao",
                "shop_id": "shop-1",
                "source_item_id": listing.source_item_id,
                "payload": "{}",
                "fetched_at": now,
            }
            for listing in listings
        ],
    )
    warehouse.replace_partition(
        "listings", migration=key, rows=[_listing_row(key, listing) for listing in listings]
    )
    decision = CategoryDecision(
        category_id=TSHIRT_CATEGORY, path="男装 > T恤", confidence=0.99, layer="model"
    )
    warehouse.replace_partition(
        "category_decisions",
        migration=key,
        rows=[
            {
                "migration": key,
                "source_item_id": listing.source_item_id,
                "category_id": TSHIRT_CATEGORY,
                "category_path": "男装 > T恤",
                "confidence": 0.99,
                "layer": "model",
                "candidates": [],
            }
            for listing in listings
        ],
    )
    drafts = []
    for listing in listings[:2]:
        draft = build_draft(listing, decision=decision, migration=migration)
        assert isinstance(draft, KuaishouDraft)
        drafts.append(draft)
    warehouse.replace_partition(
        "kuaishou_drafts", migration=key, rows=[draft_row(key, d) for d in drafts]
    )
    warehouse.replace_quarantine(
        migration=key,
        stages=["extract"],
        rows=[
            {
                "source_item_id": MISSING,
                "stage": "extract",
                "reason_code": "detail_missing",
                "detail": "detail: listed on sale but the detail API did not return it",
            }
        ],
    )
    warehouse.replace_quarantine(
        migration=key,
        stages=["draft"],
        rows=[
            {
                "source_item_id": FORBIDDEN,
                "stage": "draft",
                "reason_code": "forbidden_words",
                "detail": "title: contains advertising-law absolute terms 最好",
            }
        ],
    )
    warehouse.replace_partition(
        "media",
        migration=key,
        rows=[
            {
                "migration": key,
                "source_item_id": PUBLISHED,
                "source_url": SOURCE_IMAGE,
                "sha256": "ab" * 32,
                "kwai_url": KWAI_IMAGE,
                "status": "hosted",
                "detail": None,
                "role": "main",
                "ratio_34": True,
                "white_border_left": False,
                "trimmed": True,
            }
        ],
    )
    ledger = DuckDBLedger(warehouse)
    ledger.ledger_ensure_pending(
        migration=key, items=[(d.rel_item_id, d.source_item_id) for d in drafts]
    )
    ledger.ledger_transition(
        rel_item_id=drafts[0].rel_item_id, state="published", kwai_item_id=KWAI_ITEM_ID
    )
    save_reviews(
        warehouse,
        [
            {
                "migration": key,
                "rel_item_id": drafts[0].rel_item_id,
                "source_item_id": PUBLISHED,
                "kwai_item_id": KWAI_ITEM_ID,
                "audit_status": 3,
                "audit_reason": REVIEW_REASON,
                "reason_code": "image_quality",
                "fix": "Replace the main images on the source, then re-run.",
                "first_checked_at": now,
                "checked_at": now,
                "decided_at": now,
                "checks": 2,
                "last_error": None,
                "on_shelf": False,
                "offline_reason": "审核未通过",
                "shelf_changed_at": now,
            }
        ],
    )
    for i, rate in enumerate((0.5, 1.0)):
        warehouse.record_fill_rates(
            {
                "migration": key,
                "run_id": f"run-{i}",
                "computed_at": now - timedelta(days=1 - i),
                "items": 2,
                "rate_main_images_3": rate,
                "rate_ratio_34": rate,
                "rate_video": 0.0,
                "rate_short_title": 0.5,
                "white_border_images_left": 0,
            }
        )
    return warehouse, migration
