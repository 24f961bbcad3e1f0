"""A parser bug quarantines the one item it hit, named, instead of aborting the batch."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import connectors.alibaba1688.parse as aop
import connectors.pinduoduo.parse as pdd
import connectors.taobao.parse as top
from connectors.content import ParseProblem

FIXTURES = Path(__file__).resolve().parents[1] / "banjia" / "fixtures" / "sources"


def fixture(name: str) -> Any:
    return copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def explode(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a bug")


CASES: list[tuple[str, Any, str, Callable[[], Any], str]] = [
    (
        "taobao",
        top._ItemParser,
        "skus",
        lambda: top.parse_item(
            fixture("taobao_item_seller_get.json")["item_seller_get_response"]["item"], shop_id="s"
        ),
        "Taobao",
    ),
    (
        "pinduoduo",
        pdd._GoodsParser,
        "main_images",
        lambda: pdd.parse_goods(fixture("pdd_goods_detail_get.json"), shop_id="s"),
        "Pinduoduo",
    ),
    (
        "alibaba1688",
        aop._ProductParser,
        "skus",
        lambda: aop.parse_product(
            fixture("alibaba1688_product_get.json")["productInfo"], shop_id="s", mode="move"
        ),
        "1688",
    ),
]


@pytest.mark.parametrize(
    ("name", "owner", "attribute", "parse", "platform"), CASES, ids=[c[0] for c in CASES]
)
def test_a_parser_bug_is_a_quarantine_of_that_item(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    owner: Any,
    attribute: str,
    parse: Callable[[], Any],
    platform: str,
) -> None:
    monkeypatch.setattr(owner, attribute, explode)
    with pytest.raises(ParseProblem) as caught:
        parse()
    assert caught.value.item_id != "?"
    assert caught.value.field == "(item)"
    assert f"banjia's {platform} parser failed on this item (RuntimeError)" in caught.value.reason
    assert "report it" in caught.value.reason


def test_a_wrong_price_kind_is_still_a_programming_error() -> None:
    with pytest.raises(ValueError, match="price must be one of"):
        pdd.parse_goods({}, shop_id="s", price="cheapest")  # type: ignore[arg-type]
