"""Issue 18 end to end: the demo's publish run is one batch; undoing it takes exactly its items off
the Kuaishou sandbox's shelf, and the next materialization creates nothing for them."""

from __future__ import annotations

import dagster as dg
import pytest

from pipeline.migrations_file import load_migrations
from pipeline.settings import PROJECT_ROOT
from pipeline.undo import undo_batch
from sandbox.app import Sandbox
from store import DuckDBLedger, Warehouse, migration_status
from tests.assets.conftest import Materialize
from tests.inprocess import InProcessPlatforms

M = "taobao-demo"


@pytest.fixture(scope="module")
def first_run(materialize: Materialize) -> dg.ExecuteInProcessResult:
    result = materialize()
    assert result.success
    return result


def _batch_of_the_run(result: dg.ExecuteInProcessResult) -> str:
    materializations = [e.materialization for e in result.get_asset_materialization_events()]
    found = [m.metadata["batch"].value for m in materializations if "batch" in m.metadata]
    assert len(found) == 1
    return str(found[0])


def test_undoing_the_demos_batch_takes_its_items_down_and_a_rerun_creates_none(
    first_run: dg.ExecuteInProcessResult,
    materialize: Materialize,
    warehouse: Warehouse,
    sandbox: Sandbox,
) -> None:
    ledger = DuckDBLedger(warehouse)
    batch = _batch_of_the_run(first_run)
    (listed,) = ledger.batches(M)
    assert listed["batch"] == batch and listed["items"] == listed["published"] > 0
    migration = load_migrations(PROJECT_ROOT / "data" / "migrations.yaml").get(M)
    platforms = InProcessPlatforms(client_rate_limits=False).platforms()

    dry = undo_batch(
        migration, batch, warehouse=warehouse, ledger=ledger, platforms=platforms, dry_run=True
    )
    assert len(dry.to_take_down) == listed["items"] and not dry.taken_down
    assert not any(item.taken_down for item in sandbox.kuaishou.items.values())

    done = undo_batch(migration, batch, warehouse=warehouse, ledger=ledger, platforms=platforms)
    assert len(done.taken_down) == listed["items"] and not done.failed
    withdrawn = {
        int(r["kwai_item_id"]) for r in ledger.batch_rows(M, batch) if r["state"] == "withdrawn"
    }
    assert len(withdrawn) == listed["items"]
    assert {k for k, item in sandbox.kuaishou.items.items() if item.taken_down} == withdrawn

    items_before = len(sandbox.kuaishou.items)
    assert materialize().success
    assert len(sandbox.kuaishou.items) == items_before  # nothing created again
    assert not sandbox.kuaishou.duplicate_creates
    status = migration_status(warehouse, M, ledger=ledger)
    assert status["unaccounted"] == [] and status["overlapping"] == []
