"""The resources take their defaults from the settings: where the warehouse and the ledger are."""

from pathlib import Path

import pytest

from assets.resources import WarehouseResource
from store import DuckDBLedger, PostgresLedger, Warehouse


def test_the_ledger_is_the_warehouse_file_unless_a_postgres_url_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BANJIA_LEDGER_URL", raising=False)
    store = Warehouse(tmp_path / "w.duckdb")
    assert isinstance(
        WarehouseResource(path=str(tmp_path / "w.duckdb")).ledger(store), DuckDBLedger
    )
    monkeypatch.setenv("BANJIA_LEDGER_URL", "postgresql://postgres@127.0.0.1:5432/test")
    ledger = WarehouseResource(ledger_schema="banjia_x").ledger(store)
    assert isinstance(ledger, PostgresLedger) and ledger.schema == "banjia_x"


def test_a_ledger_url_that_is_not_postgresql_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANJIA_LEDGER_URL", "mysql://root@db/banjia")
    with pytest.raises(ValueError, match="postgresql://"):
        WarehouseResource().ledger(Warehouse(tmp_path / "w.duckdb"))
