"""Extract: read the source shop through its official API, incrementally, keeping payloads verbatim.

The shop is listed (ids with versions), and only new and changed items are read in detail; items
that left the listing are marked gone, not forgotten. Details are written to `raw_listings` batch
by batch as they are read, so memory holds one batch however large the shop (issue 19); the
cursor moves only once every batch is written, so a run cut short is read again from the same
cursor, and what it had already written is skipped as unchanged. Every platform is reached through its
`SourceConnector` (connectors.sources), so nothing here knows a platform.
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
from pipeline.progress import Progress, batches_of
from pipeline.results import StageResult
from store.warehouse import Warehouse

__all__ = ["ExtractResult", "extract", "extract_shop", "unstorable_field"]

# Item details read between two progress updates (each reader still batches its own calls).
EXTRACT_BATCH = 200
PREVIEW_ROWS = 10
DETAIL_MISSING = (
    "detail: listed on sale but the detail API did not return it, even alone; "
    "check the item on the source and re-run"
)


@dataclass
class ExtractResult:
    """What one extraction read, what it skipped as unchanged, and what left the shop.

    `payloads` holds the details read only when no `on_batch` took them as they came;
    `listing` is what the list call showed of each item (its version and modified time), one
    slotted `ListedItem` per id and nothing else per item, since it is held for the whole run.
    """

    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)
    listing: dict[str, ListedItem] = field(default_factory=dict)
    missing_ids: list[str] = field(default_factory=list)
    unchanged_ids: list[str] = field(default_factory=list)
    gone_ids: list[str] = field(default_factory=list)
    listed: int = 0
    cursor: ExtractCursor = field(default_factory=ExtractCursor)


async def extract_shop(
    reader: SourceReader,
    *,
    item_id: Any,
    known_versions: Mapping[str, str],
    cursor: ExtractCursor,
    max_items: int | None = None,
    progress: Progress | None = None,
    on_batch: Callable[[ExtractResult, dict[str, dict[str, Any]]], None] | None = None,
) -> ExtractResult:
    """List the shop, read the details of new and changed items, report the unchanged and gone.

    `item_id` names a payload's item (the connector's `item_id`). `on_batch` receives each batch
    of details as it is read (by item id, with the listing's versions already in the result), and
    the result then keeps none of them.
    """
    listed = await reader.list_items(cursor=cursor)
    if max_items is not None:
        listed = sorted(listed, key=lambda item: item.item_id)[:max_items]
    result = ExtractResult(listed=len(listed), listing={item.item_id: item for item in listed})
    del listed  # the dict holds the same items; a second container of them is not kept
    to_read = []
    for item in result.listing.values():
        if known_versions.get(item.item_id) == item.version:
            result.unchanged_ids.append(item.item_id)
        else:
            to_read.append(item.item_id)
    progress = progress or Progress("extract", "")
    progress.start(len(to_read))
    for chunk in batches_of(to_read, EXTRACT_BATCH):
        payloads, missing = await reader.read_details(list(chunk))
        result.missing_ids += missing
        batch = {item_id(payload): payload for payload in payloads}
        if on_batch is None:
            result.payloads.update(batch)
        else:
            on_batch(result, batch)
        progress.advance(done=len(payloads), failed=len(missing))
    progress.finish()
    if max_items is None:
        result.gone_ids = sorted(set(known_versions) - result.listing.keys())
    result.cursor = cursor.advance(
        (item.item_id, item.modified) for item in result.listing.values()
    )
    return result


async def _read_shop(
    migration: Migration,
    *,
    warehouse: Warehouse,
    platforms: Platforms,
    progress: Progress,
    on_batch: Callable[[ExtractResult, dict[str, dict[str, Any]]], None],
) -> ExtractResult:
    stored = warehouse.load_cursor(migration.key)
    cursor = ExtractCursor.model_validate_json(stored) if stored else ExtractCursor()
    connector, _ = platforms.source_connector(migration)
    async with platforms.source(migration) as client:
        return await extract_shop(
            connector.reader(client, migration),
            item_id=connector.item_id,
            known_versions=warehouse.known_versions(migration.key),
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

    def write(result: ExtractResult, batch: dict[str, dict[str, Any]]) -> None:
        """One batch of details into `raw_listings`; an unstorable one is quarantined instead."""
        nonlocal read
        rows: list[dict[str, Any]] = []
        for item_id, payload in batch.items():
            listed = result.listing.get(item_id)
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
    return StageResult(
        figures={
            "listed": result.listed,
            "read": read,
            "unchanged_not_read": len(result.unchanged_ids),
            "gone": len(result.gone_ids),
            "detail_missing": len(result.missing_ids),
            "unreadable": len(unreadable),
            "cursor_last_modified": str(result.cursor.last_modified or "none"),
        },
        preview=preview,
        row_count=read,
    )
