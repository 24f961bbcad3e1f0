"""Two workers with empty disks and one PostgreSQL (`BANJIA_DATABASE_URL`): any stage, any worker.

The first worker runs the Taobao demo shop from extract through publishing and reporting; the
second, in another empty directory, runs only the weekly `compliance_summary` (as the weekly job
does) and must find the same figures, not zeros. Neither writes a DuckDB file (decision 73).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from assets import extract, publish, report, transform
from assets.resources import MigrationsResource, WarehouseResource
from pipeline.stores import open_settings_ledger, open_warehouse
from sandbox.app import Sandbox
from store.warehouse import migration_status
from tests.assets.conftest import TAOBAO_DEMO_SOURCE
from tests.conftest import POSTGRES_URL
from tests.dagster_instance import instance_with_migrations
from tests.inprocess import InProcessPlatforms

KEY = "taobao-demo"
QUOTA = 10
MIGRATIONS = f"""
migrations:
  - key: {KEY}
    mode: move
    max_items: 30
    daily_quota: {QUOTA}
{TAOBAO_DEMO_SOURCE}
    target:
      app_key: ks_sandbox_app
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
      publish_concurrency: 4
    category: {{min_confidence: 0.25}}
"""
FIGURES = (
    "published, reported, reported_on_time, overdue, report_rate, rate_main_images_3, "
    "rate_video, rate_short_title, fill_rates_source"
)


@pytest.fixture(scope="module")
def schema(postgres_module_schema: str) -> str:
    """The module's scratch schema (tests/conftest.py: fails, never skips, without the server)."""
    return postgres_module_schema


@contextmanager
def worker(directory: Path, schema: str) -> Iterator[Path]:
    """A worker process's environment: an empty working directory, the shared database."""
    directory.mkdir()
    env = {
        "BANJIA_DATABASE_URL": POSTGRES_URL,
        "BANJIA_DATABASE_SCHEMA": schema,
        "BANJIA_WAREHOUSE": str(directory / "warehouse.duckdb"),  # must stay unwritten
    }
    saved = {name: os.environ.get(name) for name in env}
    cwd = Path.cwd()
    os.environ.update(env)
    os.chdir(directory)
    try:
        (directory / "migrations.yaml").write_text(MIGRATIONS, encoding="utf-8")
        yield directory
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _materialize(directory: Path, selection: list[str] | None = None) -> None:
    result = dg.materialize(
        dg.load_assets_from_modules([extract, transform, publish, report]),
        partition_key=KEY,
        selection=selection,
        instance=instance_with_migrations(directory / "migrations.yaml"),
        resources={
            "warehouse": WarehouseResource(),
            "migrations": MigrationsResource(path=str(directory / "migrations.yaml")),
            "platforms": InProcessPlatforms(client_rate_limits=False),
        },
    )
    assert result.success


def _figures() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    store = open_warehouse()
    ledger = open_settings_ledger(store)
    try:
        weeks = store.query(
            f"SELECT {FIGURES} FROM compliance_summary WHERE migration = ? ORDER BY iso_week",
            [KEY],
        )
        return weeks, migration_status(store, KEY, ledger=ledger)
    finally:
        ledger.close()


@pytest.fixture(scope="module")
def runs(
    sandbox_env: dict[str, str],
    sandbox: Sandbox,
    schema: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("workers")
    with worker(root / "first", schema) as first:
        _materialize(first)
        by_first = _figures()
        # the second worker must compute the summary itself, from what the first one left
        open_warehouse().delete_partition("compliance_summary", migration=KEY)
    with worker(root / "second", schema) as second:
        _materialize(second, selection=["compliance_summary"])
        by_second = _figures()
    return {"first": by_first, "second": by_second, "dirs": (first, second)}


def test_the_first_worker_published_and_reported_from_an_empty_disk(
    runs: dict[str, Any],
) -> None:
    weeks, status = runs["first"]
    assert status["published"] == QUOTA and status["unaccounted"] == []
    assert sum(w["published"] for w in weeks) == QUOTA
    assert all(w["reported"] == w["published"] for w in weeks)


def test_a_second_worker_running_only_compliance_gets_the_same_figures(
    runs: dict[str, Any],
) -> None:
    weeks, status = runs["second"]
    assert weeks == runs["first"][0]
    assert weeks and all(w["rate_main_images_3"] for w in weeks)  # the fill rates, not zeros
    assert status == runs["first"][1]


def test_neither_worker_wrote_a_warehouse_file(runs: dict[str, Any]) -> None:
    for directory in runs["dirs"]:
        assert sorted(p.name for p in directory.rglob("*")) == ["migrations.yaml"]
