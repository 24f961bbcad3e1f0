"""Which executor the code location gives runs: in-process on a DuckDB file, multiprocess on
PostgreSQL (decision 73)."""

import dagster as dg
import pytest

from assets.definitions import run_executor


def test_a_duckdb_warehouse_runs_every_step_in_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BANJIA_DATABASE_URL", raising=False)
    assert run_executor() is dg.in_process_executor


def test_a_postgresql_warehouse_lets_a_runs_steps_use_several_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BANJIA_DATABASE_URL", "postgresql://banjia@db:5432/banjia")
    assert run_executor() is dg.multi_or_in_process_executor
