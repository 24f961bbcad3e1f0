"""Materializing the pipeline in-process against the ASGI sandbox, on a temporary warehouse.

The demo migration is materialized once per test module (it is the expensive part); tests then read the
warehouse and the emulators' state.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest

from assets.definitions import defs
from assets.resources import MigrationsResource, WarehouseResource
from sandbox.app import Sandbox
from sandbox.inprocess import reset_in_process_sandbox
from store.warehouse import Warehouse
from tests.conftest import without_qps_limits
from tests.dagster_instance import instance_with_migrations
from tests.inprocess import InProcessPlatforms

SANDBOX_ENV = Path(__file__).parents[2] / "data" / "sandbox.env"

Materialize = Callable[..., dg.ExecuteInProcessResult]

# The demo's Taobao shop on the sandbox, as a migration's `source:` block (indented for a list item).
TAOBAO_DEMO_SOURCE = """\
    source:
      platform: taobao
      shop_id: demo-taobao-shop
      app_key: "12345678"
      app_secret_env: BANJIA_TAOBAO_APP_SECRET
      session_env: BANJIA_TAOBAO_SESSION"""


def sandbox_env_vars() -> dict[str, str]:
    pairs = {}
    for line in SANDBOX_ENV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


@pytest.fixture(scope="module")
def sandbox_env() -> Iterator[dict[str, str]]:
    """The sandbox credentials exported as data/sandbox.env exports them for `make demo`."""
    pairs = sandbox_env_vars()
    saved = {name: os.environ.get(name) for name in pairs}
    os.environ.update(pairs)
    yield pairs
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    yield without_qps_limits(reset_in_process_sandbox())
    reset_in_process_sandbox()


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"


@pytest.fixture(scope="module")
def warehouse(warehouse_path: Path) -> Warehouse:
    return Warehouse(warehouse_path)


@pytest.fixture(scope="module")
def materialize(sandbox_env: dict[str, str], sandbox: Sandbox, warehouse_path: Path) -> Materialize:
    """Materialize every asset of one migration in-process; returns the ExecuteInProcessResult."""
    assets = list(defs.assets or [])

    def run(
        partition_key: str = "taobao-demo", migrations_path: str = ""
    ) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            assets,
            partition_key=partition_key,
            instance=instance_with_migrations(migrations_path),
            resources={
                "warehouse": WarehouseResource(path=str(warehouse_path)),
                "migrations": MigrationsResource(path=migrations_path),
                "platforms": InProcessPlatforms(client_rate_limits=False),
            },
        )

    return run


def materialize_migrations_file(
    materialize: Materialize, directory: Path, yaml_text: str, *, partition_key: str = "taobao-demo"
) -> dg.ExecuteInProcessResult:
    """Write `yaml_text` as the migrations file in `directory` and materialize one partition of it."""
    path = directory / "migrations.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    result = materialize(partition_key=partition_key, migrations_path=str(path))
    assert result.success
    return result
