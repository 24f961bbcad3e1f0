"""Publish: create each ready draft on Kuaishou exactly once, in the migration's priority order.

A draft is ready when its images are hosted (the media stage did not quarantine it) and its
`open.item.new` param breaks no documented rule; the rest are quarantined with the rule broken. The
exactly-once run itself (ledger first, relItemId lookup, quota, edits) is `pipeline.publish_run`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connectors.kuaishou import SupplyItem, build_item_new_param, build_supply_item, violations
from listings.china_time import start_of_china_day
from listings.draft import DraftSku, KuaishouDraft
from listings.migrations import Migration, PublishApproval
from listings.plan_edits import apply_edits
from listings.priority import PublishPriority, RankFacts, publish_order
from listings.quarantine import Stage
from listings.supply import SupplyReport
from pipeline.clients import Platforms
from pipeline.progress import Progress
from pipeline.publish_run import (
    AccountRefusedError,
    PublishJob,
    PublishOutcome,
    ShopQuota,
    publish_drafts,
)
from pipeline.results import Breakdown, CheckVerdict, StageFailedError, StageResult
from store.duckdb_ledger import DuckDBLedger
from store.ledger import Ledger, LedgerState
from store.plan_approvals import load_approvals
from store.plan_edits import load_edits
from store.stage_tables import load_drafts, load_listings
from store.warehouse import Warehouse, migration_status

# Kuaishou allows a merchant 500 new items a day (kuaishou-api.md, open.item.new).
SHOP_DAILY_NEW_ITEMS = 500

__all__ = [
    "approved_only",
    "by_priority",
    "candidate_jobs",
    "hosted_images",
    "hosted_only",
    "new_batch_id",
    "publish",
    "report_builder",
]


def new_batch_id(now: datetime | None = None) -> str:
    """The id of one publish run's batch: its UTC start to the microsecond, e.g.
    `20261204T085102.123456Z` (sortable; the Dagster run id does not reach the pipeline)."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")


def hosted_images(warehouse: Warehouse, migration_key: str) -> dict[str, dict[str, str]]:
    by_item: dict[str, dict[str, str]] = {}
    for row in warehouse.query(
        "SELECT source_item_id, source_url, kwai_url FROM media "
        "WHERE migration = ? AND kwai_url IS NOT NULL",
        [migration_key],
    ):
        by_item.setdefault(row["source_item_id"], {})[row["source_url"]] = row["kwai_url"]
    return by_item


def _hosted_videos(warehouse: Warehouse, migration_key: str) -> dict[str, str]:
    return {
        row["source_item_id"]: row["video_id"]
        for row in warehouse.query(
            "SELECT source_item_id, video_id FROM item_videos "
            "WHERE migration = ? AND status = 'hosted'",
            [migration_key],
        )
    }


def _quarantined_by_media(warehouse: Warehouse, migration_key: str) -> set[str]:
    return {
        r["source_item_id"]
        for r in warehouse.query(
            "SELECT source_item_id FROM quarantine WHERE migration = ? AND stage = ?",
            [migration_key, Stage.MEDIA.value],
        )
    }


def hosted_only(draft: KuaishouDraft, hosted: dict[str, str]) -> KuaishouDraft:
    """The draft with images that failed to re-host left out (main-prop images fall back).

    A draft whose every image was re-hosted, the usual case, is returned as it is: copying its
    SKUs for nothing was a tenth of a publish's CPU.
    """
    main = tuple(u for u in draft.main_images if u in hosted)
    detail = tuple(u for u in draft.detail_images if u in hosted) or main
    skus = tuple(_sku_hosted(sku, hosted, fallback=main[0] if main else None) for sku in draft.skus)
    if (
        main == draft.main_images
        and detail == draft.detail_images
        and all(new is old for new, old in zip(skus, draft.skus, strict=True))
    ):
        return draft
    return draft.model_copy(update={"main_images": main, "detail_images": detail, "skus": skus})


def _sku_hosted(sku: DraftSku, hosted: dict[str, str], *, fallback: str | None) -> DraftSku:
    """`sku` with each main prop's image re-hosted or else `fallback`; `sku` itself if none moves."""
    if all(not p.is_main or p.image_url in hosted for p in sku.props):
        return sku
    props = tuple(
        p.model_copy(update={"image_url": fallback})
        if p.is_main and p.image_url not in hosted
        else p
        for p in sku.props
    )
    return sku.model_copy(update={"props": props})


