"""Extract: read the source shop through its official API, incrementally, keeping payloads verbatim.

The shop is listed (ids with versions), and only new and changed items are read in detail; items
that left the listing are marked gone, not forgotten. Nothing here holds the whole shop (issue
19): the listing goes to the warehouse page by page as it arrives (`store.listed_items`), what to
read, what is unchanged and what is gone are decided there in SQL, and the ids to read come back a
batch at a time; details are written to `raw_listings` batch by batch as they are read. The
cursor moves only once every batch is written, so a run cut short is read again from the same
cursor, and what it had already written is skipped as unchanged. Every platform is reached
through its `SourceConnector` (connectors.sources), so nothing here knows a platform.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.source import ListedItem, SourceReader
from listings.cursor import ExtractCursor
from listings.migrations import Migration
from listings.quarantine import Stage
from pipeline.clients import Platforms
from pipeline.progress import Progress
from pipeline.results import StageResult
from pipeline.stage_memory import streaming_stage
from store.listed_items import READ, UNCHANGED, ListedItems
from store.warehouse import Warehouse

__all__ = ["ExtractResult", "extract", "extract_shop", "unstorable_field"]

# Item details read between two progress updates (each reader still batches its own calls).
EXTRACT_BATCH = 200
# Listed items written to the warehouse at once, and read back at once to move the cursor.
LISTING_PAGE = 5000
PREVIEW_ROWS = 10
DETAIL_MISSING = (
    "detail: listed on sale but the detail API did not return it, even alone; "
    "check the item on the source and re-run"
)

OnBatch = Callable[[Mapping[str, ListedItem], dict[str, dict[str, Any]]], None]
"""Receives each batch of details read (by item id) with what the listing showed of them."""


@dataclass
class ExtractResult:
    """What one extraction listed, read, skipped as unchanged, and found gone; counts and the
    ids of the few that need naming (missing details, gone items), never the whole shop."""

    listed: int = 0
    unchanged: int = 0
    missing_ids: list[str] = field(default_factory=list)
    gone_ids: list[str] = field(default_factory=list)
    cursor: ExtractCursor = field(default_factory=ExtractCursor)


async def _stage_listing(reader: SourceReader, listing: ListedItems, cursor: ExtractCursor) -> None:
    """The shop's listing into the warehouse, a page at a time as it arrives."""
    listing.start()
    page: list[ListedItem] = []
    async for item in reader.list_items(cursor=cursor):
        page.append(item)
        if len(page) >= LISTING_PAGE:
            listing.append(page)
            page = []
    listing.append(page)


async def extract_shop(
    reader: SourceReader,
    *,
    item_id: Callable[[Mapping[str, Any]], str],
    listing: ListedItems,
    cursor: ExtractCursor,
    on_batch: OnBatch,
    max_items: int | None = None,
    progress: Progress | None = None,
) -> ExtractResult:
    """List the shop, read the details of new and changed items, report the unchanged and gone.

    `item_id` names a payload's item (the connector's `item_id`); `listing` is where the listing
    is kept while the run lasts (compared there with the versions `raw_listings` holds).
    `on_batch` receives each batch of details as it is read; the result keeps none of them.
    """
    await _stage_listing(reader, listing, cursor)
    listing.decide(max_items=max_items)
    result = ExtractResult(
        listed=listing.count(READ, UNCHANGED), unchanged=listing.count(UNCHANGED)
    )
    progress = progress or Progress("extract", "")
    progress.start(result.listed - result.unchanged)
    for chunk in listing.batches(READ, batch_size=EXTRACT_BATCH):
        payloads, missing = await reader.read_details([item.item_id for item in chunk])
        result.missing_ids += missing
        on_batch({item.item_id: item for item in chunk}, {item_id(p): p for p in payloads})
        progress.advance(done=len(payloads), failed=len(missing))
    progress.finish()
    if max_items is None:
        result.gone_ids = listing.gone_ids()
    result.cursor = cursor
    for page in listing.batches(READ, UNCHANGED, batch_size=LISTING_PAGE):
        result.cursor = result.cursor.advance((item.item_id, item.modified) for item in page)
    return result


