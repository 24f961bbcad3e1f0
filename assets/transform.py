"""Transform: canonical listings, Kuaishou category decisions, and Kuaishou drafts (or quarantine)."""

import dagster as dg

from assets.checks import migration_check
from assets.metadata import materialize_result
from assets.partitions import migration_partitions
from assets.progress import stage_progress
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from assets.stages import run_ledger_stage, run_stage
from listings.categories import OverridesFileError
from pipeline.categories import decide_categories
from pipeline.drafts import draft_listings
from pipeline.normalize import normalize


@dg.asset(
    partitions_def=migration_partitions,
    group_name="transform",
    kinds={"duckdb", "python"},
    deps=["raw_listings"],
    description="Canonical listings: one model for every source, prices in fen.",
    check_specs=[
        migration_check(
            "every_raw_listing_parsed_or_quarantined",
            asset="listings",
            description="Every raw payload of the migration is a listing or a quarantine row "
            "with the field that could not be read: nothing dropped.",
            blocking=True,
        )
    ],
)
def listings(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    return run_stage(
        normalize,
        context,
        warehouse=warehouse,
        migrations=migrations,
        platforms=platforms,
        progress="normalize",
    )


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
    try:
        with warehouse.for_step(context) as store:
            result = decide_categories(
                migration,
                warehouse=store,
                platforms=platforms.platforms(),
                progress=stage_progress(context, "categories"),
            )
    except OverridesFileError as exc:
        raise dg.Failure(description=f"migration {migration.key!r}: {exc}") from None
    return materialize_result(result)


@dg.asset(
    partitions_def=migration_partitions,
    group_name="transform",
    kinds={"duckdb", "python"},
    deps=["listings", "category_decisions"],
    description="Kuaishou drafts: full SKU matrix, prices, titles, service rule; or quarantine.",
    check_specs=[
        migration_check(
            "every_listing_drafted_or_quarantined",
            asset="kuaishou_drafts",
            description="Counted from the tables: every listing is a draft or quarantined by the "
            "category or draft stage, never both. Blocks publishing when the counts do not add up.",
            blocking=True,
        )
    ],
)
def kuaishou_drafts(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    return run_ledger_stage(
        draft_listings,
        context,
        warehouse=warehouse,
        migrations=migrations,
        platforms=platforms,
        progress="drafts",
    )
