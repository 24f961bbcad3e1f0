"""Schedules and the sensors, evaluated with Dagster's test contexts (no daemon): the schedules run
every migration partition, `migration_partitions_sensor` keeps the partitions the migrations
file's keys, `new_migration_sensor` starts a new one."""

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
import yaml

from assets.automation import (
    daily_migration,
    hourly_report_flush,
    migration_partitions_sensor,
    new_migration_sensor,
    weekly_compliance,
)
from assets.definitions import defs
from assets.partitions import MIGRATION_PARTITIONS
from pipeline.migrations_file import load_migrations
from pipeline.settings import Settings
from tests.dagster_instance import instance_with_migrations, with_migrations

LOADED = load_migrations().keys


@pytest.fixture
def migrations_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped migrations file that BANJIA_MIGRATIONS points at."""
    path = tmp_path / "migrations.yaml"
    path.write_text(
        Settings.model_fields["migrations"].default.read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setenv("BANJIA_MIGRATIONS", str(path))
    return path


def _add_migration(path: Path, key: str) -> None:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["migrations"].append({**config["migrations"][0], "key": key})
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def _evaluate(cursor: list[str] | None) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(
        cursor=None if cursor is None else json.dumps(cursor),
        definitions=defs,
        # The partitions of the shipped file, as the partitions sensor left them: the file the
        # sensor reads (BANJIA_MIGRATIONS) may since have gained a key or broken.
        instance=instance_with_migrations(Settings.model_fields["migrations"].default),
    )
    return new_migration_sensor(context)


def _sync(instance: dg.DagsterInstance) -> dg.SensorResult | dg.SkipReason:
    """One tick of `migration_partitions_sensor`, its partition requests applied as the daemon
    does."""
    result = migration_partitions_sensor(dg.build_sensor_context(instance=instance))
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            if isinstance(request, dg.AddDynamicPartitionsRequest):
                instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
            else:
                for key in request.partition_keys:
                    instance.delete_dynamic_partition(request.partitions_def_name, key)
    return result


def test_the_partitions_sensor_makes_each_migration_of_the_file_a_partition(
    migrations_file: Path,
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    assert isinstance(_sync(instance), dg.SensorResult)
    assert instance.get_dynamic_partitions(MIGRATION_PARTITIONS) == LOADED


def test_a_migration_added_to_the_file_becomes_a_partition_without_a_reload(
    migrations_file: Path,
) -> None:
    instance = instance_with_migrations()
    _add_migration(migrations_file, "taobao-second-shop")
    result = _sync(instance)
    assert isinstance(result, dg.SensorResult)
    assert instance.get_dynamic_partitions(MIGRATION_PARTITIONS) == [*LOADED, "taobao-second-shop"]


def test_a_migration_taken_out_of_the_file_stops_being_a_partition(migrations_file: Path) -> None:
    instance = instance_with_migrations()
    config = yaml.safe_load(migrations_file.read_text(encoding="utf-8"))
    gone = config["migrations"].pop()["key"]
    migrations_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    _sync(instance)
    assert instance.get_dynamic_partitions(MIGRATION_PARTITIONS) == [k for k in LOADED if k != gone]


def test_partitions_in_step_with_the_file_are_left_alone(migrations_file: Path) -> None:
    result = _sync(instance_with_migrations())
    assert isinstance(result, dg.SkipReason)


def test_a_broken_migrations_file_changes_no_partition(migrations_file: Path) -> None:
    instance = instance_with_migrations()
    migrations_file.write_text("migrations: [{key: x}]\n", encoding="utf-8")
    result = _sync(instance)
    assert isinstance(result, dg.SkipReason)
    assert "cannot be read" in (result.skip_message or "")
    assert instance.get_dynamic_partitions(MIGRATION_PARTITIONS) == LOADED


def test_the_first_evaluation_learns_the_keys_without_starting_anything(
    migrations_file: Path,
) -> None:
    result = _evaluate(None)
    assert isinstance(result, dg.SensorResult)
    assert not result.run_requests
    assert json.loads(result.cursor or "[]") == sorted(LOADED)


def test_a_key_added_to_the_file_starts_its_migration(migrations_file: Path) -> None:
    added = LOADED[-1]  # a partition the location knows, missing from what the sensor knew
    result = _evaluate([k for k in LOADED if k != added])
    assert isinstance(result, dg.SensorResult)
    assert [(r.partition_key, r.run_key) for r in result.run_requests or []] == [
        (added, f"new-migration:{added}")
    ]
    assert json.loads(result.cursor or "[]") == sorted(LOADED)


def test_nothing_new_means_no_run(migrations_file: Path) -> None:
    result = _evaluate(sorted(LOADED))
    assert isinstance(result, dg.SkipReason)
    assert result.skip_message == "no new migration"


def test_a_key_not_yet_a_partition_waits_for_the_partitions_sensor(
    migrations_file: Path,
) -> None:
    _add_migration(migrations_file, "taobao-second-shop")
    result = _evaluate(sorted(LOADED))
    assert isinstance(result, dg.SkipReason)
    assert "migration_partitions_sensor has made it a partition: taobao-second-shop" in (
        result.skip_message or ""
    )


def test_a_broken_migrations_file_starts_nothing_and_says_why(migrations_file: Path) -> None:
    migrations_file.write_text("migrations: [{key: x}]\n", encoding="utf-8")
    result = _evaluate(sorted(LOADED))
    assert isinstance(result, dg.SkipReason)
    assert "cannot be read" in (result.skip_message or "")


def _requests(schedule: dg.ScheduleDefinition, at: datetime) -> list[dg.RunRequest]:
    # A schedule's context needs an instance with a ref; both are closed here, or the instance's
    # state storage stays Dagster's current one after the instance is gone, and the next
    # materialize in this process fails ("undefined DagsterInstance weakref").
    with (
        dg.instance_for_test() as instance,
        dg.build_schedule_context(
            scheduled_execution_time=at, instance=with_migrations(instance)
        ) as context,
    ):
        return list(schedule(context))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("schedule", "job", "cron"),
    [
        (daily_migration, "migrate", "10 0 * * *"),
        (hourly_report_flush, "flush_supply_reports", "25 * * * *"),
        (weekly_compliance, "weekly_compliance", "0 1 * * 1"),
    ],
    ids=["daily-publish", "hourly-flush", "weekly-compliance"],
)
def test_each_schedule_runs_every_migration_on_the_china_clock(
    schedule: dg.ScheduleDefinition, job: str, cron: str
) -> None:
    assert (schedule.job_name, schedule.cron_schedule) == (job, cron)
    assert schedule.execution_timezone == "Asia/Shanghai"
    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    requests = _requests(schedule, at)
    assert [r.partition_key for r in requests] == LOADED
    assert len({r.run_key for r in requests}) == len(LOADED)


def test_jobs_schedules_and_the_sensor_are_in_the_definitions() -> None:
    repository = defs.get_repository_def()
    assert {s.name for s in repository.schedule_defs} >= {
        "daily_migration",
        "hourly_report_flush",
        "weekly_compliance",
    }
    assert {"new_migration_sensor", "migration_partitions_sensor"} <= {
        s.name for s in repository.sensor_defs
    }
    assert repository.has_job("weekly_compliance")
