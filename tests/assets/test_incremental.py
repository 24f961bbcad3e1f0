"""Incremental extraction: a re-run reads only what changed, and what left the shop is marked.

The Taobao demo shop is materialized once; the seller then edits 5 items and delists 2 in the
sandbox; the second materialization reads exactly those 5 details, marks the 2 as gone (kept and
quarantined as off-shelf, not forgotten), and leaves the rest unread.
"""

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store.duckdb_ledger import DuckDBLedger
from store.warehouse import Warehouse, migration_status
from tests.assets.conftest import Materialize

SHOP = "demo-taobao-shop"


def _detail_ids(sandbox: Sandbox, since: int) -> set[str]:
    ids: set[str] = set()
    for call in sandbox.taobao.calls[since:]:
        if call.method == "taobao.items.seller.list.get":
            ids.update(call.params.get("num_iids", "").split(","))
        elif call.method == "taobao.item.seller.get":
            ids.add(call.params.get("num_iid", ""))
    return ids - {""}


@pytest.fixture(scope="module")
def runs(
    materialize: Materialize, sandbox: Sandbox, warehouse: Warehouse
) -> tuple[dg.ExecuteInProcessResult, list[str], list[str], int]:
    assert materialize().success
    published = [
        r["source_item_id"]
        for r in warehouse.query(
            "SELECT source_item_id FROM publish_ledger WHERE state = 'published' ORDER BY 1"
        )
    ]
    edited, delisted = published[:5], published[5:7]
    sandbox.taobao.edit_items(SHOP, [int(i) for i in edited])
    sandbox.taobao.delist(SHOP, [int(i) for i in delisted])
    calls_before = len(sandbox.taobao.calls)
    second = materialize()
    assert second.success
    return second, edited, delisted, calls_before


def test_a_re_run_reads_exactly_the_edited_items(
    runs: tuple[dg.ExecuteInProcessResult, list[str], list[str], int], sandbox: Sandbox
) -> None:
    second, edited, _, calls_before = runs
    assert _detail_ids(sandbox, calls_before) == set(edited)
    metadata = second.asset_materializations_for_node("raw_listings")[0].metadata
    assert metadata["read"].value == 5


def test_delisted_items_are_marked_gone_and_accounted_for(
    runs: tuple[dg.ExecuteInProcessResult, list[str], list[str], int], warehouse: Warehouse
) -> None:
    _, _, delisted, _ = runs
    gone = {
        r["source_item_id"]
        for r in warehouse.query(
            "SELECT source_item_id FROM raw_listings WHERE source_state = 'gone'"
        )
    }
    assert gone == set(delisted)
    status = migration_status(warehouse, "taobao-demo", ledger=DuckDBLedger(warehouse))
    assert status["unaccounted"] == [] and status["overlapping"] == []


def test_the_edited_items_carry_the_new_payload(
    runs: tuple[dg.ExecuteInProcessResult, list[str], list[str], int], warehouse: Warehouse
) -> None:
    _, edited, _, _ = runs
    cursor = warehouse.load_cursor("taobao-demo")
    assert cursor is not None and "last_modified" in cursor
    rows = warehouse.query(
        "SELECT source_item_id, modified_at FROM raw_listings WHERE source_item_id IN "
        f"({', '.join('?' for _ in edited)})",
        edited,
    )
    newest = max(r["modified_at"] for r in warehouse.query("SELECT modified_at FROM raw_listings"))
    assert all(r["modified_at"] == newest for r in rows)
