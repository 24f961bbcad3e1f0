"""What the merchant is handed: the migration report, one HTML file per migration and run.

The report's stage (`pipeline.migration_report`) reads every stage's table; this asset runs after
them in the `report` group, so the daily `migrate` job ends with a fresh report, and links the file
from the asset's metadata.
"""

from pathlib import Path

import dagster as dg
from pydantic import Field

from assets.metadata import materialize_result
from assets.partitions import migration_partitions
from assets.resources import MigrationsResource, WarehouseResource
from pipeline.migration_report import reports_dir, write_migration_report


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
    ],
    description="The migration report a merchant is handed: where every item stands, charts, "
    "and every item's before and after (data/reports/<migration>/<run>.html).",
    check_specs=[
        dg.AssetCheckSpec(
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
    store = warehouse.open()
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
