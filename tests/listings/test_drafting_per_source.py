"""Drafts built from what each source's parser really produces (the reference fixtures of
reference/source-platforms.md), not from hand-made canonical listings: PDD and 1688 listings reach
Kuaishou with a full SKU matrix, integer-fen prices under the migration's rule and a short title."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connectors.alibaba1688.parse import parse_product
from connectors.pinduoduo.parse import parse_goods
from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration, parse_migrations
from listings.model import Listing

TESTS = Path(__file__).parents[1]
DECISION = CategoryDecision(category_id=90011, path="家居>收纳", confidence=0.9, layer="text")


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
