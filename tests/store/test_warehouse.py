"""The warehouse's accounting: every source item is published, quarantined or pending, once.

Each test runs on both backends (a DuckDB file, a scratch PostgreSQL schema), with the ledger
`open_ledger` gives the warehouse (DuckDB: in the file; PostgreSQL: on the same server).
"""

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store import Ledger, open_ledger
from store.warehouse import LedgerState, Warehouse, migration_status
from tests.conftest import WarehouseFactory

M = "tb-test"


@pytest.fixture
def ledger(warehouse: Warehouse) -> Iterator[Ledger]:
    handle = open_ledger(warehouse, schema=warehouse.schema)
    yield handle
    handle.close()


@pytest.fixture
def warehouse(warehouse_factory: WarehouseFactory) -> Warehouse:
    store = warehouse_factory()
    now = datetime.now(UTC)
    store.replace_partition(
        "raw_listings",
        migration=M,
        rows=[
            {
                "migration": M,
                "platform": "taobao",
                "shop_id": "s",
                "source_item_id": item_id,
                "payload": {"num_iid": item_id},
                "fetched_at": now,
            }
            for item_id in ("1", "2", "3", "4")
        ],
    )
    return store


def _draft(store: Warehouse, item_id: str, rel: int) -> None:
    with store.connect() as con:
        con.execute(
            "INSERT INTO kuaishou_drafts VALUES (?, ?, ?, 1, 1, 0, '{}')", [M, item_id, rel]
        )


def test_an_item_in_no_state_is_reported_unaccounted(warehouse: Warehouse, ledger: Ledger) -> None:
    status = migration_status(warehouse, M, ledger=ledger)
    assert status["unaccounted"] == ["1", "2", "3", "4"]


def test_published_quarantined_and_pending_items_account_for_the_shop(
    warehouse: Warehouse, ledger: Ledger
) -> None:
    _draft(warehouse, "1", 11)
    _draft(warehouse, "2", 22)
    ledger.ledger_ensure_pending(migration=M, items=[(11, "1"), (22, "2")])
    ledger.ledger_transition(rel_item_id=11, state=LedgerState.PUBLISHED, kwai_item_id=9)
    warehouse.replace_quarantine(
        migration=M,
        stages=["draft"],
        rows=[
            {"source_item_id": i, "stage": "draft", "reason_code": "no_main_image", "detail": "x"}
            for i in ("3", "4")
        ],
    )
    status = migration_status(warehouse, M, ledger=ledger)
    assert (status["published"], status["quarantined"], status["pending"]) == (1, 2, 1)
    assert status["unaccounted"] == [] and status["overlapping"] == []
    assert status["quarantined_by_reason"] == {"no_main_image": 2}


def test_a_detail_the_api_never_returned_still_counts_as_a_source_item(
    warehouse: Warehouse, ledger: Ledger
) -> None:
    warehouse.replace_quarantine(
        migration=M,
        stages=["extract"],
        rows=[
            {
                "source_item_id": "5",
                "stage": "extract",
                "reason_code": "detail_missing",
                "detail": "x",
            }
        ],
    )
    status = migration_status(warehouse, M, ledger=ledger)
    assert status["source_items"] == 5
    assert "5" not in status["unaccounted"]


def test_rewriting_a_partition_replaces_only_that_migration(warehouse: Warehouse) -> None:
    warehouse.replace_partition("raw_listings", migration="other", rows=[])
    assert warehouse.scalar("SELECT count(*) FROM raw_listings WHERE migration = ?", [M]) == 4
    warehouse.replace_partition("raw_listings", migration=M, rows=[])
    assert warehouse.scalar("SELECT count(*) FROM raw_listings") == 0


def test_a_batched_read_does_not_keep_the_blocks_it_read_cached(tmp_path: Path) -> None:
    """DuckDB keeps the table blocks it read up to its memory cap; a partition read in batches
    reads each range once, so the cache would only grow with the shop (decision 97)."""
    store = Warehouse(tmp_path / "w.duckdb")
    noise = random.Random(7)
    for start in range(0, 4000, 1000):
        store.append_rows(
            "listings",
            [
                {
                    "migration": "m",
                    "source_item_id": f"{i:05d}",
                    "listing": json.dumps({"x": noise.randbytes(6000).hex()}),
                }
                for i in range(start, start + 1000)
            ],
        )
    cached = []
    for _batch in store.partition_batches(
        "listings", migration="m", columns=("listing",), batch_size=500
    ):
        cached.append(
            store.scalar("SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'BASE_TABLE'")
        )
    assert len(cached) == 8  # ~48 MB of listings read, under the 64 MB cap
    assert max(cached) <= 16 * 2**20
