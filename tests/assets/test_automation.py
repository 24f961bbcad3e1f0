"""Schedules and the new-migration sensor, evaluated with Dagster's test contexts (no daemon)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
import yaml

from assets.automation import (
    daily_migration,
    hourly_report_flush,
    new_migration_sensor,
    weekly_compliance,
)
from assets.definitions import defs
from assets.partitions import migration_partitions
from pipeline.settings import Settings

LOADED = migration_partitions.get_partition_keys()


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
        cursor=None if cursor is None else json.dumps(cursor), definitions=defs
    )
    return new_migration_sensor(context)


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


def test_a_key_the_code_location_has_not_loaded_waits_for_a_reload(
    migrations_file: Path,
) -> None:
    _add_migration(migrations_file, "taobao-second-shop")
    result = _evaluate(sorted(LOADED))
    assert isinstance(result, dg.SkipReason)
    assert "reload the code location to start: taobao-second-shop" in (result.skip_message or "")


def test_a_broken_migrations_file_starts_nothing_and_says_why(migrations_file: Path) -> None:
    migrations_file.write_text("migrations: [{key: x}]\n", encoding="utf-8")
    result = _evaluate(sorted(LOADED))
    assert isinstance(result, dg.SkipReason)
    assert "cannot be read" in (result.skip_message or "")


def _requests(schedule: dg.ScheduleDefinition, at: datetime) -> list[dg.RunRequest]:
    context = dg.build_schedule_context(scheduled_execution_time=at)
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
    assert "new_migration_sensor" in {s.name for s in repository.sensor_defs}
    assert repository.has_job("weekly_compliance")
