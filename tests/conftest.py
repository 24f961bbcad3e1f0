"""Suite-wide settings (no retry waits, no telemetry), the shared sample migration, and the ledger
backends the store and pipeline tests run against: DuckDB, and the real PostgreSQL server.

This machine kind always runs PostgreSQL on 127.0.0.1:5432 (trust auth, database `test`), so a
PostgreSQL test that cannot reach it fails with the reason instead of being skipped.
`BANJIA_TEST_POSTGRES_URL` points the tests at another server. Every test gets its own schema,
dropped when it ends.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import stamina

from listings.migrations import Migration
from sandbox.app import Sandbox
from store import DuckDBLedger, Ledger, PostgresLedger, Warehouse
from tests.samples import sample_migration

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture(autouse=True)
def _no_retry_waits() -> None:
    stamina.set_testing(True, attempts=3)


@pytest.fixture
def migration() -> Migration:
    """A Taobao shop moved into Kuaishou with a 10 % markup (tests/samples.py)."""
    return sample_migration()


POSTGRES_URL = os.environ.get(
    "BANJIA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

LedgerFactory = Callable[[], Ledger]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server's URL, once it has answered; a failure (not a skip) when it does not."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=5) as con:
            con.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is unreachable at {POSTGRES_URL} ({exc}); the PostgreSQL ledger tests "
            "need it: start the server, or set BANJIA_TEST_POSTGRES_URL",
            pytrace=False,
        )
    return POSTGRES_URL


@pytest.fixture(params=["duckdb", "postgres"])
def ledger_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerFactory]:
    """Makes handles on one ledger store, as separate workers would open it."""
    if request.param == "postgres":
        yield request.getfixturevalue("postgres_ledgers")
        return
    opened: list[Ledger] = []

    def make() -> Ledger:
        opened.append(DuckDBLedger(Warehouse(tmp_path / "w.duckdb")))
        return opened[-1]

    yield make
    for handle in opened:
        handle.close()


@pytest.fixture
def postgres_ledgers(postgres_url: str) -> Iterator[LedgerFactory]:
    """Handles on one PostgreSQL ledger in a schema of its own, dropped after the test."""
    schema = f"banjia_test_{uuid.uuid4().hex[:12]}"
    opened: list[Ledger] = []

    def make() -> Ledger:
        opened.append(PostgresLedger(postgres_url, schema=schema))
        return opened[-1]

    yield make
    for handle in opened:
        handle.close()
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def ledger(ledger_factory: LedgerFactory) -> Ledger:
    return ledger_factory()


def without_qps_limits(sandbox: Sandbox) -> Sandbox:
    """The Kuaishou emulator without its QPS windows, for tests whose clients keep no rate limit.

    The end-to-end runs switch the clients' limits off (`client_rate_limits=False`) to stay fast,
    and the publisher's concurrency tests measure overlap and faults: an in-process emulator answers
    faster than 50/s, so it would throttle them for a limit they were told not to keep. The limits
    have their own tests (tests/connectors/kuaishou/test_qps_and_review.py, tests/bench, tests/chaos).
    """
    sandbox.kuaishou.app_qps = None
    sandbox.kuaishou.user_qps = None
    return sandbox


WarehouseFactory = Callable[[], Warehouse]


def _scratch_schema(postgres_url: str) -> Iterator[str]:
    """A scratch schema name on the test server, dropped (with everything in it) at the end."""
    schema = f"banjia_test_{uuid.uuid4().hex[:12]}"
    yield schema
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A scratch schema for one test."""
    yield from _scratch_schema(postgres_url)


@pytest.fixture(scope="module")
def postgres_module_schema(postgres_url: str) -> Iterator[str]:
    """A scratch schema shared by one module's tests (a run they all read)."""
    yield from _scratch_schema(postgres_url)


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse_factory(request: pytest.FixtureRequest, tmp_path: Path) -> WarehouseFactory:
    """Makes handles on one warehouse, as separate workers would open it: a DuckDB file, or a
    scratch schema on the PostgreSQL server (`BANJIA_DATABASE_URL`'s backend)."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        schema = request.getfixturevalue("postgres_schema")
        return lambda: Warehouse(url, schema=schema)
    return lambda: Warehouse(tmp_path / "w.duckdb")
