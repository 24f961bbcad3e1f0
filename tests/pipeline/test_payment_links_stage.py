"""A shop's payment links through the categories and drafts stages (issue 14): each is decided
`not_a_product`, never sent to category review, quarantined with the merchant's sentence; the
shop's products beside them are decided as before, and every listing is accounted for.

Titles: real seller titles of the category dev set (products) and payment links found in other
projects' order records (tests/fixtures/non_product_titles.csv; provenance beside both)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from listings.category_eval import parse_labelled_csv
from listings.migrations import Migration
from listings.model import Listing, SourceCategory, SourcePlatform
from pipeline.categories import decide_categories
from pipeline.clients import Platforms
from pipeline.drafts import draft_listings
from pipeline.migrations_file import load_migrations
from pipeline.normalize import listing_row
from pipeline.settings import PROJECT_ROOT
from sandbox.inprocess import reset_in_process_sandbox
from store import DuckDBLedger, Warehouse
from tests.pipeline.test_stages import in_process_platforms

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
PRODUCTS = 6
"""Leaf-labelled real titles of the dev set, taken every 50th."""


def _links() -> list[str]:
    with (FIXTURES / "non_product_titles.csv").open(encoding="utf-8", newline="") as f:
        return [row["title"] for row in csv.DictReader(f) if row["payment_link"] == "yes"][:5]


def _products() -> list[str]:
    rows = parse_labelled_csv((FIXTURES / "category_dev_real.csv").read_text(encoding="utf-8"))
    return [row.title for row in rows if row.kind == "leaf"][::50][:PRODUCTS]


def _listing(i: int, title: str) -> Listing:
    return Listing.model_validate(
        {
            "platform": SourcePlatform.TAOBAO,
            "shop_id": "demo-taobao-shop",
            "source_item_id": f"7{i:011d}",
            "title": title,
            "category": SourceCategory(ids=("50000671",)),
            "skus": [{"source_sku_id": f"{i}-1", "specs": [], "price_fen": 100, "stock": 99}],
            "main_images": [f"https://img.alicdn.com/imgextra/{i}/main{k}.jpg" for k in range(5)],
            "origin_url": f"https://item.taobao.com/item.htm?id=7{i:011d}",
        }
    )


@pytest.fixture(scope="module")
def shop() -> Migration:
    return load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get("taobao-demo")


@pytest.fixture(scope="module")
def platforms() -> Iterator[Platforms]:
    yield in_process_platforms()
    reset_in_process_sandbox()


@pytest.fixture(scope="module")
def links() -> dict[str, str]:
    """source_item_id → title of each payment link of the shop."""
    return {_listing(100 + i, t).source_item_id: t for i, t in enumerate(_links())}


@pytest.fixture(scope="module")
def warehouse(
    tmp_path_factory: pytest.TempPathFactory,
    shop: Migration,
    platforms: Platforms,
    links: dict[str, str],
) -> Warehouse:
    """The shop's listings, its payment links among its products, decided and drafted."""
    warehouse = Warehouse(Path(tmp_path_factory.mktemp("links")) / "w.duckdb")
    listings = [_listing(i, t) for i, t in enumerate(_products())]
    listings += [_listing(100 + i, t) for i, t in enumerate(links.values())]
    warehouse.append_rows("listings", [listing_row(shop.key, item) for item in listings])
    decide_categories(shop, warehouse=warehouse, platforms=platforms)
    draft_listings(shop, warehouse=warehouse, platforms=platforms, ledger=DuckDBLedger(warehouse))
    return warehouse


def _rows(warehouse: Warehouse, table: str, key: str) -> dict[str, dict[str, Any]]:
    return {
        row["source_item_id"]: row
        for row in warehouse.query(f"SELECT * FROM {table} WHERE migration = ?", [key])
    }


def test_every_payment_link_is_decided_not_a_product(
    warehouse: Warehouse, shop: Migration, links: dict[str, str]
) -> None:
    decisions = _rows(warehouse, "category_decisions", shop.key)
    assert {i: (decisions[i]["layer"], decisions[i]["category_id"]) for i in links} == {
        i: ("not_a_product", None) for i in links
    }
    assert all(d["layer"] != "not_a_product" for i, d in decisions.items() if i not in links)


def test_no_payment_link_waits_in_the_category_review_queue(
    warehouse: Warehouse, shop: Migration, links: dict[str, str]
) -> None:
    assert not set(_rows(warehouse, "category_review", shop.key)) & set(links)


def test_payment_links_are_quarantined_with_a_sentence_the_merchant_can_act_on(
    warehouse: Warehouse, shop: Migration, links: dict[str, str]
) -> None:
    quarantined = _rows(warehouse, "quarantine", shop.key)
    for item_id, title in links.items():
        entry = quarantined[item_id]
        assert entry["reason_code"] == "not_a_product"
        assert title in entry["detail"] and "not published" in entry["detail"]
    assert not set(_rows(warehouse, "kuaishou_drafts", shop.key)) & set(links)


def test_every_listing_is_drafted_or_quarantined(warehouse: Warehouse, shop: Migration) -> None:
    listings = set(_rows(warehouse, "listings", shop.key))
    drafted = set(_rows(warehouse, "kuaishou_drafts", shop.key))
    quarantined = set(_rows(warehouse, "quarantine", shop.key))
    assert drafted | quarantined == listings and not drafted & quarantined
