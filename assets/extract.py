"""Extract: the source shop's listings, verbatim (pipeline.extract)."""

import dagster as dg

from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from assets.stages import run_stage
from pipeline.extract import extract


@dg.asset(
    partitions_def=migration_partitions,
    group_name="extract",
    kinds={"duckdb", "api"},
    description="Every listing of the source shop as the platform returned it (verbatim JSON); "
    "re-runs read only new and changed items, and mark the ones that left the shop as gone.",
)
def raw_listings(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    return run_stage(
        extract,
        context,
        warehouse=warehouse,
        migrations=migrations,
        platforms=platforms,
        progress="extract",
    )
