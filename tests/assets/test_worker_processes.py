"""Two worker processes, two empty disks, one PostgreSQL: the several-workers proof of issue 17.

A sandbox server on loopback (tests/multiworker/sandbox_server.py) plays the platforms. The first
worker distributes a 1688 supplier into shop A and then into shop B; at the same time the second
worker distributes the same supplier into shop A too (the same migration on both workers at once,
as two machines of one merchant would) and then moves a Taobao shop into shop A. Shop A authorizes
by OAuth, with tokens due for rotation when the workers start, so both ask for a rotation at once.
Each worker runs in its own empty working directory with only `BANJIA_DATABASE_URL` in common
(tests/multiworker/worker.py).

The baseline is one worker alone on the embedded default (DuckDB on its own disk, no PostgreSQL)
running the same three migrations in turn against a sandbox of its own: the compliance figures
of the two workers must be the single worker's.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from listings.migrations import parse_migrations
from pipeline.clients import Platforms
from pipeline.settings import Settings
from pipeline.stores import open_settings_ledger, open_warehouse
from sandbox.credentials import KUAISHOU_APP_SECRET
from store.warehouse import migration_status
from tests.assets.conftest import TAOBAO_DEMO_SOURCE, sandbox_env_vars
from tests.chaos.harness import free_port, wait_for_health
from tests.conftest import POSTGRES_URL
from tests.multiworker.sandbox_server import SECOND_SHOP_TOKEN

PROJECT = Path(__file__).parents[2]
SUPPLIER = """\
    mode: distribute
    source:
      platform: alibaba1688
      shop_id: demo-1688-supplier
      shop_name: 义乌市优品日用百货有限公司
      app_key: "8868001"
      app_secret_env: BANJIA_1688_APP_SECRET
      session_env: BANJIA_1688_ACCESS_TOKEN
    max_items: 8
    pricing: {markup_percent: 30}
    category: {min_confidence: 0.25}"""
SHOP_A = """\
    target:
      app_key: ks_sandbox_app
      shop_key: shop-a
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      auth: oauth
      app_secret_env: KS_APP_SECRET
      oauth_redirect_uri: https://banjia.example/cb"""
MIGRATIONS = f"""
migrations:
  - key: supplier-a
{SUPPLIER}
{SHOP_A}
  - key: supplier-b
{SUPPLIER}
    target:
      app_key: ks_sandbox_app
      shop_key: shop-b
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: SECOND_SHOP_TOKEN
  - key: taobao-a
    mode: move
    max_items: 8
{TAOBAO_DEMO_SOURCE}
{SHOP_A}
    category: {{min_confidence: 0.25}}
"""
KEYS = ("supplier-a", "supplier-b", "taobao-a")


@pytest.fixture(scope="module")
def schema(postgres_module_schema: str) -> str:
    """The module's scratch schema (tests/conftest.py: fails, never skips, without the server)."""
    return postgres_module_schema


def _serve(log: Path) -> Iterator[str]:
    """A sandbox server process on a free loopback port, until the generator is closed."""
    port = free_port()
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.multiworker.sandbox_server", "--port", str(port)],
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_health(url, process=process)
        except AssertionError as exc:
            raise AssertionError(log.read_text()) from exc
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("sandbox") / "sandbox.log")


@pytest.fixture(scope="module")
def baseline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("baseline-sandbox") / "sandbox.log")


def _env(server: str, migrations: Path, *, schema: str | None) -> dict[str, str]:
    """A worker's environment: the sandbox and the migrations; all state in PostgreSQL's `schema`,
    or, without one, the embedded default (DuckDB in the worker's working directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANJIA_")}
    env.update(sandbox_env_vars())
    env.update(
        {
            "BANJIA_MIGRATIONS": str(migrations),
            "BANJIA_SANDBOX_URL": server,
            "KS_APP_SECRET": KUAISHOU_APP_SECRET,
            "SECOND_SHOP_TOKEN": SECOND_SHOP_TOKEN,
            "PYTHONPATH": str(PROJECT),
        }
    )
    if schema is not None:
        env |= {"BANJIA_DATABASE_URL": POSTGRES_URL, "BANJIA_DATABASE_SCHEMA": schema}
    return env


async def _authorize_shop_a(server: str, settings: Settings, env: dict[str, str]) -> None:
    """The merchant of shop A consents once; the stored tokens are then made due for rotation."""
    migration = parse_migrations(MIGRATIONS).get("supplier-a")
    code = httpx.get(f"{server}/_test/code").json()["code"]
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        manager = Platforms.from_settings(settings).kuaishou_tokens(
            migration, warehouse=open_warehouse(settings)
        )
        try:
            await manager.authorize(code)
        finally:
            await manager.aclose()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    open_warehouse(settings).query(
        "UPDATE oauth_tokens SET access_expires_at = now() + interval '1 hour' RETURNING 1"
    )


def _run_workers(jobs: dict[str, list[str]], *, root: Path, env: dict[str, str]) -> list[Path]:
    """Start one worker process per job at once, each in an empty directory; wait for all."""
    workers = {}
    for name, keys in jobs.items():
        directory = root / name
        directory.mkdir()
        workers[name] = (
            directory,
            subprocess.Popen(
                [sys.executable, "-m", "tests.multiworker.worker", *keys],
                cwd=directory,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    outcomes = {name: process.communicate(timeout=900) for name, (_, process) in workers.items()}
    for name, (_, process) in workers.items():
        assert process.returncode == 0, (name, outcomes[name][0], outcomes[name][1][-4000:])
    return [directory for directory, _ in workers.values()]


def _compliance(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Each migration's compliance summary rows, without when they were computed and from which
    run's fill rates (a run id of the machine that ran it)."""
    store = open_warehouse(settings)
    return {
        key: [
            {k: v for k, v in row.items() if k not in {"computed_at", "fill_rates_source"}}
            for row in store.query(
                "SELECT * FROM compliance_summary WHERE migration = ? ORDER BY iso_week", [key]
            )
        ]
        for key in KEYS
    }


