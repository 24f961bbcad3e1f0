"""Drafts built from what each source's parser really produces (the reference fixtures of
reference/source-platforms.md), not from hand-made canonical listings: PDD and 1688 listings reach
Kuaishou with a full SKU matrix, integer-fen prices under the migration's rule and a short title, and
every source's item reaches it with at least 3 main images or is quarantined saying how many it has."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.alibaba1688.parse import parse_product
from connectors.pinduoduo.parse import parse_goods
from connectors.taobao.parse import parse_item
from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration, parse_migrations
from listings.model import Listing, ListingStatus
from listings.quarantine import Problem, Stage

TESTS = Path(__file__).parents[1]
DECISION = CategoryDecision(category_id=90011, path="家居>收纳", confidence=0.99, layer="text")


def _fixture(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TESTS / path).read_text(encoding="utf-8"))
    return data


def _migration(platform: str, mode: str = "move") -> Migration:
    text = f"""
migrations:
  - key: m
    mode: {mode}
    source: {{platform: {platform}, shop_id: s, shop_name: 义乌市优品日用百货有限公司, app_key: "1",
             app_secret_env: A, session_env: B}}
    target: {{app_key: ks, sign_secret_env: KS_SIGN, access_token_env: KS_TOKEN}}
    pricing: {{markup_percent: 10, rounding: jiao9}}
"""
    return parse_migrations(text).migrations[0]


def _draft(listing: Listing, migration: Migration) -> KuaishouDraft:
    draft = build_draft(listing, decision=DECISION, migration=migration)
    assert isinstance(draft, KuaishouDraft), draft
    return draft


def test_pdd_reference_goods_become_a_full_matrix_with_rounded_fen_prices() -> None:
    goods = _fixture("connectors/pinduoduo/fixtures/goods_detail_get_reference_example.json")
    goods = goods["goods_detail_get_response"]
    migration = _migration("pinduoduo")
    listing = parse_goods(goods, shop_id="s", price="single")
    draft = _draft(listing, migration)
    source_price = {sku.source_sku_id: sku.price_fen for sku in listing.skus}
    real = [sku for sku in draft.skus if not sku.synthetic]
    assert {sku.source_sku_id for sku in real} == set(source_price)
    for sku in real:
        marked_up = source_price[sku.source_sku_id] * 1.1
        assert isinstance(sku.price_fen, int)
        assert sku.price_fen % 100 == 90  # rounded up to ¥x.90 ...
        assert marked_up <= sku.price_fen < marked_up + 100  # ... and no further
    assert draft.short_title is not None and 4 < len(draft.short_title) < 20


def test_1688_reference_offer_distributed_takes_a_price_and_keeps_every_sku() -> None:
    offer = _fixture("connectors/alibaba1688/fixtures/product_get_reference_example.json")
    migration = _migration("alibaba1688", mode="distribute")
    listing = parse_product(
        offer["productInfo"],
        shop_id="s",
        mode="distribute",
        supplier_name="义乌市优品日用百货有限公司",
    )
    draft = _draft(listing, migration)
    assert {s.source_sku_id for s in draft.skus if not s.synthetic} == {
        s.source_sku_id for s in listing.skus
    }
    assert all(s.price_fen > 0 and s.price_fen % 100 == 90 for s in draft.skus)


# --- at least 3 main images (decision 29) ---------------------------------------------------------


def _taobao(name: str) -> Listing:
    item = _fixture(f"connectors/taobao/fixtures/{name}")["item_seller_get_response"]["item"]
    return parse_item(item, shop_id="s")


def _pdd(name: str) -> Listing:
    goods = _fixture(f"connectors/pinduoduo/fixtures/{name}")
    return parse_goods(goods.get("goods_detail_get_response", goods), shop_id="s", price="single")


def _sku_image_urls(listing: Listing) -> list[str]:
    return list(dict.fromkeys(s.image_url for k in listing.skus for s in k.specs if s.image_url))


def test_a_taobao_item_with_one_main_image_borrows_its_colour_image_then_a_detail_image() -> None:
    listing = _taobao("item_seller_get_reference_example.json")
    assert len(listing.main_images) == 1
    draft = _draft(listing, _migration("taobao"))
    assert draft.main_images == (
        listing.main_images[0],
        *_sku_image_urls(listing),
        listing.detail_images[0],
    )
    assert draft.borrowed_main_images == 2


def test_a_pdd_item_with_one_carousel_image_borrows_its_sku_thumb_then_a_detail_image() -> None:
    listing = _pdd("goods_detail_get_reference_example.json")
    draft = _draft(listing, _migration("pinduoduo"))
    assert draft.main_images == (
        listing.main_images[0],
        *_sku_image_urls(listing),
        listing.detail_images[0],
    )
    assert len(set(draft.main_images)) == 3


def test_a_1688_offer_with_one_main_image_borrows_its_sku_image_and_a_detail_image() -> None:
    offer = _fixture("connectors/alibaba1688/fixtures/product_get_reference_example.json")
    listing = parse_product(
        offer["productInfo"],
        shop_id="s",
        mode="distribute",
        supplier_name="义乌市优品日用百货有限公司",
    )
    draft = _draft(listing, _migration("alibaba1688", mode="distribute"))
    assert draft.main_images[0] == listing.main_images[0]
    assert set(draft.main_images[1:]) == {*_sku_image_urls(listing), listing.detail_images[0]}
    assert draft.borrowed_main_images == 2


def test_an_item_with_three_main_images_borrows_nothing() -> None:
    on_sale = {"status": ListingStatus.ONSALE}  # the quirks fixture is off the shelf
    listing = _pdd("goods_detail_get_quirks.json").model_copy(update=on_sale)
    assert len(listing.main_images) == 3 and _sku_image_urls(listing)
    draft = _draft(listing, _migration("pinduoduo"))
    assert draft.main_images == listing.main_images
    assert draft.borrowed_main_images == 0


@pytest.mark.parametrize(
    ("listing_of", "platform"),
    [
        (lambda: _taobao("item_seller_get_single_sku.json"), "taobao"),
        (lambda: _pdd("goods_detail_get_single_sku.json"), "pinduoduo"),
    ],
    ids=["taobao", "pinduoduo"],
)
def test_an_item_with_one_picture_in_all_is_quarantined_at_drafting_naming_the_count(
    listing_of: Callable[[], Listing], platform: str
) -> None:
    problem = build_draft(listing_of(), decision=DECISION, migration=_migration(platform))
    assert isinstance(problem, Problem)
    assert (problem.stage, problem.reason_code) == (Stage.DRAFT, "too_few_main_images")
    assert "has 1 distinct picture" in problem.detail
    assert "add 2 more main image(s) on the source" in problem.detail
