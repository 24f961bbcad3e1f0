"""The drafts stage's golden case: what it read and what it wrote before issue 19's fast path.

The inputs are the three demo shops' sandbox catalogs (Taobao, Pinduoduo, 1688: missing SKU
combinations, 4 spec dimensions, tiered prices, deleted SKUs, non-products) as the normalize and
categories stages wrote them, plus merchant edits and ledger ids made here; the outputs are the
`kuaishou_drafts` and `quarantine` rows and the figures of `draft_listings` on those inputs.
The test (`test_drafts_golden.py`) loads the inputs into a fresh warehouse, runs the stage of
today, and compares. Regenerate only when a draft is meant to change:

    .venv/bin/python -m tests.pipeline.drafts_golden
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

from listings.ids import legacy_rel_item_id
from listings.migrations import Migration
from pipeline.clients import Platforms
from pipeline.drafts import draft_listings
from pipeline.migrations_file import load_migrations
from pipeline.settings import PROJECT_ROOT
from store import DuckDBLedger, Warehouse
from store.plan_edits import save_edits

GOLDEN = PROJECT_ROOT / "tests" / "fixtures" / "drafts_golden.json.gz"
SHOPS = ("taobao-demo", "pdd-demo", "alibaba1688-demo")
ITEMS_PER_SHOP = 60
INPUT_TABLES = ("listings", "category_decisions")


STRICT = "taobao-strict"
LIPSTICK = (90022, "美妆>口红")  # a sandbox leaf whose config requires 品牌


def migrations() -> list[Migration]:
    """The demo shops, and a stricter copy of the Taobao one: markup with a 划线价 and rounding,
    forbidden words flagged, the calibrated confidence threshold, instock items moved too."""
    every = load_migrations(PROJECT_ROOT / "data" / "migrations.yaml")
    shops = [every.get(key).model_copy(update={"max_items": ITEMS_PER_SHOP}) for key in SHOPS]
    taobao = shops[0]
    strict = taobao.model_copy(
        update={
            "key": STRICT,
            "pricing": taobao.pricing.model_copy(
                update={
                    "markup_percent": 15,
                    "rounding": "jiao9",
                    "min_margin_fen": 100,
                    "market_price_percent": 130,
                }
            ),
            "titles": taobao.titles.model_copy(
                update={"forbidden_words": "flag", "extra_forbidden_words": ("爆款", "新款")}
            ),
            "category": taobao.category.model_copy(update={"min_confidence": 0.75}),
            "source": taobao.source.model_copy(update={"include_inventory": True}),
        }
    )
    return [*shops, strict]


def _strict_inputs(inputs: dict[str, Any]) -> None:
    """The Taobao shop's rows again under the strict migration, with decisions of every layer:
    a non-product, an unmatched item, and items sent to a leaf that requires a brand."""
    for table in INPUT_TABLES:
        inputs[table] += [
            {**row, "migration": STRICT} for row in inputs[table] if row["migration"] == SHOPS[0]
        ]
    strict = [r for r in inputs["category_decisions"] if r["migration"] == STRICT]
    for n, row in enumerate(strict):
        if n % 11 == 3:
            row.update(category_id=None, category_path=None, layer="not_a_product", confidence=1.0)
        elif n % 13 == 5:
            row.update(category_id=None, category_path=None, layer="none", confidence=0.0)
        elif n % 5 == 2:
            row.update(category_id=LIPSTICK[0], category_path=LIPSTICK[1], layer="override")
            row.update(confidence=1.0)


def _rows(warehouse: Warehouse, sql: str, key: str) -> list[dict[str, Any]]:
    return warehouse.query(sql, [key])


def load_inputs(warehouse: Warehouse, inputs: dict[str, Any]) -> None:
    """The golden inputs written into a warehouse as the earlier stages and the merchant would."""
    for table in INPUT_TABLES:
        warehouse.append_rows(table, inputs[table])
    ledger = DuckDBLedger(warehouse)
    for key, items in inputs["ledger"].items():
        ledger.ledger_ensure_pending(migration=key, items=[(int(r), s) for r, s in items])
    for key, changes in inputs["edits"].items():
        save_edits(warehouse, key, changes)


def outputs(warehouse: Warehouse, migration: Migration, platforms: Platforms) -> dict[str, Any]:
    """What the drafts stage writes and answers for one migration."""
    result = draft_listings(
        migration, warehouse=warehouse, platforms=platforms, ledger=DuckDBLedger(warehouse)
    )
    return {
        "figures": dict(result.figures),
        "drafts": _rows(
            warehouse,
            "SELECT source_item_id, rel_item_id, category_id, sku_count, synthetic_sku_count, "
            "draft FROM kuaishou_drafts WHERE migration = ? ORDER BY source_item_id",
            migration.key,
        ),
        "quarantine": _rows(
            warehouse,
            "SELECT source_item_id, stage, reason_code, detail FROM quarantine "
            "WHERE migration = ? AND stage IN ('category', 'draft') ORDER BY source_item_id",
            migration.key,
        ),
    }


def _inputs(warehouse: Warehouse, shops: list[Migration]) -> dict[str, Any]:
    inputs: dict[str, Any] = {table: [] for table in INPUT_TABLES}
    inputs["ledger"], inputs["edits"] = {}, {}
    for shop in shops:
        if shop.key == STRICT:
            _strict_inputs(inputs)
        for table in INPUT_TABLES:
            inputs[table] += _rows(
                warehouse,
                f"SELECT * FROM {table} WHERE migration = ? ORDER BY source_item_id",
                shop.key,
            )  # none for the strict shop: its rows are the Taobao shop's
        items = [r["source_item_id"] for r in inputs["listings"] if r["migration"] == shop.key]
        # Every 7th item was published before the target shop was part of the id (decision 51).
        inputs["ledger"][shop.key] = [
            (
                legacy_rel_item_id(
                    platform=str(shop.source.platform),
                    shop_id=shop.source.shop_id,
                    source_item_id=i,
                ),
                i,
            )
            for i in items[::7]
        ]
        # The merchant edited a title, a short title or a price of a few items.
        inputs["edits"][shop.key] = {
            items[1]: {"title": "萌宠专用 猫咪逗猫棒 羽毛款"},
            items[4]: {"short_title": "夏季新款短袖上衣", "price_fen": 1990},
            items[9]: {"price_fen": 250_00},
        }
    return inputs


def generate() -> dict[str, Any]:
    """Run extract → normalize → categories on the sandbox, then drafts, and keep both ends."""
    from pipeline.categories import decide_categories
    from pipeline.extract import extract
    from pipeline.normalize import normalize
    from tests.pipeline.test_stages import in_process_platforms

    platforms = in_process_platforms()
    shops = migrations()
    with tempfile.TemporaryDirectory() as tmp:
        source = Warehouse(Path(tmp) / "source.duckdb")
        for shop in shops[: len(SHOPS)]:
            extract(shop, warehouse=source, platforms=platforms)
            normalize(shop, warehouse=source, platforms=platforms)
            decide_categories(shop, warehouse=source, platforms=platforms)
        inputs = _inputs(source, shops)
        fresh = Warehouse(Path(tmp) / "fresh.duckdb")
        load_inputs(fresh, inputs)
        expected = {shop.key: outputs(fresh, shop, platforms) for shop in shops}
    return {"inputs": inputs, "expected": expected}


def read_golden() -> dict[str, Any]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


if __name__ == "__main__":
    golden = generate()
    with gzip.open(GOLDEN, "wt", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=False, indent=0, default=str)
    counts = {k: (len(v["drafts"]), len(v["quarantine"])) for k, v in golden["expected"].items()}
    print(f"wrote {GOLDEN}: drafts, quarantined by shop {counts}")
