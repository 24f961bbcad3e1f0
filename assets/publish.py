"""Publish: re-host images on Kuaishou (`media`), then create each item exactly once."""

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import dagster as dg

from assets.metadata import counts_table, markdown_table
from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from connectors.kuaishou import SupplyItem, build_item_new_param, build_supply_item, violations
from connectors.ledger import Ledger
from connectors.media import MediaOutcome, rehost_images
from connectors.publishing import PublishJob, PublishOutcome, publish_drafts
from connectors.warehouse import Warehouse, migration_status
from listings.draft import KuaishouDraft
from listings.migrations import Migration
from listings.model import Listing
from listings.priority import PublishPriority, RankFacts, publish_order
from listings.quarantine import Stage
from listings.supply import SupplyReport

CHINA = timezone(timedelta(hours=8))
# Several workers: `dagster instance concurrency set kuaishou_publish N` bounds how many migrations
# publish at once; each run's own concurrency is `target.publish_concurrency`.
PUBLISH_POOL = "kuaishou_publish"


def _load_drafts(store: Warehouse, migration_key: str) -> list[KuaishouDraft]:
    rows = store.query(
        "SELECT draft FROM kuaishou_drafts WHERE migration = ? ORDER BY source_item_id",
        [migration_key],
    )
    return [KuaishouDraft.model_validate_json(row["draft"]) for row in rows]


async def _rehost(
    platforms: PlatformsResource, migration: Migration, store: Warehouse, urls: list[str]
) -> MediaOutcome:
    backend = platforms.publisher(migration, warehouse=store)
    try:
        async with platforms.media_fetcher() as fetcher:
            return await rehost_images(
                urls, fetch_client=fetcher, kuaishou=backend, warehouse=store
            )
    finally:
        await backend.aclose()


