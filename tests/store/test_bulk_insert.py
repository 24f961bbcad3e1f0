"""Stage writes go in one bulk statement per batch: the values land as the per-row INSERT put them."""

from __future__ import annotations

from pathlib import Path

from store.warehouse import Warehouse


def _decision(i: int, *, decided: bool) -> dict[str, object]:
    return {
        "migration": "m",
        "source_item_id": f"item-{i:05d}",
        "category_id": 23001 if decided else None,
        "category_path": "女装>T恤" if decided else None,
        "confidence": 0.875 if decided else 0,
        "layer": "text" if decided else "none",
        "candidates": [{"category_id": 23001, "score": 0.5}] if decided else None,
    }


def test_a_batch_keeps_every_value_and_its_type(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    warehouse.replace_partition(
        "category_decisions", migration="m", rows=[_decision(1, decided=True)]
    )
    row = warehouse.query("SELECT * FROM category_decisions")[0]
    assert row["category_id"] == 23001
    assert row["category_path"] == "女装>T恤"
    assert row["confidence"] == 0.875
    assert (
        warehouse.scalar(
            "SELECT json_extract(candidates, '$[0].score')::DOUBLE FROM category_decisions"
        )
        == 0.5
    )


def test_values_after_a_long_run_of_blanks_are_kept(tmp_path: Path) -> None:
    """DuckDB reads a column's type from the first rows of a frame: a batch that starts with
    thousands of undecided items must still store the decided ones after them."""
    warehouse = Warehouse(tmp_path / "w.duckdb")
    rows = [_decision(i, decided=i >= 3000) for i in range(3500)]
    warehouse.replace_partition("category_decisions", migration="m", rows=rows)
    counts = warehouse.query(
        "SELECT count(*) AS n, count(category_id) AS decided, count(candidates) AS with_candidates, "
        "sum(confidence) AS confidence FROM category_decisions"
    )[0]
    assert counts == {"n": 3500, "decided": 500, "with_candidates": 500, "confidence": 437.5}
