"""Quality: the fill rates Kuaishou ranks publishing apps by, per migration and per run.

Measured over the drafted items after `media` and `item_videos`, i.e. what this run sends: main
images hosted (≥ 3), a 3:4 main image, a video, a short title, and the images that still have a
white border (target 0). The figures go to the `media_fill_rates` table (one row per migration and
run, which the weekly compliance summary reads) and to the asset's metadata.
"""

from datetime import UTC, datetime

import dagster as dg

from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, WarehouseResource
from listings.compliance import ItemMedia, fill_rates


@dg.asset(
    name="fill_rates",
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "python"},
    deps=["kuaishou_drafts", "media", "item_videos"],
    description="Shares of drafted items with ≥3 main images, 3:4 main images, video and a short "
    "title, and the white-bordered images left, per migration and run (media_fill_rates).",
    check_specs=[dg.AssetCheckSpec("no_white_border_images_left", asset="fill_rates")],
)
def fill_rates_asset(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
) -> dg.MaterializeResult:
    migration = migrations.get(context.partition_key)
    store = warehouse.open()
    rates = fill_rates(ItemMedia.model_validate(row) for row in store.item_media(migration.key))
    store.record_fill_rates(
        {
            "migration": migration.key,
            "run_id": context.run.run_id,
            "computed_at": datetime.now(UTC),
            **rates.model_dump(),
        }
    )
    return dg.MaterializeResult(
        metadata={**rates.model_dump(), "dagster/row_count": rates.items},
        check_results=[
            dg.AssetCheckResult(
                check_name="no_white_border_images_left",
                passed=rates.white_border_images_left == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"white_border_images_left": rates.white_border_images_left},
            )
        ],
    )
