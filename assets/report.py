"""Report: supply reports through the durable outbox, the quality fill rates, and the compliance
summary Kuaishou audits."""

import dagster as dg

from assets.checks import migration_check
from assets.metadata import materialize_result
from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from assets.stages import run_ledger_stage
from pipeline.report import measure_fill_rates, send_reports, summarize_compliance


@dg.asset(
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "api"},
    deps=["listings", "published_items"],
    description="One open.supply.item.sync report per published item, retried until result == 1.",
    check_specs=[
        migration_check(
            "every_published_item_reported",
            asset="supply_reports",
            description="Every published item's report is sent (or is the publishing "
            "backend's duty): none waiting.",
        ),
        migration_check(
            "no_report_overdue",
            asset="supply_reports",
            description="No report unsent past its 24 h deadline. Not blocking: the summary "
            "downstream is the record of that very breach (decision 37).",
        ),
    ],
)
def supply_reports(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    # The ledger holds the outbox: DuckDB, or PostgreSQL for several workers.
    return run_ledger_stage(
        send_reports, context, warehouse=warehouse, migrations=migrations, platforms=platforms
    )


@dg.asset(
    name="fill_rates",
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "python"},
    deps=["kuaishou_drafts", "media", "item_videos"],
    description="Shares of drafted items with ≥3 main images, 3:4 main images, video and a short "
    "title, and the white-bordered images left, per migration and run (table fill_rates).",
    check_specs=[
        migration_check(
            "no_white_border_images_left",
            asset="fill_rates",
            description="No image sent to Kuaishou still has a white border (Kuaishou's audit "
            "counts each one).",
        ),
        migration_check(
            "fill_rates_not_below_last_run",
            asset="fill_rates",
            description="No fill rate (≥3 main images, 3:4, video, short title) fell by more than "
            "5 points since the last run: Kuaishou ranks apps by them, and a fall on the same "
            "shop is a regression (images or videos that stopped reaching Kuaishou).",
        ),
    ],
)
def fill_rates_asset(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
) -> dg.MaterializeResult:
    with warehouse.for_step(context) as store:
        result = measure_fill_rates(
            migrations.get(context.partition_key), warehouse=store, run_id=context.run.run_id
        )
    return materialize_result(result)


@dg.asset(
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "python"},
    deps=["listings", "supply_reports", "fill_rates"],
    description="Per ISO week (China time): report rate, on-time rate, late, missing and rejected "
    "reports by item, and the quality fill rates Kuaishou ranks.",
    check_specs=[
        migration_check(
            "weekly_report_rate_above_95_percent",
            asset="compliance_summary",
            description="The rule's bar: every week's report rate above 95 % (95 % fails).",
        )
    ],
)
def compliance_summary(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
) -> dg.MaterializeResult:
    with warehouse.for_step(context) as store:
        ledger = warehouse.ledger(store)
        try:
            result = summarize_compliance(
                migrations.get(context.partition_key), warehouse=store, ledger=ledger
            )
        finally:
            ledger.close()
    return materialize_result(result)
