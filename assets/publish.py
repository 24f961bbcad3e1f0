"""Publish: re-host images and videos on Kuaishou, then create each item exactly once."""

import dagster as dg

from assets.checks import migration_check
from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from assets.stages import run_ledger_stage, run_stage
from pipeline.media import host_images
from pipeline.plan import plan_publish
from pipeline.publish import publish
from pipeline.videos import host_item_videos

# Several workers: `dagster instance concurrency set kuaishou_publish N` bounds how many migrations
# publish at once; each run's own concurrency is `target.publish_concurrency`.
PUBLISH_POOL = "kuaishou_publish"


@dg.asset(
    partitions_def=migration_partitions,
    group_name="publish",
    kinds={"duckdb", "api"},
    deps=["raw_listings", "kuaishou_drafts"],
    description="Every draft image fetched, trimmed of white borders, main images made 3:4, "
    "deduplicated by content hash and uploaded to Kuaishou once.",
    check_specs=[
        migration_check(
            "image_failures_within_5_percent",
            asset="media",
            description="At most 5 % of the migration's images failed to fetch or upload. Blocks "
            "publishing: a host that is down or stale URLs would publish items without their "
            "pictures or quarantine them for banjia's fault.",
            blocking=True,
        ),
        migration_check(
            "quarantine_not_growing_without_source_change",
            asset="media",
            description="No more items are quarantined than after the last run while the source "
            "shop did not change. Blocks publishing: the new quarantines are banjia's fault.",
            blocking=True,
        ),
    ],
)
def media(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    return run_stage(
        host_images,
        context,
        warehouse=warehouse,
        migrations=migrations,
        platforms=platforms,
        progress="media",
    )


@dg.asset(
    partitions_def=migration_partitions,
    group_name="publish",
    kinds={"duckdb", "api"},
    deps=["kuaishou_drafts"],
    description="Each draft's source video uploaded as a Kuaishou item-video material, once per "
    "shop and content hash; a failed video is counted, never blocks its item.",
)
def item_videos(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    return run_stage(
        host_item_videos, context, warehouse=warehouse, migrations=migrations, platforms=platforms
    )


@dg.asset(
    partitions_def=migration_partitions,
    group_name="publish",
    kinds={"duckdb"},
    deps=["kuaishou_drafts", "media", "item_videos"],
    description="What a publish run would do for every source item (create, update with the "
    "fields that changed, skip, quarantine with the reason) and the draft it would send; with "
    "`publish.approval: required` the operator approves it (`banjia plan export/import`).",
)
def publish_plan(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    return run_ledger_stage(
        plan_publish, context, warehouse=warehouse, migrations=migrations, platforms=platforms
    )


@dg.asset(
    partitions_def=migration_partitions,
    group_name="publish",
    kinds={"duckdb", "api"},
    deps=["listings", "kuaishou_drafts", "media", "item_videos", "publish_plan"],
    pool=PUBLISH_POOL,
    description="Items created on Kuaishou exactly once each (ledger + relItemId lookup), "
    "in the migration's priority order; changed items edited, never created again.",
    check_specs=[
        migration_check(
            "every_source_item_accounted_for",
            asset="published_items",
            description="Every source item of the migration is published, quarantined with a "
            "reason, or pending, and in exactly one of them.",
        )
    ],
)
def published_items(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    return run_ledger_stage(
        publish,
        context,
        warehouse=warehouse,
        migrations=migrations,
        platforms=platforms,
        progress="publish",
    )
