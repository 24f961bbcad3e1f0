"""What the extract keeps of the listing: one entry per listed item id, whose version and modified
time come with each detail it reads (issue 19 holds it to one small object per item)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from connectors.source import ListedItem
from listings.cursor import ExtractCursor
from pipeline.extract import ExtractResult, extract_shop

MAY_1 = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
MAY_2 = datetime(2025, 5, 2, 18, 0, tzinfo=UTC)


class _Reader:
    """A Taobao-like listing: item 7 moved from the warehouse to the shelf while it was listed,
    so both the inventory and the on-sale pages name it."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def list_items(self, *, cursor: ExtractCursor) -> list[ListedItem]:
        return [
            ListedItem(item_id="7", version="2025-05-01 09:30:00", modified=MAY_1),
            ListedItem(item_id="8", version="2025-05-02 18:00:00", modified=MAY_2),
            ListedItem(item_id="7", version="2025-05-01 09:30:00", modified=MAY_1),
        ]

    async def read_details(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        self.asked += ids
        return [{"num_iid": int(i), "title": f"item {i}"} for i in ids], []


def _extract(reader: _Reader, known_versions: dict[str, str]) -> tuple[ExtractResult, list[Any]]:
    seen: list[Any] = []

    def on_batch(result: ExtractResult, batch: dict[str, dict[str, Any]]) -> None:
        seen.extend(
            (item_id, result.listing[item_id].version, result.listing[item_id].modified)
            for item_id in batch
        )

    result = asyncio.run(
        extract_shop(
            reader,
            item_id=lambda payload: str(payload["num_iid"]),
            known_versions=known_versions,
            cursor=ExtractCursor(),
            on_batch=on_batch,
        )
    )
    return result, seen


def test_an_item_listed_twice_is_read_once_with_its_listed_version() -> None:
    reader = _Reader()
    result, seen = _extract(reader, known_versions={})
    assert sorted(reader.asked) == ["7", "8"]
    assert sorted(seen) == [
        ("7", "2025-05-01 09:30:00", MAY_1),
        ("8", "2025-05-02 18:00:00", MAY_2),
    ]
    assert result.cursor.last_modified == MAY_2


def test_an_unchanged_item_is_not_read_and_a_delisted_one_is_gone() -> None:
    reader = _Reader()
    result, _ = _extract(reader, known_versions={"7": "2025-05-01 09:30:00", "9": "2025-04-30"})
    assert reader.asked == ["8"]
    assert (result.unchanged_ids, result.gone_ids) == (["7"], ["9"])