@dg.asset(
    partitions_def=migration_partitions,
    group_name="publish",
    kinds={"duckdb", "api"},
    deps=["kuaishou_drafts"],
    description="Every draft image fetched, deduplicated by content hash and uploaded to Kuaishou once.",
)
def media(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    drafts = _load_drafts(store, migration.key)
    outcome = asyncio.run(
        _rehost(platforms, migration, store, [u for d in drafts for u in d.image_urls])
    )
    rows, problems = [], []
    for draft in drafts:
        for url in draft.image_urls:
            rows.append(
                {
                    "migration": migration.key,
                    "source_item_id": draft.source_item_id,
                    "source_url": url,
                    "sha256": outcome.sha256.get(url),
                    "kwai_url": outcome.kwai_urls.get(url),
                    "status": "hosted" if url in outcome.kwai_urls else "failed",
                    "detail": outcome.failures.get(url),
                }
            )
        if not any(url in outcome.kwai_urls for url in draft.main_images):
            problems.append(
                {
                    "source_item_id": draft.source_item_id,
                    "stage": Stage.MEDIA.value,
                    "reason_code": "no_main_image_hosted",
                    "detail": "main_images: none of the item's main images could be fetched "
                    "and uploaded ("
                    + "; ".join(outcome.failures.get(u, "?") for u in draft.main_images[:3])
                    + "); replace them on the source",
                }
            )
    store.replace_partition("media", migration=migration.key, rows=rows)
    store.replace_quarantine(migration=migration.key, stages=[Stage.MEDIA], rows=problems)
    return dg.MaterializeResult(
        metadata={
            "images": len(outcome.sha256) + len(outcome.failures),
            "uploaded": outcome.uploaded,
            "cache_hits": outcome.cache_hits,
            "failed": len(outcome.failures),
            "items_without_main_image": len(problems),
            "dagster/row_count": len(rows),
            "preview": markdown_table(
                [
                    {k: r[k] for k in ("source_item_id", "status", "kwai_url", "detail")}
                    for r in rows
                ]
            ),
        }
    )


def _hosted_images(store: Warehouse, migration_key: str) -> dict[str, dict[str, str]]:
    by_item: dict[str, dict[str, str]] = {}
    for row in store.query(
        "SELECT source_item_id, source_url, kwai_url FROM media "
        "WHERE migration = ? AND kwai_url IS NOT NULL",
        [migration_key],
    ):
        by_item.setdefault(row["source_item_id"], {})[row["source_url"]] = row["kwai_url"]
    return by_item


def _hosted_only(draft: KuaishouDraft, hosted: dict[str, str]) -> KuaishouDraft:
    """The draft with images that failed to re-host left out (main-prop images fall back)."""
    main = tuple(u for u in draft.main_images if u in hosted)
    detail = tuple(u for u in draft.detail_images if u in hosted) or main
    skus = tuple(
        sku.model_copy(
            update={
                "props": tuple(
                    p.model_copy(
                        update={"image_url": p.image_url if p.image_url in hosted else main[0]}
                    )
                    if p.is_main
                    else p
                    for p in sku.props
                )
            }
        )
        for sku in draft.skus
    )
    return draft.model_copy(update={"main_images": main, "detail_images": detail, "skus": skus})


def _report_for(
    draft: KuaishouDraft, migration: Migration, hosted: dict[str, str]
) -> Callable[[int], SupplyItem]:
    """The supply report of a draft, once Kuaishou has given it an id.

    imageUrl must be https: the source's first main image when it is, else the Kuaishou-hosted copy
    of that same image (what a scene 1 report needs; scene 2 does not ask for it).
    """
    seller = migration.seller
    first = draft.main_images[0] if draft.main_images else None
    first_image = first if first and first.startswith("https://") else hosted.get(first or "")

    def build(kwai_item_id: int) -> SupplyItem:
        return build_supply_item(
            SupplyReport(
                scene=seller.scene,
                item_id=draft.source_item_id,
                kwai_item_id=kwai_item_id,
                origin_item_url=draft.origin_url,
                platform=seller.platform,
                platform_name=seller.platform_name,
                title=draft.title,
                price_min_fen=draft.price_min_fen,
                price_max_fen=draft.price_max_fen,
                image_url=first_image,
                category_id=draft.category_id,
                seller_name=draft.seller_name,
            )
        )

    return build


def _published_today(ledger: Ledger, migration_key: str) -> int:
    """Creates since midnight Beijing time, when Kuaishou's daily quota starts again."""
    start_of_day = datetime.now(CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
    return ledger.published_since(migration_key, start_of_day.astimezone(UTC))


def _by_priority(
    store: Warehouse, migration: Migration, jobs: list[PublishJob]
) -> list[PublishJob]:
    """The jobs in the migration's publishing priority (what goes first when the quota stops)."""
    if migration.publish.priority is PublishPriority.SOURCE_ORDER:
        return jobs
    facts = [
        RankFacts.of(Listing.model_validate_json(row["listing"]))
        for row in store.query(
            "SELECT listing FROM listings WHERE migration = ? ORDER BY source_item_id",
            [migration.key],
        )
    ]
    rank = {
        item_id: i for i, item_id in enumerate(publish_order(facts, migration.publish.priority))
    }
    return sorted(jobs, key=lambda job: rank.get(job.draft.source_item_id, len(rank)))


async def _publish(
    platforms: PlatformsResource,
    migration: Migration,
    store: Warehouse,
    ledger: Ledger,
    jobs: list[PublishJob],
) -> tuple[PublishOutcome, float | None]:
    backend = platforms.publisher(migration, warehouse=store)
    quota_left = max(migration.daily_quota - _published_today(ledger, migration.key), 0)
    try:
        outcome = await publish_drafts(
            jobs,
            migration=migration.key,
            client=backend,
            warehouse=ledger,
            quota_left=quota_left,
            concurrency=migration.target.publish_concurrency,
        )
    finally:
        await backend.aclose()
    charged = getattr(backend, "total_charged", None)
    return outcome, None if charged is None else float(charged)


@dg.asset(
    partitions_def=migration_partitions,
    group_name="publish",
    kinds={"duckdb", "api"},
    deps=["media"],
    pool=PUBLISH_POOL,
    description="Items created on Kuaishou exactly once each (ledger + relItemId lookup), "
    "in the migration's priority order; changed items edited, never created again.",
    check_specs=[dg.AssetCheckSpec("every_source_item_accounted_for", asset="published_items")],
)
def published_items(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    quarantined = {
        r["source_item_id"]
        for r in store.query(
            "SELECT source_item_id FROM quarantine WHERE migration = ? AND stage = ?",
            [migration.key, Stage.MEDIA.value],
        )
    }
    hosted = _hosted_images(store, migration.key)
    jobs, problems = [], []
    for draft in _load_drafts(store, migration.key):
        if draft.source_item_id in quarantined:
            continue
        ready = _hosted_only(draft, hosted.get(draft.source_item_id, {}))
        param = build_item_new_param(ready, kwai_images=hosted.get(draft.source_item_id, {}))
        found = violations(param)
        if found:
            problems.append(
                {
                    "source_item_id": draft.source_item_id,
                    "stage": Stage.PUBLISH.value,
                    "reason_code": "rule_violation",
                    "detail": "; ".join(f"{v.field}: {v.message}" for v in found),
                }
            )
            continue
        jobs.append(
            PublishJob(
                draft=ready,
                param=param,
                report=_report_for(ready, migration, hosted.get(draft.source_item_id, {})),
            )
        )
    ledger = warehouse.ledger(store)
    try:
        outcome, charged = asyncio.run(
            _publish(platforms, migration, store, ledger, _by_priority(store, migration, jobs))
        )
        book = sorted(ledger.ledger(migration.key).values(), key=lambda r: r["source_item_id"])
        status = migration_status(store, migration.key, ledger=ledger)
    finally:
        ledger.close()
    for job in jobs:
        reason = outcome.rejected.get(job.draft.rel_item_id)
        if reason:
            problems.append(
                {
                    "source_item_id": job.draft.source_item_id,
                    "stage": Stage.PUBLISH.value,
                    "reason_code": "rejected_by_kuaishou",
                    "detail": reason,
                }
            )
    store.replace_quarantine(migration=migration.key, stages=[Stage.PUBLISH], rows=problems)
    states = Counter(r["state"] for r in book)
    shown = ("source_item_id", "rel_item_id", "state", "kwai_item_id")
    return dg.MaterializeResult(
        metadata={
            "created_this_run": outcome.created,
            "recovered_by_lookup": outcome.recovered,
            "already_published": outcome.already_published,
            "rejected": len(outcome.rejected),
            "rule_violations": sum(1 for p in problems if p["reason_code"] == "rule_violation"),
            "left_pending": outcome.left_pending,
            "stopped_by_quota": outcome.stopped_by_quota,
            "priority": migration.publish.priority.value,
            "updated_by_edit": outcome.updated,
            "repriced_without_review": outcome.repriced,
            "updates_failed": len(outcome.update_failed),
            "updates_unsupported_by_backend": outcome.update_unsupported,
            "held_by_other_workers": outcome.held_elsewhere,
            "backend": migration.target.backend.value,
            **({} if charged is None else {"vvtool_charged_this_run": charged}),
            "ledger_states": counts_table(states),
            "dagster/row_count": states.get("published", 0),
            "preview": markdown_table(
                [{k: r[k] for k in shown} for r in book if r["state"] == "published"]
            ),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="every_source_item_accounted_for",
                passed=not status["unaccounted"] and not status["overlapping"],
                metadata={
                    **{k: v for k, v in status.items() if isinstance(v, int)},
                    "unaccounted": ", ".join(status["unaccounted"][:20]) or "none",
                    "overlapping": ", ".join(status["overlapping"][:20]) or "none",
                },
            )
        ],
    )
