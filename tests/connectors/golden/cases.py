"""The cases of the parser golden test: sandbox catalogs and seeded mutations of them.

`test_parse_golden` feeds every case to today's parser and compares the outcome (the `Listing`'s
JSON, or the `ParseProblem`'s item, field and reason) with `parse_outcomes.json.gz`, which the
parsers wrote *before* the speed work of issue 19. So a faster parser is held to the exact output
of the slow one, on good items and on bad ones alike.

The payloads are not stored: the sandbox generators are seeded, so they are rebuilt, and each
case's stored SHA-256 of its payload says when a generator has changed (then the fixture must be
rewritten with a parser whose output is trusted: `python -m tests.connectors.golden.cases`).
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.alibaba1688.parse import parse_product
from connectors.content import ParseProblem
from connectors.pinduoduo.parse import parse_goods
from connectors.taobao.parse import parse_item
from listings.model import Listing
from sandbox import alibaba_catalog, pdd_catalog, taobao_catalog

OUTCOMES = Path(__file__).with_name("parse_outcomes.json.gz")
BASE = "http://sandbox"
MUTATIONS_PER_ITEM = 3

Parse = Callable[[dict[str, Any]], Listing]

# Values a mutation puts in place of a payload node: wrong types, blanks, TOP separators, prices
# with too many decimals or none at all.
_JUNK: tuple[Any, ...] = (
    None,
    "",
    " ",
    0,
    -1,
    1.5,
    True,
    [],
    {},
    "abc",
    "0",
    "0.00",
    "12.345",
    "99999999999",
    "1:2",
    "a:b;c",
    ";",
    "#cln#",
    "1:2:x:y",
    "-5:-7:自定义:值",
)


@dataclass(frozen=True)
class Case:
    name: str
    payload: dict[str, Any]
    parse: Parse


def _catalogs() -> Iterator[tuple[str, list[dict[str, Any]], Parse]]:
    yield (
        "taobao",
        taobao_catalog.generate_catalog(shop_id="golden-shop", size=150, base_url=BASE),
        lambda item: parse_item(item, shop_id="golden-shop"),
    )
    yield (
        "tmall",
        taobao_catalog.generate_catalog(shop_id="golden-tmall", size=100, base_url=BASE),
        lambda item: parse_item(item, shop_id="golden-tmall", tmall=True),
    )
    yield (
        "pinduoduo",
        [g.detail for g in pdd_catalog.generate_catalog(shop_id="golden", size=150, base_url=BASE)],
        lambda detail: parse_goods(detail, shop_id="golden"),
    )
    yield (
        "1688-move",
        alibaba_catalog.generate_catalog(shop_id="golden-factory", size=150, image_base=BASE),
        lambda offer: parse_product(offer, shop_id="golden-factory", mode="move", image_base=BASE),
    )
    yield (
        "1688-distribute",
        alibaba_catalog.generate_catalog(shop_id="golden-supplier", size=100, image_base=BASE),
        lambda offer: parse_product(
            offer,
            shop_id="golden-supplier",
            mode="distribute",
            supplier_name="义乌市金鼎日用品厂",
            image_base=BASE,
        ),
    )


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in children:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


def _mutated(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The payload with one node replaced: junk, or for a string a cut or a doubled separator."""
    copied = copy.deepcopy(payload)
    path = rng.choice(list(_paths(copied)))
    parent = copied
    for key in path[:-1]:
        parent = parent[key]
    old = parent[path[-1]]
    if isinstance(old, str) and old and rng.random() < 0.5:
        new = rng.choice(
            [
                old[: rng.randrange(len(old))],
                old + ";9:9",
                old.replace(":", "", 1),
                old.replace(";", ";;"),
                f" {old} ",
            ]
        )
    else:
        new = rng.choice(_JUNK)
    parent[path[-1]] = new
    return copied


def _aliased(payload: dict[str, Any]) -> dict[str, Any] | None:
    """A TOP item whose `property_alias` renames its SKU values (the sandbox's SKU names already
    carry its aliases, so without this no alias would change a SKU), with one blank alias."""
    skus = (payload.get("skus") or {}).get("sku") or []
    ids = [chunk for sku in skus for chunk in (sku.get("properties") or "").split(";") if chunk]
    if not ids:
        return None
    aliased = copy.deepcopy(payload)
    renamed = [f"{chunk}:别名{position}" for position, chunk in enumerate(dict.fromkeys(ids))]
    aliased["property_alias"] = ";".join([*renamed[1:], f"{ids[0]}: "])
    return aliased


def cases() -> Iterator[Case]:
    """Every catalog item as the warehouse hands it over (a JSON round trip), then its mutations
    (and for TOP items, a copy whose property_alias renames its SKU values)."""
    for source, items, parse in _catalogs():
        rng = random.Random(f"golden:{source}")
        for index, item in enumerate(items):
            payload = json.loads(json.dumps(item, ensure_ascii=False))
            yield Case(f"{source}[{index}]", payload, parse)
            for mutation in range(MUTATIONS_PER_ITEM):
                yield Case(f"{source}[{index}]~{mutation}", _mutated(payload, rng), parse)
            aliased = _aliased(payload) if source in ("taobao", "tmall") else None
            if aliased is not None:
                yield Case(f"{source}[{index}]~alias", aliased, parse)


def digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def outcome(case: Case) -> dict[str, Any]:
    """What the parser made of the case: the listing's JSON (without `raw`, the payload itself) or
    the problem a merchant is shown."""
    try:
        listing = case.parse(copy.deepcopy(case.payload))
    except ParseProblem as problem:
        return {"problem": [problem.item_id, problem.field, problem.reason]}
    return {"listing": listing.model_dump(mode="json", exclude={"raw"})}


def load_outcomes() -> dict[str, dict[str, Any]]:
    with gzip.open(OUTCOMES, "rt", encoding="utf-8") as stored:
        return dict(json.load(stored))


def write_outcomes() -> None:
    """Rewrite the fixture from today's parsers: only with a parser whose output is trusted."""
    rows = {case.name: {"sha256": digest(case.payload), **outcome(case)} for case in cases()}
    text = json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    OUTCOMES.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))


if __name__ == "__main__":
    import logging

    logging.disable(logging.CRITICAL)  # parser failures are outcomes here, not news
    write_outcomes()
