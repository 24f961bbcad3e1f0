"""Transform: canonical listings, Kuaishou category decisions, and Kuaishou drafts (or quarantine)."""

import asyncio
import json
from collections import Counter
from collections.abc import Mapping, Sequence

import dagster as dg

from assets.categories import (
    category_tree,
    load_mapping,
    load_overrides,
    open_leaf_ids,
    prop_specs_of,
    suggested_leaves,
    suggestion_key,
)
from assets.metadata import counts_table, markdown_table
from assets.migrations import PROJECT_ROOT
from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from connectors.kuaishou.models import CategoryConfig
from connectors.sources import parse_payload
from connectors.taobao import ParseProblem
from connectors.warehouse import Warehouse
from listings.categories import (
    CategoryDecision,
    CategoryMatcher,
    DecisionRequest,
    OverridesFileError,
    needs_review,
)
from listings.category_props import PropAliases, with_category_props
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration, PublishBackend
from listings.model import Listing, ListingStatus, SourcePlatform
from listings.non_product import not_a_product_problem
from listings.quarantine import Problem, Stage
from listings.titles import parse_word_list

# Listings drafted per warehouse read/write: memory holds one batch, however large the shop.
DRAFT_BATCH_SIZE = 500
FORBIDDEN_WORDS_FILE = PROJECT_ROOT / "data" / "forbidden_words.txt"
PROP_ALIASES_FILE = PROJECT_ROOT / "data" / "categories" / "prop_aliases.csv"


def _draft_row(migration_key: str, draft: KuaishouDraft) -> dict[str, object]:
    return {
        "migration": migration_key,
        "source_item_id": draft.source_item_id,
        "rel_item_id": draft.rel_item_id,
        "category_id": draft.category_id,
        "sku_count": len(draft.skus),
        "synthetic_sku_count": sum(1 for s in draft.skus if s.synthetic),
        "draft": draft.model_dump_json(),
    }


def _quarantine_row(source_item_id: str, problem: Problem) -> dict[str, str]:
    return {
        "source_item_id": source_item_id,
        "stage": problem.stage.value,
        "reason_code": problem.reason_code,
        "detail": problem.detail,
    }


@dg.asset(
    partitions_def=migration_partitions,
    group_name="transform",
    kinds={"duckdb", "python"},
    deps=["raw_listings"],
    description="Canonical listings: one model for every source, prices in fen.",
    check_specs=[dg.AssetCheckSpec("every_raw_listing_parsed_or_quarantined", asset="listings")],
)
def listings(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    raw = store.query(
        "SELECT source_item_id, payload, source_state FROM raw_listings WHERE migration = ? "
        "ORDER BY 1",
        [migration.key],
    )
    platform = SourcePlatform(migration.source.platform)
    image_base = platforms.alibaba1688_image_base()
    rows, problems = [], []
    for row in raw:
        try:
            listing = parse_payload(
                platform,
                json.loads(row["payload"]),
                migration=migration,
                alibaba1688_image_base=image_base,
            )
        except ParseProblem as exc:
            problems.append(
                {
                    "source_item_id": row["source_item_id"],
                    "stage": Stage.NORMALIZE.value,
                    "reason_code": "unparseable",
                    "detail": f"{exc.field}: {exc.reason}",
                }
            )
            continue
        if row["source_state"] == "gone" and (
            migration.source.include_inventory or listing.status is ListingStatus.ONSALE
        ):
            # It left the listing since it was read: kept, marked off-shelf (or, when the warehouse
            # is listed too, deleted: it is in neither list any more).
            gone = (
                ListingStatus.DELETED
                if migration.source.include_inventory
                else ListingStatus.OFFSHELF
            )
            listing = listing.model_copy(update={"status": gone})
        rows.append(
            {
                "migration": migration.key,
                "source_item_id": listing.source_item_id,
                "title": listing.title,
                "status": listing.status.value,
                "sku_count": len(listing.active_skus),
                "price_min_fen": listing.price_min_fen,
                "price_max_fen": listing.price_max_fen,
                "main_image_count": len(listing.main_images),
                "has_video": listing.video_url is not None,
                "has_short_title": listing.short_title is not None,
                "listing": listing.model_dump_json(),
            }
        )
    store.replace_partition("listings", migration=migration.key, rows=rows)
    store.replace_quarantine(migration=migration.key, stages=[Stage.NORMALIZE], rows=problems)
    accounted = len(rows) + len(problems) == len(raw)
    return dg.MaterializeResult(
        metadata={
            "parsed": len(rows),
            "quarantined": len(problems),
            "dagster/row_count": len(rows),
            "preview": markdown_table(
                [
                    {k: r[k] for k in ("source_item_id", "title", "sku_count", "price_min_fen")}
                    for r in rows
                ]
            ),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="every_raw_listing_parsed_or_quarantined",
                passed=accounted,
                metadata={"raw": len(raw), "parsed": len(rows), "quarantined": len(problems)},
            )
        ],
    )


