"""Parsing per source: items/s of each connector's parser on one core, over sandbox catalogs.

Each source's catalog (the emulator's own generator: realistic SKU matrices, TOP property strings,
HTML descriptions, tiered 1688 prices) is built outside the clock; the clock covers only the
parser the `listings` stage calls per payload. A payload round-trips through JSON first, as it does
through the warehouse, so the parser never sees objects the generator shares between items.
Printed: items/s per source (issue 19's target: 3,000 per core). Asserted: behaviour only (every
payload parsed, or refused as a ParseProblem, never a crash), never a time.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from connectors.alibaba1688.parse import parse_product
from connectors.content import ParseProblem
from connectors.pinduoduo.parse import parse_goods
from connectors.taobao.parse import parse_item
from listings.model import Listing
from sandbox import alibaba_catalog, pdd_catalog, taobao_catalog

N = int(os.environ.get("BANJIA_PARSE_BENCH_N", "3000"))
BASE = "http://sandbox"


def _taobao(n: int) -> tuple[list[dict[str, Any]], Callable[[dict[str, Any]], Listing]]:
    items = taobao_catalog.generate_catalog(shop_id="bench-shop", size=n, base_url=BASE)
    return items, lambda item: parse_item(item, shop_id="bench-shop")


def _pinduoduo(n: int) -> tuple[list[dict[str, Any]], Callable[[dict[str, Any]], Listing]]:
    goods = pdd_catalog.generate_catalog(shop_id="bench-shop", size=n, base_url=BASE)
    return [g.detail for g in goods], lambda detail: parse_goods(detail, shop_id="bench-shop")


def _alibaba(n: int) -> tuple[list[dict[str, Any]], Callable[[dict[str, Any]], Listing]]:
    offers = alibaba_catalog.generate_catalog(shop_id="bench-supplier", size=n, image_base=BASE)
    return offers, lambda offer: parse_product(offer, shop_id="bench-supplier", mode="move")


@pytest.mark.parametrize("source", [_taobao, _pinduoduo, _alibaba], ids=lambda s: s.__name__[1:])
def test_parse_throughput(
    source: Callable[[int], tuple[list[dict[str, Any]], Callable[[dict[str, Any]], Listing]]],
) -> None:
    generated, parse = source(N)
    payloads = [json.loads(json.dumps(item, ensure_ascii=False)) for item in generated]
    parsed = refused = 0
    started = time.process_time()
    for payload in payloads:
        try:
            parse(payload)
        except ParseProblem:
            refused += 1
        else:
            parsed += 1
    seconds = time.process_time() - started
    assert parsed + refused == N
    assert parsed > 0
    print(
        f"\nparse {source.__name__[1:]}: {N:,} items, {parsed:,} parsed, {refused:,} refused; "
        f"{N / seconds:,.0f} items/s per core (CPU time; target 3,000)"
    )