async def _read_shop(
    migration: Migration,
    *,
    warehouse: Warehouse,
    platforms: Platforms,
    progress: Progress,
    on_batch: OnBatch,
) -> ExtractResult:
    stored = warehouse.load_cursor(migration.key)
    cursor = ExtractCursor.model_validate_json(stored) if stored else ExtractCursor()
    connector, _ = platforms.source_connector(migration)
    async with platforms.source(migration) as client:
        return await extract_shop(
            connector.reader(client, migration),
            item_id=connector.item_id,
            listing=ListedItems(warehouse, migration.key),
            cursor=cursor,
            max_items=migration.max_items,
            progress=progress,
            on_batch=on_batch,
        )


def unstorable_field(value: Any, path: str = "") -> str | None:
    """The path of the first text in a payload that is not valid Unicode (a lone surrogate such
    as U+DFFF, which JSON escapes allow and no database stores), or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(the payload)"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = unstorable_field(key, path) or unstorable_field(
                item, f"{path}.{key}" if path else str(key)
            )
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_field(item, f"{path}[{index}]")
            if found:
                return found
    return None


def _unreadable_row(item_id: str, field: str) -> dict[str, str]:
    return {
        "source_item_id": item_id,
        "stage": Stage.EXTRACT.value,
        "reason_code": "unreadable_source_item",
        "detail": f"{field}: holds a character that is not valid text (a lone UTF-16 surrogate); "
        "edit that field on the source shop and re-run",
    }


@streaming_stage  # DuckDB's streaming cap for the stage (decision 100)
def extract(
    migration: Migration,
    *,
    warehouse: Warehouse,
    platforms: Platforms,
    progress: Progress | None = None,
) -> StageResult:
    """Read what changed in the source shop into `raw_listings`; quarantine what cannot be read.

    One unreadable item is quarantined by name; the rest of the shop goes on.
    """
    progress = progress or Progress("extract", migration.key)
    fetched_at = datetime.now(UTC)
    unreadable: dict[str, str] = {}
    preview: list[dict[str, Any]] = []
    read = 0

    def write(listed_items: Mapping[str, ListedItem], batch: dict[str, dict[str, Any]]) -> None:
        """One batch of details into `raw_listings`; an unstorable one is quarantined instead."""
        nonlocal read
        rows: list[dict[str, Any]] = []
        for item_id, payload in batch.items():
            listed = listed_items.get(item_id)
            field = unstorable_field(payload)
            if field is not None:
                unreadable[item_id] = field
                continue
            rows.append(
                {
                    "migration": migration.key,
                    "platform": str(migration.source.platform),
                    "shop_id": migration.source.shop_id,
                    "source_item_id": item_id,
                    "payload": payload,
                    "fetched_at": fetched_at,
                    "version": listed.version if listed else "",
                    "modified_at": listed.modified if listed else None,
                    "source_state": "listed",
                }
            )
        warehouse.upsert_raw_listings(migration=migration.key, rows=rows)
        read += len(rows)
        preview.extend(
            {"source_item_id": row["source_item_id"], "title": row["payload"].get("title")}
            for row in rows[: max(0, PREVIEW_ROWS - len(preview))]
        )

    result = asyncio.run(
        _read_shop(
            migration, warehouse=warehouse, platforms=platforms, progress=progress, on_batch=write
        )
    )
    warehouse.save_extraction(
        migration=migration.key,
        rows=[],
        gone_ids=result.gone_ids,
        cursor_json=result.cursor.model_dump_json(),
    )
    warehouse.replace_quarantine(
        migration=migration.key,
        stages=[Stage.EXTRACT],
        rows=[
            {
                "source_item_id": item_id,
                "stage": Stage.EXTRACT.value,
                "reason_code": "detail_missing",
                "detail": DETAIL_MISSING,
            }
            for item_id in result.missing_ids
        ]
        + [_unreadable_row(item_id, field) for item_id, field in unreadable.items()],
    )
    ListedItems(warehouse, migration.key).finish()
    return StageResult(
        figures={
            "listed": result.listed,
            "read": read,
            "unchanged_not_read": result.unchanged,
            "gone": len(result.gone_ids),
            "detail_missing": len(result.missing_ids),
            "unreadable": len(unreadable),
            "cursor_last_modified": str(result.cursor.last_modified or "none"),
        },
        preview=preview,
        row_count=read,
    )
