"""The stage functions on their own: no Dagster, a warehouse file, the in-process sandbox.

Each stage is called as an asset calls it (migration, warehouse, platforms) and answers with a
`StageResult` whose figures add up against what it wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.platforms import Endpoints, EndpointsMode
from listings.ids import legacy_rel_item_id
from listings.migrations import Migration
from pipeline import categories
from pipeline.categories import decide_categories
from pipeline.clients import Platforms
from pipeline.drafts import draft_listings
from pipeline.extract import extract
from pipeline.migrations_file import load_migrations
from pipeline.normalize import normalize
from pipeline.results import StageResult
from pipeline.settings import PROJECT_ROOT
from sandbox.inprocess import in_process_transport, reset_in_process_sandbox
from store import DuckDBLedger, Warehouse
from tests.assets.conftest import sandbox_env_vars
from tests.conftest import without_qps_limits
from tests.inprocess import IN_PROCESS_URL


@pytest.fixture(scope="module")
def pdd() -> Migration:
    """The demo's Pinduoduo shop (the smallest of the three, and it has unparseable goods)."""
    return load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get("pdd-demo")


def in_process_platforms() -> Platforms:
    """Clients of a fresh in-process sandbox, without its QPS limits."""
    without_qps_limits(reset_in_process_sandbox())
    return Platforms(
        endpoints=Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url=IN_PROCESS_URL),
        transport=in_process_transport(),
        rate_limited=False,
        env=sandbox_env_vars(),
    )


@pytest.fixture(scope="module")
def platforms() -> Iterator[Platforms]:
    yield in_process_platforms()
    reset_in_process_sandbox()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    return Warehouse(Path(tmp_path_factory.mktemp("stages")) / "w.duckdb")


def _count(warehouse: Warehouse, table: str, migration: str) -> int:
    return int(warehouse.scalar(f"SELECT count(*) FROM {table} WHERE migration = ?", [migration]))


# Each stage runs once per module, after the stages it reads: a test asks for the stage it
# checks, so any one test (or any order under pytest-xdist) finds its inputs written.


@pytest.fixture(scope="module")
def extracted(pdd: Migration, warehouse: Warehouse, platforms: Platforms) -> StageResult:
    return extract(pdd, warehouse=warehouse, platforms=platforms)


@pytest.fixture(scope="module")
def normalized(
    extracted: StageResult, pdd: Migration, warehouse: Warehouse, platforms: Platforms
) -> StageResult:
    return normalize(pdd, warehouse=warehouse, platforms=platforms)


@pytest.fixture(scope="module")
def decided(
    normalized: StageResult, pdd: Migration, warehouse: Warehouse, platforms: Platforms
) -> StageResult:
    return decide_categories(pdd, warehouse=warehouse, platforms=platforms)


@pytest.fixture(scope="module")
def drafted(
    decided: StageResult, pdd: Migration, warehouse: Warehouse, platforms: Platforms
) -> StageResult:
    return draft_listings(
        pdd, warehouse=warehouse, platforms=platforms, ledger=DuckDBLedger(warehouse)
    )


def test_extract_reads_every_listed_item_into_raw_listings(
    extracted: StageResult, pdd: Migration, warehouse: Warehouse
) -> None:
    result = extracted
    assert result.figures["read"] == result.row_count == _count(warehouse, "raw_listings", pdd.key)
    assert result.figures["listed"] == result.row_count + result.figures["detail_missing"]


def test_a_second_extract_reads_nothing_unchanged(
    extracted: StageResult, pdd: Migration, warehouse: Warehouse, platforms: Platforms
) -> None:
    again = extract(pdd, warehouse=warehouse, platforms=platforms)
    assert again.figures["read"] == 0
    assert again.figures["unchanged_not_read"] == _count(warehouse, "raw_listings", pdd.key)


def test_normalize_parses_or_quarantines_every_raw_payload(
    normalized: StageResult, pdd: Migration, warehouse: Warehouse
) -> None:
    result = normalized
    (check,) = result.checks
    assert check.name == "every_raw_listing_parsed_or_quarantined" and check.passed
    raw = _count(warehouse, "raw_listings", pdd.key)
    assert result.figures["parsed"] + result.figures["quarantined"] == raw
    assert result.row_count == _count(warehouse, "listings", pdd.key)


def test_categories_decide_every_listing(
    decided: StageResult, pdd: Migration, warehouse: Warehouse
) -> None:
    result = decided
    assert result.figures["decided"] == _count(warehouse, "listings", pdd.key)
    assert result.figures["to_review"] == _count(warehouse, "category_review", pdd.key)
    assert sum(result.breakdowns["by_layer"].counts.values()) == result.figures["decided"]


def _table(warehouse: Warehouse, table: str, migration: str) -> list[dict[str, Any]]:
    return warehouse.query(
        f"SELECT * FROM {table} WHERE migration = ? ORDER BY source_item_id", [migration]
    )


def test_categories_decided_by_worker_processes_write_what_one_process_writes(
    decided: StageResult,
    pdd: Migration,
    warehouse: Warehouse,
    platforms: Platforms,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stage run again with workers forced on, in batches of 7: the same rows and figures."""
    written = {t: _table(warehouse, t, pdd.key) for t in ("category_decisions", "category_review")}
    monkeypatch.setattr(categories, "PARALLEL_MIN_LISTINGS", 0)
    monkeypatch.setattr(categories, "CATEGORY_BATCH", 7)
    monkeypatch.setattr(categories.worker_pool, "cores", lambda: 2)
    again = decide_categories(pdd, warehouse=warehouse, platforms=platforms)
    assert {t: _table(warehouse, t, pdd.key) for t in written} == written
    assert again.figures == decided.figures
    assert again.breakdowns == decided.breakdowns


def test_drafts_are_written_or_quarantined_for_every_listing(
    drafted: StageResult, pdd: Migration, warehouse: Warehouse
) -> None:
    result = drafted
    listings = _count(warehouse, "listings", pdd.key)
    assert result.figures["drafts"] + result.figures["quarantined"] == listings
    assert result.row_count == _count(warehouse, "kuaishou_drafts", pdd.key)


def test_an_item_the_ledger_knows_keeps_its_rel_item_id_when_drafted_again(
    drafted: StageResult, pdd: Migration, warehouse: Warehouse, platforms: Platforms
) -> None:
    """Items published before the target shop was part of the id keep the id they were created
    with: a new id would create them on Kuaishou a second time."""
    ledger = DuckDBLedger(warehouse)
    item = str(warehouse.scalar("SELECT min(source_item_id) FROM kuaishou_drafts"))
    legacy = legacy_rel_item_id(
        platform="pinduoduo", shop_id=pdd.source.shop_id, source_item_id=item
    )
    ledger.ledger_ensure_pending(migration=pdd.key, items=[(legacy, item)])
    draft_listings(pdd, warehouse=warehouse, platforms=platforms, ledger=ledger)
    kept = warehouse.scalar(
        "SELECT rel_item_id FROM kuaishou_drafts WHERE migration = ? AND source_item_id = ?",
        [pdd.key, item],
    )
    assert kept == legacy
