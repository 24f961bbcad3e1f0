"""`banjia batch list` and `banjia batch undo --dry-run` on a warehouse with a batch (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from banjia.cli import main
from store.duckdb_ledger import DuckDBLedger
from store.warehouse import Warehouse
from tests.report_fixture import KWAI_ITEM_ID, PUBLISHED, build_report_warehouse
from tests.samples import MIGRATION_YAML

M = "tb-test"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    migrations = tmp_path / "migrations.yaml"
    migrations.write_text(MIGRATION_YAML, encoding="utf-8")
    warehouse, _ = build_report_warehouse(tmp_path / "w.duckdb")
    with warehouse.connect() as con:  # the fixture's published item, as run "b1" recorded it
        con.execute(
            "UPDATE publish_ledger SET batch = 'b1', published_at = now() WHERE state = 'published'"
        )
    monkeypatch.setenv("BANJIA_MIGRATIONS", str(migrations))
    monkeypatch.setenv("BANJIA_WAREHOUSE", warehouse.path)
    monkeypatch.delenv("BANJIA_LEDGER_URL", raising=False)
    return warehouse


def _states(warehouse: Warehouse) -> dict[str, str]:
    return {r["source_item_id"]: r["state"] for r in DuckDBLedger(warehouse).ledger(M).values()}


def test_list_shows_each_batch_with_its_items(shop: Warehouse) -> None:
    result = CliRunner().invoke(main, ["batch", "list", "--migration", M])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("b1 "))
    assert line.split()[-3:] == ["1", "1", "0"]  # items, published, withdrawn


def test_a_dry_run_prints_what_it_would_take_down_and_changes_nothing(shop: Warehouse) -> None:
    before = _states(shop)
    result = CliRunner().invoke(
        main, ["batch", "undo", "--migration", M, "--batch", "b1", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert f"kwaiItemId {KWAI_ITEM_ID}: would withdraw" in result.output
    assert PUBLISHED in result.output and "nothing changed" in result.output
    assert _states(shop) == before


def test_an_unknown_batch_exits_2_naming_the_known_ones(shop: Warehouse) -> None:
    result = CliRunner().invoke(
        main, ["batch", "undo", "--migration", M, "--batch", "nope", "--dry-run"]
    )
    assert result.exit_code == 2
    assert "no batch 'nope'" in result.output and "b1" in result.output


def test_a_withdrawn_item_is_accounted_for_with_the_published(shop: Warehouse) -> None:
    ledger = DuckDBLedger(shop)
    (rel,) = [r for r, row in ledger.ledger(M).items() if row["state"] == "published"]
    assert ledger.mark_withdrawn(rel_item_id=rel, reason="batch undo b1")
    assert not ledger.mark_withdrawn(rel_item_id=rel, reason="again")  # only a published row
    result = CliRunner().invoke(main, ["status", "--migration", M, "--json"])
    summary = json.loads(result.output)
    assert summary["published"] == 1 and summary["unaccounted"] == []
    listed = CliRunner().invoke(main, ["batch", "list", "--migration", M]).output
    assert next(x for x in listed.splitlines() if x.startswith("b1 ")).split()[-2:] == ["0", "1"]