def report_builder(
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


def _ready_jobs(
    migration: Migration, warehouse: Warehouse
) -> tuple[list[PublishJob], list[dict[str, Any]], list[PublishJob]]:
    """The drafts ready to publish, the quarantine rows of those that break a rule, and the ready
    drafts held back by the operator's plan decisions (excluded, or not approved when required)."""
    jobs, problems = candidate_jobs(migration, warehouse)
    allowed, held = approved_only(migration, warehouse, jobs)
    return allowed, problems, held


def approved_only(
    migration: Migration, warehouse: Warehouse, jobs: list[PublishJob]
) -> tuple[list[PublishJob], list[PublishJob]]:
    """(jobs to run, jobs held): an excluded item is never published; with `publish.approval:
    required`, neither is one the operator has not approved (`banjia plan import`)."""
    decisions = load_approvals(warehouse, migration.key)
    required = migration.publish.approval is PublishApproval.REQUIRED
    allowed: list[PublishJob] = []
    held: list[PublishJob] = []
    for job in jobs:
        decision = decisions.get(job.draft.source_item_id)
        excluded = decision is not None and decision.excluded
        unapproved = required and (decision is None or not decision.approved)
        (held if excluded or unapproved else allowed).append(job)
    return allowed, held


def _would_send(row: dict[str, Any] | None, job: PublishJob) -> bool:
    """A run would create or edit the item (what an unapproved item is held from)."""
    if row is None or row["state"] not in (LedgerState.PUBLISHED, LedgerState.REJECTED):
        return True
    return (
        row["state"] == LedgerState.PUBLISHED
        and row["version"] is not None
        and (row["version"], row["offer_version"]) != job.draft.versions
    )


def candidate_jobs(
    migration: Migration, warehouse: Warehouse
) -> tuple[list[PublishJob], list[dict[str, Any]]]:
    """The drafts ready to publish before any approval, and the quarantine rows of those that
    break a rule (what the publish plan shows)."""
    quarantined = _quarantined_by_media(warehouse, migration.key)
    hosted = hosted_images(warehouse, migration.key)
    videos = _hosted_videos(warehouse, migration.key)
    # The merchant's edits again: one imported after the last drafts run is still what is sent.
    edits = load_edits(warehouse, migration.key)
    jobs: list[PublishJob] = []
    problems: list[dict[str, Any]] = []
    for draft in load_drafts(warehouse, migration.key):
        if draft.source_item_id in quarantined:
            continue
        if draft.source_item_id in edits:
            draft = apply_edits(draft, edits[draft.source_item_id], pricing=migration.pricing)
        images = hosted.get(draft.source_item_id, {})
        ready = hosted_only(draft, images)
        param = build_item_new_param(
            ready, kwai_images=images, video_id=videos.get(draft.source_item_id)
        )
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
            PublishJob(draft=ready, param=param, report=report_builder(ready, migration, images))
        )
    return jobs, problems


def by_priority(
    warehouse: Warehouse, migration: Migration, jobs: list[PublishJob]
) -> list[PublishJob]:
    """The jobs in the migration's publishing priority (what goes first when the quota stops)."""
    if migration.publish.priority is PublishPriority.SOURCE_ORDER:
        return jobs
    facts = [RankFacts.of(listing) for listing in load_listings(warehouse, migration.key)]
    rank = {
        item_id: i for i, item_id in enumerate(publish_order(facts, migration.publish.priority))
    }
    return sorted(jobs, key=lambda job: rank.get(job.draft.source_item_id, len(rank)))


