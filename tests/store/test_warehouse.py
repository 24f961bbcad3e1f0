"""The warehouse's accounting: every source item is published, quarantined or pending, once.

Each test runs on both backends (a DuckDB file, a scratch PostgreSQL schema), with the ledger
`open_ledger` gives the warehouse (DuckDB: in the file; PostgreSQL: on the same server).
"""

from collections.abc import Iterator
from datetime import UTC, datetime

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
