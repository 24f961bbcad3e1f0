"""A Dagster instance loaded from deploy/dagster.yaml against the real PostgreSQL server.

Each test module gets a scratch database of its own on the server the ledger tests use
(`postgres_url` in tests/conftest.py: a failure, never a skip, when the server does not answer),
with the DAGSTER_PG_* variables the deployment sets, and drops it afterwards.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

ROOT = Path(__file__).parents[2]
DAGSTER_YAML = ROOT / "deploy" / "dagster.yaml"


@pytest.fixture(scope="module")
def scratch_database(postgres_url: str) -> Iterator[str]:
    """A database created for this module and dropped (with its connections) at the end."""
    name = f"banjia_dagster_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def pg_env(postgres_url: str, scratch_database: str) -> Iterator[dict[str, str]]:
    """DAGSTER_PG_* as a deployment exports them, pointing at the scratch database."""
    parts = conninfo_to_dict(postgres_url)
    values = {
        "DAGSTER_PG_HOST": str(parts.get("host", "127.0.0.1")),
        "DAGSTER_PG_PORT": str(parts.get("port", "5432")),
        "DAGSTER_PG_USER": str(parts.get("user", "postgres")),
        "DAGSTER_PG_PASSWORD": str(parts.get("password", "")),
        "DAGSTER_PG_DB": scratch_database,
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    yield values
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DAGSTER_HOME holding exactly the deployment's dagster.yaml."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(DAGSTER_YAML, home / "dagster.yaml")
    return home


@pytest.fixture(scope="module")
def pg_instance(pg_env: dict[str, str], dagster_home: Path) -> Iterator[dg.DagsterInstance]:
    """The instance a worker would load: deploy/dagster.yaml, storage in the scratch database."""
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        yield instance