@pytest.fixture(scope="module")
def runs(server: str, schema: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("processes")
    migrations = root / "migrations.yaml"
    migrations.write_text(MIGRATIONS, encoding="utf-8")
    env = _env(server, migrations, schema=schema)
    settings = Settings(database_url=POSTGRES_URL, database_schema=schema, sandbox_url=server)
    asyncio.run(_authorize_shop_a(server, settings, env))
    # Both workers start with supplier-a: the same migration on two workers at once (each stage
    # of it is one worker's turn at a time, decision 83), then each goes on with its own.
    dirs = _run_workers(
        {"first": ["supplier-a", "supplier-b"], "second": ["supplier-a", "taobao-a"]},
        root=root,
        env=env,
    )
    store = open_warehouse(settings)
    ledger = open_settings_ledger(store, settings)
    try:
        status = {key: migration_status(store, key, ledger=ledger) for key in KEYS}
    finally:
        ledger.close()
    return {
        "state": httpx.get(f"{server}/_test/state").json(),
        "status": status,
        "dirs": dirs,
        "compliance": _compliance(settings),
    }


@pytest.fixture(scope="module")
def single_worker(baseline_server: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same migrations by one worker on the embedded default, against its own sandbox."""
    root = tmp_path_factory.mktemp("single")
    migrations = root / "migrations.yaml"
    migrations.write_text(MIGRATIONS, encoding="utf-8")
    env = _env(baseline_server, migrations, schema=None)
    warehouse = root / "disk" / "warehouse.duckdb"  # the worker's own disk
    env["BANJIA_WAREHOUSE"] = str(warehouse)
    settings = Settings(warehouse=warehouse, sandbox_url=baseline_server)
    asyncio.run(_authorize_shop_a(baseline_server, settings, env))
    _run_workers({"alone": list(KEYS)}, root=root, env=env)
    return {"compliance": _compliance(settings)}


def test_every_migration_is_accounted_for_and_published(runs: dict[str, Any]) -> None:
    for key, status in runs["status"].items():
        assert status["unaccounted"] == [] and status["overlapping"] == [], key
        assert status["published"] > 0, key


def test_no_item_is_created_twice_in_any_shop(runs: dict[str, Any]) -> None:
    state = runs["state"]
    assert state["duplicate_creates"] == []
    per_shop = Counter((seller, rel) for seller, rel, _ in state["items"])
    assert max(per_shop.values()) == 1
    published = sum(status["published"] for status in runs["status"].values())
    assert len(state["items"]) == published  # 0 lost, 0 extra


def test_the_supplier_reaches_both_shops(runs: dict[str, Any]) -> None:
    sellers = Counter(seller for seller, _, _ in runs["state"]["items"])
    assert len(sellers) == 2
    assert runs["status"]["supplier-a"]["published"] == runs["status"]["supplier-b"]["published"]


def test_every_item_is_reported_once(runs: dict[str, Any]) -> None:
    reports = runs["state"]["reports"]
    assert sorted(kwai for kwai, _ in reports) == sorted(
        kwai for _, _, kwai in runs["state"]["items"]
    )
    assert {versions for _, versions in reports} == {1}


def test_no_image_is_uploaded_twice(runs: dict[str, Any]) -> None:
    state = runs["state"]
    assert sum(state["upload_calls"].values()) == state["hosted_images"] > 0


def test_the_oauth_tokens_rotate_once_for_both_workers(runs: dict[str, Any]) -> None:
    assert runs["state"]["refreshes"] == 1


def test_no_worker_wrote_state_to_its_disk(runs: dict[str, Any]) -> None:
    for directory in runs["dirs"]:
        assert not list(directory.rglob("*.duckdb")), directory


def test_compliance_figures_equal_a_single_worker_run(
    runs: dict[str, Any], single_worker: dict[str, Any]
) -> None:
    assert all(runs["compliance"][key] for key in KEYS)
    assert runs["compliance"] == single_worker["compliance"]
