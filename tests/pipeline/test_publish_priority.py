"""The publish stage's order comes from the migration's priority and the source's figures."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.kuaishou import build_item_new_param
from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration, PublishRules
from listings.model import Listing
from listings.priority import PublishPriority
from pipeline.publish import by_priority
from pipeline.publish_run import PublishJob
from store.warehouse import Warehouse
from tests.samples import tshirt

DECISION = CategoryDecision(category_id=1001, path="a>b", confidence=1.0, layer="override")


def _listing(item_id: str, sales: int | None, listed: datetime | None) -> Listing:
    return tshirt(
        source_item_id=item_id,
        sales=sales,
        listed_at=listed,
        origin_url=f"https://item.taobao.com/item.htm?id={item_id}",
    )


def _job(listing: Listing, migration: Migration) -> PublishJob:
    draft = build_draft(listing, decision=DECISION, migration=migration)
    assert isinstance(draft, KuaishouDraft)
    param = build_item_new_param(draft, kwai_images={u: u for u in draft.image_urls})
    return PublishJob(draft=draft, param=param, report=lambda _: pytest.fail("not reported"))


@pytest.fixture
def shop(tmp_path: Path, migration: Migration) -> tuple[Warehouse, list[PublishJob]]:
    listings = [
        _listing("1", 10, datetime(2025, 1, 1, tzinfo=UTC)),
        _listing("2", 700, datetime(2024, 1, 1, tzinfo=UTC)),
        _listing("3", None, datetime(2025, 6, 1, tzinfo=UTC)),
    ]
    store = Warehouse(tmp_path / "w.duckdb")
    store.replace_partition(
        "listings",
        migration=migration.key,
        rows=[
            {
                "migration": migration.key,
                "source_item_id": item.source_item_id,
                "listing": item.model_dump_json(),
            }
            for item in listings
        ],
    )
    return store, [_job(item, migration) for item in listings]


def _order(store: Warehouse, migration: Migration, jobs: list[PublishJob]) -> list[str]:
    return [job.draft.source_item_id for job in by_priority(store, migration, jobs)]


def test_best_sellers_are_published_first(
    shop: tuple[Warehouse, list[PublishJob]], migration: Migration
) -> None:
    store, jobs = shop
    best = migration.model_copy(
        update={"publish": PublishRules(priority=PublishPriority.BEST_SELLERS)}
    )
    assert _order(store, best, jobs) == ["2", "1", "3"]


def test_newest_items_are_published_first(
    shop: tuple[Warehouse, list[PublishJob]], migration: Migration
) -> None:
    store, jobs = shop
    newest = migration.model_copy(update={"publish": PublishRules(priority=PublishPriority.NEWEST)})
    assert _order(store, newest, jobs) == ["3", "1", "2"]


def test_source_order_is_the_default(
    shop: tuple[Warehouse, list[PublishJob]], migration: Migration
) -> None:
    store, jobs = shop
    assert _order(store, migration, jobs) == ["1", "2", "3"]
