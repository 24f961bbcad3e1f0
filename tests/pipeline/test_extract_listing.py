"""What the extract does with the listing: it keeps it in the warehouse while the run lasts, not in
memory (issue 19, decision 89), and decides there what to read, what is unchanged and what left."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from connectors.source import ListedItem
from listings.cursor import ExtractCursor
from pipeline import extract as extract_module
from pipeline.extract import ExtractResult, extract_shop
from store.listed_items import ListedItems
from store.warehouse import Warehouse

M = "taobao-test"
MAY_1 = datetime(2025, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
MAY_2 = datetime(2025, 5, 2, 18, 0, tzinfo=UTC)


class _Reader:
    """A Taobao-like listing: item 7 moved from the warehouse to the shelf while it was listed,
    so both the inventory and the on-sale pages name it."""

    def __init__(self, listed: Sequence[ListedItem] | None = None) -> None:
        self.asked: list[str] = []
        self._listed = listed or [
            ListedItem(item_id="7", version="2025-05-01 09:30:00", modified=MAY_1),
            ListedItem(item_id="8", version="2025-05-02 18:00:00", modified=MAY_2),
            ListedItem(item_id="7", version="2025-05-01 09:30:00", modified=MAY_1),
        ]

    async def list_items(self, *, cursor: ExtractCursor) -> AsyncIterator[ListedItem]:
        for item in self._listed:
            yield item

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        self.asked += ids
        return [{"num_iid": int(i), "title": f"item {i}"} for i in ids], []


def _warehouse(tmp_path: Path, known: Mapping[str, str]) -> Warehouse:
    """A warehouse holding these items as listed, with these versions."""
    warehouse = Warehouse(tmp_path / "w.duckdb")
    warehouse.upsert_raw_listings(
        migration=M,
        rows=[
            {
                "migration": M,
                "platform": "taobao",
                "shop_id": "shop",
                "source_item_id": item_id,
                "payload": {"num_iid": int(item_id)},
                "fetched_at": datetime.now(UTC),
                "version": version,
                "modified_at": None,
                "source_state": "listed",
            }
            for item_id, version in known.items()
        ],
    )
    return warehouse


def _extract(
    reader: _Reader, warehouse: Warehouse, *, max_items: int | None = None
) -> tuple[ExtractResult, list[Any]]:
    seen: list[Any] = []

    def on_batch(listed: Mapping[str, ListedItem], batch: dict[str, dict[str, Any]]) -> None:
        seen.extend(
            (item_id, listed[item_id].version, listed[item_id].modified) for item_id in batch
        )

    result = asyncio.run(
        extract_shop(
            reader,
            item_id=lambda payload: str(payload["num_iid"]),
            listing=ListedItems(warehouse, M),
            cursor=ExtractCursor(),
            on_batch=on_batch,
            max_items=max_items,
        )
    )
    return result, seen


def test_an_item_listed_twice_is_read_once_with_its_listed_version(tmp_path: Path) -> None:
    reader = _Reader()
    result, seen = _extract(reader, _warehouse(tmp_path, {}))
    assert sorted(reader.asked) == ["7", "8"]
    assert sorted(seen) == [
        ("7", "2025-05-01 09:30:00", MAY_1),
        ("8", "2025-05-02 18:00:00", MAY_2),
    ]
    assert result.listed == 2
    assert result.cursor.last_modified == MAY_2


def test_the_modified_time_comes_back_from_the_warehouse_with_its_offset(tmp_path: Path) -> None:
    _, seen = _extract(_Reader(), _warehouse(tmp_path, {}))
    modified = {item_id: when for item_id, _, when in seen}
    assert modified["7"].utcoffset() == timedelta(hours=8)
    assert str(modified["7"]) == "2025-05-01 09:30:00+08:00"


def test_an_unchanged_item_is_not_read_and_a_delisted_one_is_gone(tmp_path: Path) -> None:
    reader = _Reader()
    warehouse = _warehouse(tmp_path, {"7": "2025-05-01 09:30:00", "9": "2025-04-30"})
    result, _ = _extract(reader, warehouse)
    assert reader.asked == ["8"]
    assert (result.unchanged, result.gone_ids) == (1, ["9"])


def test_the_cursor_moves_over_unchanged_items_too(tmp_path: Path) -> None:
    """Unchanged items were listed: the cursor's boundary is every item seen at its latest time."""
    listed = [
        ListedItem(item_id="1", version="a", modified=MAY_2),
        ListedItem(item_id="2", version="b", modified=MAY_2),
        ListedItem(item_id="3", version="c", modified=MAY_1),
    ]
    result, _ = _extract(_Reader(listed), _warehouse(tmp_path, {"1": "a"}))
    assert result.cursor.last_modified == MAY_2
    assert result.cursor.boundary_ids == ("1", "2")


def test_max_items_keeps_the_first_ids_and_marks_nothing_gone(tmp_path: Path) -> None:
    listed = [ListedItem(item_id=str(i), version="v") for i in (5, 3, 9, 1)]
    reader = _Reader(listed)
    result, _ = _extract(reader, _warehouse(tmp_path, {"42": "v"}), max_items=2)
    assert sorted(reader.asked) == ["1", "3"]
    assert (result.listed, result.gone_ids) == (2, [])


def test_items_are_read_in_listing_order_a_batch_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extract_module, "EXTRACT_BATCH", 2)
    monkeypatch.setattr(extract_module, "LISTING_PAGE", 3)
    listed = [ListedItem(item_id=str(i), version="v") for i in (5, 3, 9, 1, 7)]
    batches: list[list[str]] = []

    class _Batches(_Reader):
        async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
            batches.append(list(ids))
            return await super().read_details(ids)

    _extract(_Batches(listed), _warehouse(tmp_path, {}))
    assert batches == [["5", "3"], ["9", "1"], ["7"]]


def test_the_listing_is_written_to_the_warehouse_not_held(tmp_path: Path) -> None:
    """While details are read, the listing is in `listed_items`; a run cut short leaves it for
    the next run's `start` to clear."""
    warehouse = _warehouse(tmp_path, {})
    counted: list[int] = []

    class _Counting(_Reader):
        async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
            counted.append(
                int(warehouse.scalar("SELECT count(*) FROM listed_items WHERE migration = ?", [M]))
            )
            return await super().read_details(ids)

    _extract(_Counting(), warehouse)
    assert counted == [3]
    ListedItems(warehouse, M).start()
    assert warehouse.scalar("SELECT count(*) FROM listed_items WHERE migration = ?", [M]) == 0
