"""Jobs and schedules: the daily migration (after Kuaishou's quota resets at midnight, China time) and
an hourly flush of the supply-report outbox so no report misses its 24 h deadline."""

from collections.abc import Iterator

import dagster as dg

from assets.partitions import migration_partitions

migrate_job = dg.define_asset_job(
    name="migrate",
    selection=dg.AssetSelection.groups("extract", "transform", "publish", "report"),
    description="Move one migration end to end: extract → transform → publish → report.",
)

report_job = dg.define_asset_job(
    name="flush_supply_reports",
    selection=dg.AssetSelection.assets("supply_reports", "compliance_summary"),
    description="Send every queued supply report and refresh the compliance summary.",
)


def _per_migration(job_name: str, context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
    stamp = context.scheduled_execution_time.strftime("%Y-%m-%dT%H:%M")
    for key in migration_partitions.get_partition_keys():
        yield dg.RunRequest(run_key=f"{job_name}:{key}:{stamp}", partition_key=key)


@dg.schedule(job=migrate_job, cron_schedule="10 0 * * *", execution_timezone="Asia/Shanghai")
def daily_migration(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
    """Every migration once a day, just after the 500-new-items quota resets."""
    yield from _per_migration("migrate", context)


@dg.schedule(job=report_job, cron_schedule="25 * * * *", execution_timezone="Asia/Shanghai")
def hourly_report_flush(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
    """Every migration's outbox every hour: a failed report is retried long before 24 h pass."""
    yield from _per_migration("flush_supply_reports", context)
