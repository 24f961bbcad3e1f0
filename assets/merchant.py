"""What the merchant follows after publishing: Kuaishou's review of every created item, and the
migration report, one HTML file per migration and run.

`review_status` asks open.item.get for every item whose review has not ended, and daily for the
shelf of approved ones, and resubmits the mechanically fixable sent-back items once
(`pipeline.review`, `pipeline.resubmit`).
The report's stage (`pipeline.migration_report`) reads every stage's table; it runs last in the
`report` group, so the daily `migrate` job ends with a fresh report, linked from its metadata.
"""

from pathlib import Path

import dagster as dg
from pydantic import Field

from assets.checks import migration_check
from assets.metadata import materialize_result
from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from assets.stages import run_ledger_stage
from pipeline.migration_report import reports_dir, write_migration_report
from pipeline.review import track_reviews


@dg.asset(
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"duckdb", "api"},
    deps=["published_items"],
    description="Kuaishou's review and shelf status of every created item (open.item.get "
    "auditStatus, auditReason, onOfflineStatus, offlineReason), rejections classified into "
    "reasons with a fix, and items sent back for a forbidden title term or a main image "
    "resubmitted once through open.item.edit (tables review_status, review_resubmissions).",
    check_specs=[
        migration_check(
            "no_item_rejected_by_review",
            asset="review_status",
            description="No created item is rejected (审核拒绝) or sent back for changes "
            "(审核待修改) after banjia's one resubmission. Not blocking: the merchant answers "
            "them; the report lists them with Kuaishou's reason and the fix.",
        ),
        migration_check(
            "no_approved_item_off_shelf",
            asset="review_status",
            description="Every item Kuaishou approved is on the shelf (上架, onOfflineStatus 1): "
            "none held back, taken down by the merchant or taken off later by the platform. "
            "Not blocking: the metadata lists the off-shelf ones by Kuaishou's offlineReason.",
        ),
    ],
)
def review_status(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
) -> dg.MaterializeResult:
    return run_ledger_stage(
        track_reviews, context, warehouse=warehouse, migrations=migrations, platforms=platforms
    )


class MigrationReportConfig(dg.Config):
    out_dir: str = Field(default="", description="Empty: $BANJIA_REPORTS_DIR, else data/reports.")


@dg.asset(
    partitions_def=migration_partitions,
    group_name="report",
    kinds={"html"},
    deps=[
        "listings",
        "category_decisions",
        "kuaishou_drafts",
        "media",
        "published_items",
        "supply_reports",
        "fill_rates",
        "review_status",
    ],
    description="The migration report a merchant is handed: where every item stands, charts, "
    "and every item's before and after (data/reports/<migration>/<run>.html).",
    check_specs=[
        migration_check(
            "report_counts_add_up",
            asset="migration_report",
            description="The report's counts add up: source items = published + quarantined + "
            "pending, none unaccounted.",
        )
    ],
)
def migration_report(
    context: dg.AssetExecutionContext,
    config: MigrationReportConfig,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
) -> dg.MaterializeResult:
    with warehouse.for_step(context) as store:
        ledger = warehouse.ledger(store)
        try:
            result = write_migration_report(
                migrations.get(context.partition_key),
                warehouse=store,
                ledger=ledger,
                out_dir=Path(config.out_dir) if config.out_dir else reports_dir(store),
                run_id=context.run.run_id,
            )
        finally:
            ledger.close()
    materialized = materialize_result(result)
    path = Path(str(result.figures["report_path"]))
    return dg.MaterializeResult(
        metadata={
            **(materialized.metadata or {}),
            "report_path": dg.MetadataValue.path(str(path)),
            "report_url": dg.MetadataValue.url(path.as_uri()),
        },
        check_results=materialized.check_results,
    )
