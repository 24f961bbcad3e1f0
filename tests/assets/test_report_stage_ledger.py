"""The report stages refuse a PostgreSQL ledger loudly rather than report nothing silently."""

from pathlib import Path

import pytest

from assets.resources import WarehouseResource


def test_report_stages_refuse_a_postgresql_ledger_with_what_to_do(tmp_path: Path) -> None:
    resource = WarehouseResource(
        path=str(tmp_path / "w.duckdb"), ledger_url="postgresql://postgres@127.0.0.1:5432/test"
    )
    with pytest.raises(NotImplementedError, match="unset BANJIA_LEDGER_URL"):
        resource.open_for_reports()


def test_report_stages_open_the_warehouse_with_the_duckdb_ledger(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BANJIA_LEDGER_URL", raising=False)
    resource = WarehouseResource(path=str(tmp_path / "w.duckdb"))
    assert resource.open_for_reports().path == str(tmp_path / "w.duckdb")
