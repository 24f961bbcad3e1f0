"""One worker process: materialize migrations' whole chains, with all state where the env says.

`python -m tests.multiworker.worker KEY [KEY ...]`, in its own (empty) working directory, with
`BANJIA_DATABASE_URL`, `BANJIA_DATABASE_SCHEMA`, `BANJIA_MIGRATIONS` and `BANJIA_SANDBOX_URL` set:
what a Dagster run worker on another machine would do for those partitions. Exits 1 when a run
fails.
"""

from __future__ import annotations

import sys

import dagster as dg

from assets import extract, publish, report, transform
from assets.resources import MigrationsResource, PlatformsResource, WarehouseResource
from tests.dagster_instance import instance_with_migrations


def main(keys: list[str]) -> int:
    assets = dg.load_assets_from_modules([extract, transform, publish, report])
    for key in keys:
        result = dg.materialize(
            assets,
            partition_key=key,
            instance=instance_with_migrations(),  # the migrations file BANJIA_MIGRATIONS names
            resources={
                "warehouse": WarehouseResource(),
                "migrations": MigrationsResource(),
                "platforms": PlatformsResource(client_rate_limits=False),
            },
            raise_on_error=False,
        )
        print(f"{key}: {'ok' if result.success else 'failed'}", flush=True)
        if not result.success:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
