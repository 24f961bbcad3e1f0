"""A source price of 0 or beyond any real price is quarantined at parse time, naming the field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from connectors.alibaba1688.parse import parse_product
from connectors.content import MAX_PRICE_FEN, ParseProblem
from connectors.pinduoduo.parse import parse_goods
from connectors.taobao.parse import parse_item

FIXTURES = Path(__file__).resolve().parents[1] / "banjia" / "fixtures" / "sources"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def pdd_goods(price: int) -> dict[str, Any]:
    goods: dict[str, Any] = copy.deepcopy(fixture("pdd_goods_detail_get.json"))[
        "goods_detail_get_response"
    ]
    goods["sku_list"][0]["price"] = price
    return goods


@pytest.mark.parametrize("price", [0, 2**63, MAX_PRICE_FEN + 1])
def test_a_pdd_price_out_of_range_is_quarantined(price: int) -> None:
    with pytest.raises(ParseProblem) as caught:
        parse_goods(pdd_goods(price), shop_id="s")
    assert caught.value.field == "sku_list[0].price"
    assert "Pinduoduo" in caught.value.reason


def test_a_pdd_price_at_the_cap_is_kept() -> None:
    listing = parse_goods(pdd_goods(MAX_PRICE_FEN), shop_id="s")
    assert max(sku.price_fen for sku in listing.skus) == MAX_PRICE_FEN


def test_a_taobao_price_of_zero_is_quarantined() -> None:
    item = copy.deepcopy(fixture("taobao_item_seller_get.json"))["item_seller_get_response"]["item"]
    item["skus"]["sku"][0]["price"] = "0.00"
    with pytest.raises(ParseProblem) as caught:
        parse_item(item, shop_id="s", tmall=False)
    assert caught.value.field.endswith(".price")
    assert "at least 1 fen" in caught.value.reason


def test_a_1688_tier_price_of_zero_is_quarantined() -> None:
    product = copy.deepcopy(fixture("alibaba1688_product_get.json"))["productInfo"]
    for tier in product["saleInfo"]["priceRanges"]:
        tier["price"] = 0
    for sku in product["skuInfos"]:
        sku.pop("consignPrice", None)
    with pytest.raises(ParseProblem) as caught:
        parse_product(product, shop_id="s", mode="move", supplier_name=None)
    assert "1688" in caught.value.reason