def _load_listings(store: Warehouse, migration_key: str) -> list[Listing]:
    rows = store.query(
        "SELECT listing FROM listings WHERE migration = ? ORDER BY source_item_id", [migration_key]
    )
    return [Listing.model_validate_json(row["listing"]) for row in rows]


def _decide(
    matcher: CategoryMatcher,
    listing: Listing,
    overrides: Mapping[str, int],
    suggestions: Sequence[int] | None = None,
) -> CategoryDecision:
    return matcher.decide(
        title=listing.title,
        platform=listing.platform.value,
        source_item_id=listing.source_item_id,
        source_category_ids=listing.category.ids,
        source_category_path=listing.category.path,
        overrides=overrides,
        suggestions=suggestions,
    )


def _request(listing: Listing) -> DecisionRequest:
    return DecisionRequest(
        title=listing.title,
        platform=listing.platform.value,
        source_item_id=listing.source_item_id,
        source_category_ids=tuple(listing.category.ids),
        source_category_path=tuple(listing.category.path),
    )


def _review_row(
    migration_key: str, listing: Listing, decision: CategoryDecision
) -> dict[str, object]:
    return {
        "migration": migration_key,
        "source_item_id": listing.source_item_id,
        "title": listing.title,
        "source_category_path": listing.category.path_text,
        "source_category_id": listing.category.leaf_id,
        "category_id": decision.category_id,
        "confidence": decision.confidence,
        "layer": decision.layer,
        "candidates": [c.model_dump() for c in decision.candidates[:3]],
    }