async def _publish(
    migration: Migration,
    jobs: list[PublishJob],
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    platforms: Platforms,
    batch: str,
    progress: Progress | None,
) -> tuple[PublishOutcome, float | None]:
    backend = platforms.publisher(migration, warehouse=warehouse)
    # Kuaishou's cap is the shop's: every migration into the shop spends it (issue 17); a
    # migration's `daily_quota` is its own share of it.
    day_start = start_of_china_day(datetime.now(UTC))
    midnight = day_start.astimezone(UTC)
    # Workers sharing a PostgreSQL ledger take each new item from the shop's count there, so
    # two publishing into one shop at once stay within its 500 (decision 75); the embedded
    # ledger has one writer, whose count at the start of the run is exact.
    shop_quota = (
        None
        if isinstance(ledger, DuckDBLedger)
        else ShopQuota(
            target_shop=migration.kuaishou_shop_key,
            day=day_start.date(),
            since=midnight,
            limit=SHOP_DAILY_NEW_ITEMS,
        )
    )
    quota_left = min(
        migration.daily_quota - ledger.published_since(migration.key, midnight),
        SHOP_DAILY_NEW_ITEMS
        - ledger.published_in_shop_since(migration.kuaishou_shop_key, midnight),
    )
    try:
        outcome = await publish_drafts(
            jobs,
            migration=migration.key,
            client=backend,
            ledger=ledger,
            quota_left=max(quota_left, 0),
            concurrency=migration.target.publish_concurrency,
            target_shop=migration.kuaishou_shop_key,
            batch=batch,
            progress=progress,
            shop_quota=shop_quota,
        )
    finally:
        await backend.aclose()
    charged = getattr(backend, "total_charged", None)  # what vv-tool charged, where it charges
    return outcome, None if charged is None else float(charged)


def publish(
    migration: Migration,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    platforms: Platforms,
    progress: Progress | None = None,
) -> StageResult:
    """Publish the ready drafts exactly once; quarantine rule breaks and Kuaishou's refusals of
    an item.

    Raises:
        StageFailedError: the platform refused the shop or the app (authorization, signature):
            every item not yet published stays pending, none is marked rejected.
    """
    batch = new_batch_id()
    jobs, problems, on_hold = _ready_jobs(migration, warehouse)
    # Held items stay pending in the ledger (accounted for, never sent).
    ledger.ledger_ensure_pending(
        migration=migration.key,
        items=[(job.draft.rel_item_id, job.draft.source_item_id) for job in on_hold],
        target_shop=migration.kuaishou_shop_key,
    )
    # With the ledger in the DuckDB file, keep the file open for the step: four ledger calls per
    # item at ~30 ms an open would cap publishing near 8 items/s whatever the rate limit (decision 43).
    held = warehouse.held() if isinstance(ledger, DuckDBLedger) else contextlib.nullcontext()
    try:
        with held:
            outcome, charged = asyncio.run(
                _publish(
                    migration,
                    by_priority(warehouse, migration, jobs),
                    warehouse=warehouse,
                    ledger=ledger,
                    platforms=platforms,
                    batch=batch,
                    progress=progress,
                )
            )
    except AccountRefusedError as exc:
        raise StageFailedError(f"migration {migration.key!r}: publish: {exc}") from None
    book = sorted(ledger.ledger(migration.key).values(), key=lambda r: r["source_item_id"])
    status = migration_status(warehouse, migration.key, ledger=ledger)
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
    warehouse.replace_quarantine(migration=migration.key, stages=[Stage.PUBLISH], rows=problems)
    states = Counter(str(r["state"]) for r in book)
    by_rel = {r["rel_item_id"]: r for r in book}
    excluded = {k for k, d in load_approvals(warehouse, migration.key).items() if d.excluded}
    awaiting = sum(
        1
        for job in on_hold
        if job.draft.source_item_id not in excluded
        and _would_send(by_rel.get(job.draft.rel_item_id), job)
    )
    shown = ("source_item_id", "rel_item_id", "state", "kwai_item_id")
    return StageResult(
        figures={
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
            "withdrawn_by_undo": outcome.withdrawn,
            "batch": batch,
            "backend": migration.target.backend.value,
            "approval": migration.publish.approval.value,
            "awaiting_approval": awaiting,
            "excluded_by_plan": sum(1 for job in on_hold if job.draft.source_item_id in excluded),
            **({} if charged is None else {"vvtool_charged_this_run": charged}),
        },
        breakdowns={"ledger_states": Breakdown("state", states)},
        preview=[{k: r[k] for k in shown} for r in book if r["state"] == "published"],
        row_count=states.get("published", 0),
        checks=[
            CheckVerdict(
                name="every_source_item_accounted_for",
                passed=not status["unaccounted"] and not status["overlapping"],
                metadata={
                    **{k: v for k, v in status.items() if isinstance(v, int)},
                    "unaccounted": ", ".join(status["unaccounted"][:20]) or "none",
                    "overlapping": ", ".join(status["overlapping"][:20]) or "none",
                },
            )
        ],
    )
