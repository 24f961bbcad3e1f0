"""The banjia code location: every stage asset, its checks, the jobs, schedules and resources.

Wired explicitly (no defs-folder autoloading) so `dg`, `dagster` and `workspace.yaml` all load the same
thing. Runs use the in-process executor: DuckDB allows one writing process at a time, and the stages of
a migration are a chain anyway (README, "Where the data lands").
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
    executor=dg.in_process_executor,
)
