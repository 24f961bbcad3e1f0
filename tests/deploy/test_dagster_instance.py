"""deploy/dagster.yaml on the real PostgreSQL server: the real `raw_listings` asset runs on that
instance, and a second instance (another worker) reads the run and its materialization back; the
queue's per-migration limit is what the daemon applies when it dequeues.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.remote_origin import (
    RegisteredCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import (
    QueuedRunCoordinatorDaemon,
)
from dagster_postgres import PostgresRunStorage

from assets.definitions import defs
from assets.extract import raw_listings
from assets.publish import PUBLISH_POOL
from assets.resources import MigrationsResource, WarehouseResource
from sandbox.inprocess import reset_in_process_sandbox
from tests.assets.conftest import TAOBAO_DEMO_SOURCE, sandbox_env_vars
from tests.conftest import without_qps_limits
from tests.dagster_instance import with_migrations
from tests.inprocess import InProcessPlatforms

KEY = "taobao-demo"
MIGRATIONS = f"""
migrations:
  - key: {KEY}
    mode: move
    max_items: 12
{TAOBAO_DEMO_SOURCE}
    target:
      app_key: ks_sandbox_app
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
"""


@pytest.fixture(scope="module")
def run_result(
    pg_instance: dg.DagsterInstance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dg.ExecuteInProcessResult]:
    """`raw_listings` of the Taobao demo shop (12 items, in-process sandbox) on the PG instance."""
    directory = tmp_path_factory.mktemp("pg-instance-run")
    (directory / "migrations.yaml").write_text(MIGRATIONS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in sandbox_env_vars().items():
            patch.setenv(name, value)
        without_qps_limits(reset_in_process_sandbox())
        yield dg.materialize(
            [raw_listings],
            partition_key=KEY,
            instance=with_migrations(pg_instance, directory / "migrations.yaml"),
            resources={
                "warehouse": WarehouseResource(path=str(directory / "warehouse.duckdb")),
                "migrations": MigrationsResource(path=str(directory / "migrations.yaml")),
                "platforms": InProcessPlatforms(client_rate_limits=False),
            },
        )
    reset_in_process_sandbox()


def test_the_instance_keeps_runs_and_events_in_postgresql(pg_instance: dg.DagsterInstance) -> None:
    assert isinstance(pg_instance.run_storage, PostgresRunStorage)
    assert type(pg_instance.event_log_storage).__module__.startswith("dagster_postgres")
    assert type(pg_instance.schedule_storage).__module__.startswith("dagster_postgres")


def test_another_worker_reads_the_run_back_from_postgresql(
    run_result: dg.ExecuteInProcessResult,
    dagster_home: Path,
    pg_env: dict[str, str],
    postgres_url: str,
) -> None:
    assert run_result.success
    # A fresh instance from the same file: what the webserver or a second worker sees.
    with dg.DagsterInstance.from_config(str(dagster_home)) as other:
        run = other.get_run_by_id(run_result.run_id)
        assert run is not None
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags["dagster/partition"] == KEY
        records = other.fetch_materializations(dg.AssetKey("raw_listings"), limit=10).records
        assert [r.asset_materialization.partition for r in records if r.asset_materialization] == [
            KEY
        ]
    # And it is a row of the scratch database itself, not of a local SQLite file.
    database = psycopg.conninfo.make_conninfo(postgres_url, dbname=pg_env["DAGSTER_PG_DB"])
    with psycopg.connect(database) as con:
        row = con.execute(
            "SELECT status, pipeline_name FROM runs WHERE run_id = %s", [run_result.run_id]
        ).fetchone()
    assert row == ("SUCCESS", run.job_name)


def test_the_publish_pool_has_the_configured_limit(pg_instance: dg.DagsterInstance) -> None:
    """The pool the deployment limits is the one `published_items` runs in."""
    published = defs.resolve_assets_def("published_items")
    assert published.op.pool == PUBLISH_POOL == "kuaishou_publish"
    info = pg_instance.event_log_storage.get_concurrency_info(PUBLISH_POOL)
    assert info.limit == 2
    assert pg_instance.get_concurrency_config().pool_config.pool_granularity is not None


@dg.op
def _noop() -> None:
    """Nothing: the queue test only needs runs with tags, never executes them."""


_queued_job = dg.GraphDefinition(name="queued", node_defs=[_noop]).to_job()
# A queued run must say where it would be launched from; the code location is never loaded here.
_ORIGIN = RemoteJobOrigin(
    repository_origin=RemoteRepositoryOrigin(
        code_location_origin=RegisteredCodeLocationOrigin("banjia"),
        repository_name="__repository__",
    ),
    job_name="queued",
)


def _dequeued(instance: dg.DagsterInstance, queued: dict[str, str]) -> list[str]:
    """Names of the runs (name -> migration) the daemon's queue would start now, oldest first."""
    ids = {}
    for name, migration in queued.items():
        run = instance.create_run_for_job(
            _queued_job,
            status=dg.DagsterRunStatus.QUEUED,
            remote_job_origin=_ORIGIN,
            tags={"dagster/partition": migration, "test": name},
        )
        ids[run.run_id] = name
    daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)
    runs = daemon._get_runs_to_dequeue(instance, instance.get_concurrency_config(), None)
    return [ids[run.run_id] for run in runs if run.run_id in ids]


def _clear_runs(instance: dg.DagsterInstance) -> None:
    """Forget the queue tests' runs (only those: the materialized run stays for the other tests)."""
    for record in instance.get_run_records(filters=dg.RunsFilter(job_name=_queued_job.name)):
        instance.delete_run(record.dagster_run.run_id)


def test_the_queue_runs_one_run_per_migration_at_a_time(pg_instance: dg.DagsterInstance) -> None:
    """Two runs of migration a are queued first; the daemon starts one of them and one of b."""
    _clear_runs(pg_instance)
    started = _dequeued(pg_instance, {"a1": "shop-a", "a2": "shop-a", "b1": "shop-b"})
    assert started == ["a1", "b1"]


def test_a_migration_in_progress_blocks_its_next_run(pg_instance: dg.DagsterInstance) -> None:
    """With shop-a running, its queued run waits even though it is the oldest in the queue."""
    _clear_runs(pg_instance)
    pg_instance.create_run_for_job(
        _queued_job, status=dg.DagsterRunStatus.STARTED, tags={"dagster/partition": "shop-a"}
    )
    started = _dequeued(pg_instance, {"a2": "shop-a", "b1": "shop-b", "c1": "shop-c"})
    # One slot left of max_concurrent_runs=2: b1 takes it; a2 is held back by its migration.
    assert started == ["b1"]


def test_the_queue_config_carries_the_per_migration_limit(pg_instance: dg.DagsterInstance) -> None:
    queue = pg_instance.get_concurrency_config().run_queue_config
    assert queue is not None
    assert queue.max_concurrent_runs == 2
    assert {
        "key": "dagster/partition",
        "value": {"applyLimitPerUniqueValue": True},
        "limit": 1,
    } in queue.tag_concurrency_limits
