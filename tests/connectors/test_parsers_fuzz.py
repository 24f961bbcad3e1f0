"""No payload crashes a source parser: every input is a `Listing` or a `ParseProblem`.

Property-based: the documented sample payloads (tests/banjia/fixtures/sources) with random
subtrees replaced by random JSON (wrong types, huge numbers, lone surrogates, deep nesting cut to
what `connectors.safe_json` lets through), fed to each platform's parser. A listing that comes out
must also serialize, as `banjia sources parse` prints it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.alibaba1688.parse import parse_product
from connectors.content import ParseProblem
from connectors.pinduoduo.parse import parse_goods
from connectors.safe_json import scrub_surrogates
from connectors.taobao.parse import parse_item
from listings.model import Listing

FIXTURES = Path(__file__).resolve().parents[1] / "banjia" / "fixtures" / "sources"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["\ud800", "0", "-1", "1e309", "９９", "", " ", "https://", "//x", "a:b;c"])
)
json_values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=12,
)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of `value` (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in children:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    copy = list(value)
    copy[head] = replaced(copy[head], rest, new)
    return copy


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """`base` with one to three nodes replaced by random JSON (what a fuzzer sends)."""
    value = base
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        targets = paths(value)
        if not targets:
            break
        value = replaced(value, draw(st.sampled_from(targets)), draw(json_values))
    return value


Parser = Callable[[dict[str, Any]], Listing]
PARSERS: list[tuple[str, str, Parser]] = [
    (
        "taobao",
        "taobao_item_seller_get.json",
        partial(parse_item, shop_id="s", tmall=False),
    ),
    ("pinduoduo", "pdd_goods_detail_get.json", partial(parse_goods, shop_id="s")),
    (
        "alibaba1688",
        "alibaba1688_product_get.json",
        partial(parse_product, shop_id="s", mode="move", supplier_name=None),
    ),
]


def payload_of(name: str) -> dict[str, Any]:
    body = load(name)
    for key in ("item_seller_get_response", "goods_detail_get_response", "productInfo"):
        if key in body:
            inner = body[key]
            return dict(inner["item"] if key == "item_seller_get_response" else inner)
    result: dict[str, Any] = body["result"]["productInfo"]
    return result


def parses_or_quarantines(parser: Parser, payload: Any) -> None:
    # The parsers receive what safe_json let through: surrogates scrubbed at the door.
    try:
        listing = parser(scrub_surrogates(payload))
    except ParseProblem as problem:
        assert problem.field and problem.reason
        assert problem.field != "(item)", problem.reason  # a parser bug, caught by the net
        return
    listing.model_dump_json()


@pytest.mark.parametrize(("platform", "fixture", "parser"), PARSERS, ids=[p[0] for p in PARSERS])
def test_a_mutated_payload_parses_or_is_quarantined(
    platform: str, fixture: str, parser: Parser
) -> None:
    @FUZZ
    @given(payload=mutated(payload_of(fixture)))
    def check(payload: Any) -> None:
        parses_or_quarantines(parser, payload)

    check()


@pytest.mark.parametrize(("platform", "fixture", "parser"), PARSERS, ids=[p[0] for p in PARSERS])
def test_any_json_object_parses_or_is_quarantined(
    platform: str, fixture: str, parser: Parser
) -> None:
    @FUZZ
    @given(payload=st.dictionaries(st.text(max_size=12), json_values, max_size=6))
    def check(payload: dict[str, Any]) -> None:
        parses_or_quarantines(parser, payload)

    check()
