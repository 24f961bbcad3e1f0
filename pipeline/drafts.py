"""Drafts: every listing turned into the `open.item.new` draft Kuaishou will get, or quarantined.

Full SKU matrix, prices, titles, the category's required props and its refund rule; streamed in
batches so memory holds one batch, however large the shop.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from connectors.kuaishou.models import CategoryConfig
from listings.categories import CategoryDecision
from listings.category_props import PropAliases
from listings.migrations import Migration, PublishBackend
from listings.plan_edits import ItemEdits
from listings.quarantine import Stage
from listings.titles import parse_word_list
from pipeline.category_inputs import prop_specs_of
from pipeline.clients import Platforms
from pipeline.draft_batches import (
    DraftRules,
    ListingToDraft,
    draft_row,
    drafted_batches,
)
from pipeline.gc_policy import long_stage_collector
from pipeline.progress import Progress
from pipeline.results import Breakdown, CheckVerdict, StageResult
from pipeline.settings import PROJECT_ROOT
from pipeline.stage_memory import streaming_stage
from store.ledger import Ledger
from store.plan_edits import load_edits
from store.warehouse import Warehouse

__all__ = ["DRAFT_BATCH_SIZE", "decision_of", "draft_listings", "draft_row"]

# Listings drafted per warehouse read/write: memory holds one batch, however large the shop.
DRAFT_BATCH_SIZE = 500
FORBIDDEN_WORDS_FILE = PROJECT_ROOT / "data" / "forbidden_words.txt"
PROP_ALIASES_FILE = PROJECT_ROOT / "data" / "categories" / "prop_aliases.csv"
NO_DECISION = CategoryDecision(category_id=None, path=None, confidence=0.0, layer="none")


def decision_of(row: dict[str, Any]) -> CategoryDecision:
    """A `category_decisions` row as the decision the categories stage made."""
    return CategoryDecision(
        category_id=row["category_id"],
        path=row["category_path"],
        confidence=row["confidence"],
        layer=row["layer"],
        candidates=tuple(json.loads(row["candidates"] or "[]")),
    )


def _decisions(
    warehouse: Warehouse, migration_key: str, ids: list[str]
) -> dict[str, CategoryDecision]:
    """The category decisions of one batch of listings (a whole shop's would not be flat)."""
    if not ids:
        return {}
    return {
        row["source_item_id"]: decision_of(row)
        for row in warehouse.query(
            "SELECT * FROM category_decisions WHERE migration = ? AND source_item_id IN "
            f"({', '.join('?' for _ in ids)})",
            [migration_key, *ids],
        )
    }


def _decided_categories(warehouse: Warehouse, migration_key: str) -> set[int]:
    return {
        int(row["category_id"])
        for row in warehouse.query(
            "SELECT DISTINCT category_id FROM category_decisions "
            "WHERE migration = ? AND category_id IS NOT NULL",
            [migration_key],
        )
    }


async def _category_configs(
    platforms: Platforms, migration: Migration, warehouse: Warehouse, category_ids: set[int]
) -> dict[int, CategoryConfig]:
    """Each decided leaf's open.item.category.config (our own app only): its `refundRuleList`
    and its attributes, the required ones included.

    Through vv-tool there is no config to ask; its drafts are then checked by the platform alone.
    """
    if migration.target.backend is not PublishBackend.KUAISHOU or not category_ids:
        return {}
    async with platforms.kuaishou(migration, warehouse=warehouse) as client:
        configs = await asyncio.gather(*(client.category_config(c) for c in sorted(category_ids)))
    return dict(zip(sorted(category_ids), configs, strict=True))


@long_stage_collector()  # the collector skips the imported heap (decision 84)
@streaming_stage  # DuckDB's streaming cap for the stage (decision 100)
def draft_listings(
    migration: Migration,
    *,
    warehouse: Warehouse,
    platforms: Platforms,
    ledger: Ledger,
    progress: Progress | None = None,
) -> StageResult:
    """Write `kuaishou_drafts` for the migration; quarantine what cannot be drafted, with why.

    An item the ledger already knows keeps its relItemId (created before the target shop was part
    of the id, it must never be created again under another); a new one gets the derived id.
    """
    known_ids = {
        str(row["source_item_id"]): int(rel) for rel, row in ledger.ledger(migration.key).items()
    }
    configs = asyncio.run(
        _category_configs(
            platforms,
            migration,
            warehouse,
            _decided_categories(warehouse, migration.key),
        )
    )
    rules = DraftRules(
        migration=migration,
        forbidden_words=parse_word_list(FORBIDDEN_WORDS_FILE.read_text(encoding="utf-8")),
        refund_rules={
            cid: list(config.category_config.refund_rule_list) for cid, config in configs.items()
        },
        prop_specs={cid: prop_specs_of(config) for cid, config in configs.items()},
        aliases=PropAliases.from_csv_text(PROP_ALIASES_FILE.read_text(encoding="utf-8")),
    )
    edits = load_edits(warehouse, migration.key)  # the merchant's, from `banjia plan import`
    warehouse.delete_partition("kuaishou_drafts", migration=migration.key)
    problems: list[dict[str, str]] = []
    drafted = synthetic = 0
    progress = progress or Progress("drafts", migration.key)
    total = int(
        warehouse.scalar("SELECT count(*) FROM listings WHERE migration = ?", [migration.key])
    )
    progress.start(total)
    preview: list[dict[str, Any]] = []
    batches = _to_draft(warehouse, migration.key, edits, known_ids)
    for batch in drafted_batches(rules, batches):  # in this process (decision 102)
        warehouse.append_rows("kuaishou_drafts", batch.rows)
        problems += batch.problems
        drafted += len(batch.rows)
        synthetic += sum(int(r["synthetic_sku_count"]) for r in batch.rows)
        preview.extend(batch.rows[: max(0, 10 - len(preview))])
        progress.advance(done=len(batch.rows), failed=len(batch.problems))
    progress.finish()
    warehouse.replace_quarantine(
        migration=migration.key, stages=[Stage.CATEGORY, Stage.DRAFT], rows=problems
    )
    check = _drafted_or_quarantined(warehouse, migration.key)
    return StageResult(
        figures={"drafts": drafted, "quarantined": len(problems), "synthetic_skus": synthetic},
        breakdowns={
            "quarantined_by_reason": Breakdown(
                "reason", Counter(p["reason_code"] for p in problems)
            )
        },
        preview=[
            {k: r[k] for k in ("source_item_id", "rel_item_id", "category_id", "sku_count")}
            for r in preview
        ],
        row_count=drafted,
        checks=[check],
    )


def _to_draft(
    warehouse: Warehouse,
    migration_key: str,
    edits: dict[str, ItemEdits],
    known_ids: dict[str, int],
) -> Iterator[list[ListingToDraft]]:
    """The migration's listings in batches (id ranges: decision 81), each listing with its
    category decision (read per batch), edits and known id."""
    for batch in warehouse.partition_batches(
        "listings",
        migration=migration_key,
        columns=("source_item_id", "listing"),
        batch_size=DRAFT_BATCH_SIZE,
    ):
        decisions = _decisions(warehouse, migration_key, [r["source_item_id"] for r in batch])
        yield [
            ListingToDraft(
                source_item_id=(item := str(row["source_item_id"])),
                listing_json=row["listing"],
                decision=decisions.get(item) or NO_DECISION,
                edits=edits.get(item),
                known_rel_item_id=known_ids.get(item),
            )
            for row in batch
        ]


def _drafted_or_quarantined(warehouse: Warehouse, migration_key: str) -> CheckVerdict:
    """Counted from the tables as written, not from the stage's own counters: every listing is
    a draft or a quarantine row of the category or draft stage, and never both."""
    figures = warehouse.query(
        "SELECT (SELECT count(*) FROM listings WHERE migration = ?) AS listings, "
        "(SELECT count(*) FROM kuaishou_drafts WHERE migration = ?) AS drafts, "
        "(SELECT count(DISTINCT source_item_id) FROM quarantine WHERE migration = ? "
        "AND stage IN ('category', 'draft')) AS quarantined, "
        "(SELECT count(*) FROM kuaishou_drafts d JOIN quarantine q USING (migration, "
        "source_item_id) WHERE d.migration = ? AND q.stage IN ('category', 'draft')) AS both_",
        [migration_key] * 4,
    )[0]
    return CheckVerdict(
        name="every_listing_drafted_or_quarantined",
        passed=figures["drafts"] + figures["quarantined"] == figures["listings"]
        and figures["both_"] == 0,
        metadata={
            "listings": figures["listings"],
            "drafts": figures["drafts"],
            "quarantined": figures["quarantined"],
            "in_both": figures["both_"],
        },
    )
