"""The banjia code location: every stage asset, its checks, the jobs, schedules and resources.

Wired explicitly (no defs-folder autoloading) so `dg`, `dagster` and `workspace.yaml` all load the same
thing. Runs use the in-process executor while the state is a DuckDB file (one writing process at a
time; README, "Where the data lands"), and the multiprocess one when it is all in PostgreSQL
(`BANJIA_DATABASE_URL`, decision 73): then a run's independent steps (`media` and `item_videos`)
run side by side in processes of their own.
"""

import dagster as dg

from assets import extract, merchant, publish, report, transform
from assets.automation import (
    compliance_job,
    daily_migration,
    hourly_report_flush,
    migrate_job,
    migration_partitions_sensor,
    new_migration_sensor,
    report_job,
    weekly_compliance,
)
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from pipeline.settings import load_settings


def run_executor() -> dg.ExecutorDefinition:
    """The executor the settings allow: several processes per run only without a DuckDB file."""
    if load_settings().database_url:
        return dg.multi_or_in_process_executor
    return dg.in_process_executor


defs = dg.Definitions(
    assets=dg.load_assets_from_modules([extract, transform, publish, report, merchant]),
    jobs=[migrate_job, report_job, compliance_job],
    schedules=[daily_migration, hourly_report_flush, weekly_compliance],
    sensors=[migration_partitions_sensor, new_migration_sensor],
    resources={
        "warehouse": WarehouseResource(),
        "migrations": MigrationsResource(),
        "platforms": PlatformsResource(),
    },
    executor=run_executor(),
)
