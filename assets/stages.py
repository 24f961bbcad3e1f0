"""Running a plain stage function for the partition being materialized.

Most assets are exactly this: the migration of the partition, the warehouse, the platforms, one
stage function, its result as metadata. Assets whose stage needs more (the ledger, the run id)
call their stage themselves.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg

from assets.metadata import materialize_result
from assets.progress import stage_progress
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from pipeline.results import StageFailedError, StageResult

Stage = Callable[..., StageResult]


def run_stage(
    stage: Stage,
    context: dg.AssetExecutionContext,
    *,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
    progress: str | None = None,
) -> dg.MaterializeResult:
    """`stage(migration, warehouse=…, platforms=…)` for the partition's migration; with
    `progress` (the stage's name) also `progress=…`, its batches logged and drawn as a bar."""
    extra = {"progress": stage_progress(context, progress)} if progress else {}
    with warehouse.for_step(context) as store, failing_clearly():
        result = stage(
            migrations.get(context.partition_key),
            warehouse=store,
            platforms=platforms.platforms(),
            **extra,
        )
    return materialize_result(result)


def run_ledger_stage(
    stage: Stage,
    context: dg.AssetExecutionContext,
    *,
    warehouse: WarehouseResource,
    migrations: MigrationsResource,
    platforms: PlatformsResource,
    progress: str | None = None,
) -> dg.MaterializeResult:
    """`stage(migration, warehouse=…, ledger=…, platforms=…)`: the ledger opened (DuckDB or
    PostgreSQL, as configured) for the step and closed after it; `progress` as in `run_stage`."""
    extra = {"progress": stage_progress(context, progress)} if progress else {}
    with warehouse.for_step(context) as store:
        ledger = warehouse.ledger(store)
        try:
            with failing_clearly():
                result = stage(
                    migrations.get(context.partition_key),
                    warehouse=store,
                    ledger=ledger,
                    platforms=platforms.platforms(),
                    **extra,
                )
        finally:
            ledger.close()
    return materialize_result(result)


@contextmanager
def failing_clearly() -> Iterator[None]:
    """A stage that could not work for the migration at all fails the step with its one message
    (no traceback to read through), and the run stops there."""
    try:
        yield
    except StageFailedError as exc:
        raise dg.Failure(description=str(exc)) from None
