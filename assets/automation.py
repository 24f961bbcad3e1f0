"""Jobs, schedules and the sensor that keep banjia running unattended.

- `daily_migration`: every migration end to end at 00:10 China time, just after Kuaishou's
  500-new-items quota resets at midnight (Asia/Shanghai), so each day's run has the whole quota.
- `hourly_report_flush`: every outbox every hour, so a failed report is retried some 20 times before
  its 24 h deadline; the same run follows the open Kuaishou reviews (`review_status`).
- `weekly_compliance`: the compliance summary and its checks at 01:00 China time on Mondays, when the
  natural week Kuaishou audits has just closed (decision 36).
- `migration_partitions_sensor` (running by default): keeps the dynamic migration partitions in
  step with the migrations file, so a new shop needs no code-location reload (decision 76);
- `new_migration_sensor`: starts the `migrate` job for a migration key that appears in the migrations
  file; its cursor is the keys it already knows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import dagster as dg

from assets.partitions import (
    MIGRATION_PARTITIONS,
    file_keys,
    migration_partitions,
    partition_changes,
)
from listings.china_time import CHINA_TZ_NAME
from listings.migrations import MigrationsConfigError

CHINA_TZ = CHINA_TZ_NAME

migrate_job = dg.define_asset_job(
    name="migrate",
    selection=dg.AssetSelection.groups("extract", "transform", "publish", "report"),
    description="Move one migration end to end: extract → transform → publish → report.",
)

report_job = dg.define_asset_job(
    name="flush_supply_reports",
    selection=dg.AssetSelection.assets("supply_reports", "compliance_summary", "review_status"),
    description="Send every queued supply report, refresh the compliance summary, and ask "
    "Kuaishou for the reviews still open.",
)

compliance_job = dg.define_asset_job(
    name="weekly_compliance",
    selection=dg.AssetSelection.assets("compliance_summary"),
    description="The week's compliance summary per migration, with its checks.",
)


def _per_migration(job_name: str, context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
    stamp = context.scheduled_execution_time.strftime("%Y-%m-%dT%H:%M")
    for key in migration_partitions.get_partition_keys(dynamic_partitions_store=context.instance):
        yield dg.RunRequest(run_key=f"{job_name}:{key}:{stamp}", partition_key=key)


@dg.schedule(job=migrate_job, cron_schedule="10 0 * * *", execution_timezone=CHINA_TZ)
def daily_migration(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
    """Every migration once a day, just after the 500-new-items quota resets."""
    yield from _per_migration("migrate", context)


@dg.schedule(job=report_job, cron_schedule="25 * * * *", execution_timezone=CHINA_TZ)
def hourly_report_flush(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
    """Every migration's outbox every hour: a failed report is retried long before 24 h pass."""
    yield from _per_migration("flush_supply_reports", context)


@dg.schedule(job=compliance_job, cron_schedule="0 1 * * 1", execution_timezone=CHINA_TZ)
def weekly_compliance(context: dg.ScheduleEvaluationContext) -> Iterator[dg.RunRequest]:
    """Every migration's summary once the audited week (Monday to Sunday, China time) closed."""
    yield from _per_migration("weekly_compliance", context)


def _file_keys() -> list[str]:
    return file_keys()


@dg.sensor(minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def migration_partitions_sensor(
    context: dg.SensorEvaluationContext,
) -> dg.SensorResult | dg.SkipReason:
    """Keep the migration partitions exactly the keys of the migrations file: a new key becomes a
    partition, a key taken out of the file stops being one (its runs and materializations stay
    in the instance, and come back with the key). A broken file changes nothing and says why."""
    try:
        in_file = _file_keys()
    except (OSError, MigrationsConfigError) as exc:
        return dg.SkipReason(f"the migrations file cannot be read: {exc}")
    added, removed = partition_changes(context.instance, in_file)
    if not added and not removed:
        return dg.SkipReason("the migration partitions are the migrations file's keys")
    requests: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    if added:
        requests.append(migration_partitions.build_add_request(added))
    if removed:
        requests.append(migration_partitions.build_delete_request(removed))
    context.log.info(f"migration partitions: added {added or 'none'}, deleted {removed or 'none'}")
    return dg.SensorResult(dynamic_partitions_requests=requests)


@dg.sensor(
    job=migrate_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED
)
def new_migration_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Start `migrate` for each key added to the migrations file since the last evaluation.

    The first evaluation only learns the keys (the daily schedule runs those). A key that is not
    a partition yet waits, outside the cursor, until `migration_partitions_sensor` has added it
    (its next tick); then it starts. A broken file starts nothing and says why.
    """
    try:
        in_file = _file_keys()
    except (OSError, MigrationsConfigError) as exc:
        return dg.SkipReason(f"the migrations file cannot be read: {exc}")
    if context.cursor is None:
        return dg.SensorResult(cursor=json.dumps(sorted(in_file)))
    known = set(json.loads(context.cursor))
    partitions = set(context.instance.get_dynamic_partitions(MIGRATION_PARTITIONS))
    new = [key for key in in_file if key not in known and key in partitions]
    waiting = [key for key in in_file if key not in known and key not in partitions]
    if not new:
        reason = "no new migration"
        if waiting:
            reason = (
                "new in the file, starting once migration_partitions_sensor has made it a "
                f"partition: {', '.join(waiting)}"
            )
        return dg.SkipReason(reason)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"new-migration:{key}", partition_key=key) for key in new
        ],
        cursor=json.dumps(sorted(known | set(new))),
    )
