"""The batched stages run under DuckDB's streaming cap, the whole-table reads under the larger one
(decision 100).

DuckDB's buffer pool fills to its cap with the blocks a stage's commits write; under the
whole-table cap a long stage's peak therefore carried that cap (issue 19: the drafts stage alone
peaked at 437 MiB on a 100,000-item shop under 64 MB, 393 under 32).
"""

import json
import random
from pathlib import Path

import pytest

from pipeline.stage_memory import streaming_stage
from store.warehouse import Warehouse
from tests.conftest import WarehouseFactory

STREAMING_CAP = "30.5 MiB"  # STREAMING_MEMORY_LIMIT (32MB) as DuckDB prints it, rounded
WHOLE_TABLE_CAP = "61.0 MiB"  # DUCKDB_MEMORY_LIMIT (64MB)


def _cap(store: Warehouse) -> str:
    return str(store.scalar("SELECT current_setting('memory_limit')"))


def _pool_peak_while_drafting(store: Warehouse, *, rows: int = 6000) -> float:
    """Appends `rows` drafts of ~6 KB (as the drafts stage writes them, 500 a commit) and returns
    the most DuckDB's pool held after a commit, in MiB."""
    noise = random.Random(7)
    peak = 0
    for start in range(0, rows, 500):
        store.append_rows(
            "kuaishou_drafts",
            [
                {
                    "migration": "m",
                    "source_item_id": f"{i:06d}",
                    "rel_item_id": i,
                    "draft": json.dumps({"skus": noise.randbytes(3000).hex()}),
                }
                for i in range(start, start + 500)
            ],
        )
        peak = max(peak, int(store.scalar("SELECT sum(memory_usage_bytes) FROM duckdb_memory()")))
    return peak / 2**20


def test_a_streaming_block_runs_under_the_streaming_cap_and_sets_the_previous_cap_back(
    tmp_path: Path,
) -> None:
    store = Warehouse(tmp_path / "w.duckdb")
    with store.connect():  # the database stays open around the block, as in a longer run
        assert _cap(store) == WHOLE_TABLE_CAP
        with store.streaming_memory():
            assert _cap(store) == STREAMING_CAP
        assert _cap(store) == WHOLE_TABLE_CAP


def test_a_nested_streaming_block_leaves_the_outer_one_under_the_streaming_cap(
    tmp_path: Path,
) -> None:
    store = Warehouse(tmp_path / "w.duckdb")
    with store.streaming_memory():
        with store.streaming_memory():
            pass
        assert _cap(store) == STREAMING_CAP
    with store.connect():
        assert _cap(store) == WHOLE_TABLE_CAP


def test_a_batched_read_inside_a_streaming_block_keeps_the_streaming_cap(tmp_path: Path) -> None:
    """The read cache is evicted per batch by lowering the cap and setting it back: back to the
    cap in force, not to the connection's configured one."""
    store = Warehouse(tmp_path / "w.duckdb")
    store.append_rows(
        "listings",
        [{"migration": "m", "source_item_id": f"{i:04d}", "listing": "{}"} for i in range(1200)],
    )
    with store.streaming_memory():
        caps = [
            _cap(store)
            for _batch in store.partition_batches(
                "listings", migration="m", columns=("listing",), batch_size=500
            )
        ]
    assert caps == [STREAMING_CAP] * 3


def test_drafts_written_under_the_streaming_cap_never_fill_the_pool_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANJIA_DUCKDB_STREAMING_MEMORY_LIMIT", "24MB")  # below what they fill
    store = Warehouse(tmp_path / "w.duckdb")
    with store.streaming_memory():
        assert _pool_peak_while_drafting(store) <= 24e6 / 2**20  # ~36 MB of drafts went through


def test_the_same_drafts_under_the_whole_table_cap_fill_the_pool_past_that_cap(
    tmp_path: Path,
) -> None:
    """Why the stages need their own cap: the same writes keep more than it in the pool."""
    store = Warehouse(tmp_path / "w.duckdb")
    with store.connect():
        assert _pool_peak_while_drafting(store) > 24e6 / 2**20


@pytest.mark.parametrize("warehouse_factory", ["duckdb", "postgres"], indirect=True)
def test_a_streaming_stage_runs_its_body_inside_the_block_on_either_backend(
    warehouse_factory: WarehouseFactory,
) -> None:
    store = warehouse_factory()

    @streaming_stage
    def stage(migration: str, *, warehouse: Warehouse) -> str:
        if warehouse.is_postgres:
            return migration
        return f"{migration}: {_cap(warehouse)}"

    expected = "m" if store.is_postgres else f"m: {STREAMING_CAP}"
    assert stage("m", warehouse=store) == expected


def test_a_streaming_stage_called_without_its_warehouse_by_keyword_says_so(
    tmp_path: Path,
) -> None:
    @streaming_stage
    def stage(warehouse: Warehouse) -> None:
        return None

    with pytest.raises(TypeError, match="stage takes its Warehouse as `warehouse=`"):
        stage(Warehouse(tmp_path / "w.duckdb"))