@dg.asset(
    partitions_def=migration_partitions,
    group_name="transform",
    kinds={"duckdb", "python"},
    deps=["listings"],
    description="The Kuaishou leaf category of every listing, the layer that chose it and how sure; "
    "the unsure ones queued in category_review for the merchant.",
)
def category_decisions(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    try:
        overrides = load_overrides(migration)
    except OverridesFileError as exc:
        raise dg.Failure(description=f"migration {migration.key!r}: {exc}") from None
    tree = asyncio.run(category_tree(platforms, migration, store))
    open_ids = open_leaf_ids(tree, migration)
    matcher = CategoryMatcher(tree, open_leaf_ids=open_ids, mapping=load_mapping(migration))
    items = _load_listings(store, migration.key)
    threshold = migration.category.min_confidence
    # issue 14: one batch through the matcher (one sparse product for the text layer).
    batch = matcher.decide_many([_request(item) for item in items], overrides=overrides)
    decided = {item.source_item_id: d for item, d in zip(items, batch, strict=True)}
    unsure = [
        item
        for item in items
        if decided[item.source_item_id].layer in ("text", "none")
        and needs_review(decided[item.source_item_id], min_confidence=threshold)
    ]
    suggested = asyncio.run(suggested_leaves(platforms, migration, store, unsure))
    for item in unsure:
        leaves = suggested.get(suggestion_key(item))
        if leaves:
            decided[item.source_item_id] = _decide(matcher, item, overrides, leaves)
    rows, review = [], []
    for item in items:
        decision = decided[item.source_item_id]
        rows.append(
            {
                "migration": migration.key,
                "source_item_id": item.source_item_id,
                "category_id": decision.category_id,
                "category_path": decision.path,
                "confidence": decision.confidence,
                "layer": decision.layer,
                "candidates": [c.model_dump() for c in decision.candidates],
            }
        )
        if needs_review(decision, min_confidence=threshold):
            review.append(_review_row(migration.key, item, decision))
    store.replace_partition("category_decisions", migration=migration.key, rows=rows)
    store.replace_partition("category_review", migration=migration.key, rows=review)
    store.replace_partition(
        "category_leaves",
        migration=migration.key,
        rows=[
            {
                "migration": migration.key,
                "category_id": leaf,
                "path": tree.path_text(leaf),
                "is_open": leaf in open_ids,
            }
            for leaf in sorted(tree.leaves)
        ],
    )
    layers = Counter(str(r["layer"]) for r in rows)
    return dg.MaterializeResult(
        metadata={
            "decided": len(rows),
            "to_review": len(review),
            "leaves_in_tree": len(tree.leaves),
            "open_leaves": len(open_ids),
            "overrides": len(overrides),
            "by_layer": counts_table(layers),
            "dagster/row_count": len(rows),
            "preview": markdown_table(
                [{k: r[k] for k in ("source_item_id", "category_path", "confidence")} for r in rows]
            ),
        }
    )


async def _category_configs(
    platforms: PlatformsResource, migration: Migration, store: Warehouse, category_ids: set[int]
) -> dict[int, CategoryConfig]:
    """Each decided leaf's open.item.category.config (our own app only): its `refundRuleList`
    and its attributes, the required ones included.

    Through vv-tool there is no config to ask; its drafts are then checked by the platform alone.
    """
    if migration.target.backend is not PublishBackend.KUAISHOU or not category_ids:
        return {}
    async with platforms.kuaishou(migration, warehouse=store) as client:
        configs = await asyncio.gather(*(client.category_config(c) for c in sorted(category_ids)))
    return dict(zip(sorted(category_ids), configs, strict=True))


@dg.asset(
    partitions_def=migration_partitions,
    group_name="transform",
    kinds={"duckdb", "python"},
    deps=["listings", "category_decisions"],
    description="Kuaishou drafts: full SKU matrix, prices, titles, service rule; or quarantine.",
)
def kuaishou_drafts(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    decisions = {
        row["source_item_id"]: CategoryDecision(
            category_id=row["category_id"],
            path=row["category_path"],
            confidence=row["confidence"],
            layer=row["layer"],
            candidates=tuple(json.loads(row["candidates"] or "[]")),
        )
        for row in store.query(
            "SELECT * FROM category_decisions WHERE migration = ?", [migration.key]
        )
    }
    forbidden = parse_word_list(FORBIDDEN_WORDS_FILE.read_text(encoding="utf-8"))
    configs = asyncio.run(
        _category_configs(
            platforms,
            migration,
            store,
            {d.category_id for d in decisions.values() if d.category_id is not None},
        )
    )
    refund_rules = {
        cid: list(config.category_config.refund_rule_list) for cid, config in configs.items()
    }
    prop_specs = {cid: prop_specs_of(config) for cid, config in configs.items()}
    aliases = PropAliases.from_csv_text(PROP_ALIASES_FILE.read_text(encoding="utf-8"))
    store.delete_partition("kuaishou_drafts", migration=migration.key)
    problems: list[dict[str, str]] = []
    drafted = synthetic = 0
    preview: list[dict[str, object]] = []
    for batch in store.query_batches(
        "SELECT listing FROM listings WHERE migration = ? ORDER BY source_item_id",
        [migration.key],
        batch_size=DRAFT_BATCH_SIZE,
    ):
        rows = []
        for listing in (Listing.model_validate_json(r["listing"]) for r in batch):
            decision = decisions.get(listing.source_item_id) or CategoryDecision(
                category_id=None, path=None, confidence=0.0, layer="none"
            )
            # issue 14: a link that sells nothing (补差价, 邮费, 入会专拍) is quarantined as such.
            if decision.layer == "not_a_product":
                junk = not_a_product_problem(listing.title)
                if junk is not None:
                    problems.append(_quarantine_row(listing.source_item_id, junk))
                    continue
            draft = build_draft(
                listing,
                decision=decision,
                migration=migration,
                forbidden_words=forbidden,
                allowed_refund_rules=refund_rules.get(decision.category_id or 0),
            )
            if not isinstance(draft, Problem):
                draft = with_category_props(draft, listing, specs=prop_specs, aliases=aliases)
            if isinstance(draft, Problem):
                problems.append(_quarantine_row(listing.source_item_id, draft))
                continue
            rows.append(_draft_row(migration.key, draft))
        store.append_rows("kuaishou_drafts", rows)
        drafted += len(rows)
        synthetic += sum(int(str(r["synthetic_sku_count"])) for r in rows)
        preview.extend(rows[: max(0, 10 - len(preview))])
    store.replace_quarantine(
        migration=migration.key, stages=[Stage.CATEGORY, Stage.DRAFT], rows=problems
    )
    return dg.MaterializeResult(
        metadata={
            "drafts": drafted,
            "quarantined": len(problems),
            "quarantined_by_reason": counts_table(Counter(p["reason_code"] for p in problems)),
            "synthetic_skus": synthetic,
            "dagster/row_count": drafted,
            "preview": markdown_table(
                [
                    {k: r[k] for k in ("source_item_id", "rel_item_id", "category_id", "sku_count")}
                    for r in preview
                ]
            ),
        }
    )
