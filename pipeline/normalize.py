"""Normalize: every raw payload parsed into the canonical `Listing`, or quarantined by name.

Streamed in batches from `raw_listings` (memory holds one batch, however large the shop); the
old partition is replaced once the first payload reads, so a connector that reads none fails
the run without touching what the last good run wrote.

A payload the connector cannot read is quarantined as `unparseable` with the field and the reason;
the rest of the shop goes on. An item that left the source listing since it was read is kept and
marked off-shelf (or deleted, when the warehouse list is read too).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from connectors.content import ParseProblem
from connectors.source import SourceConnector
from listings.migrations import Migration
from listings.model import Listing, ListingStatus
from listings.quarantine import Stage
from pipeline.clients import Platforms
from pipeline.gc_policy import long_stage_collector
from pipeline.progress import Progress
from pipeline.results import CheckVerdict, StageFailedError, StageResult
from pipeline.stage_memory import streaming_stage
from store.warehouse import Warehouse

__all__ = ["NORMALIZE_BATCH_SIZE", "listing_row", "normalize"]

# Payloads parsed per warehouse read/write: memory holds one batch, however large the shop.
NORMALIZE_BATCH_SIZE = 500
PREVIEW_ROWS = 10


def listing_row(migration_key: str, listing: Listing) -> dict[str, Any]:
    """A canonical listing as its `listings` row (benches fill the table with it too)."""
    return {
        "migration": migration_key,
        "source_item_id": listing.source_item_id,
        "title": listing.title,
        "status": listing.status.value,
        "sku_count": len(listing.active_skus),
        "price_min_fen": listing.price_min_fen,
        "price_max_fen": listing.price_max_fen,
        "main_image_count": len(listing.main_images),
        "has_video": listing.video_url is not None,
        "has_short_title": listing.short_title is not None,
        # The raw payload stays in `raw_listings` only: carried here too, it doubled what every
        # later stage reads and validates (issue 19).
        "listing": listing.model_dump_json(exclude={"raw"}),
    }


def _as_gone(listing: Listing, migration: Migration) -> Listing:
    """A listing that left the source listing since it was read: kept, marked off-shelf (or,
    when the warehouse is listed too, deleted: it is in neither list any more)."""
    if not (migration.source.include_inventory or listing.status is ListingStatus.ONSALE):
        return listing
    gone = ListingStatus.DELETED if migration.source.include_inventory else ListingStatus.OFFSHELF
    return listing.model_copy(update={"status": gone})


class _Parsed(NamedTuple):
    listings: list[dict[str, Any]]
    problems: list[dict[str, str]]


def _parsed_rows(
    batch: list[dict[str, Any]], migration: Migration, *, connector: SourceConnector, api_url: str
) -> _Parsed:
    """One batch of raw payloads as `listings` rows, and the quarantine rows of those unread."""
    parsed = _Parsed([], [])
    for row in batch:
        try:
            listing = connector.parse(
                json.loads(row["payload"]), migration=migration, base_url=api_url
            )
        except ParseProblem as exc:
            parsed.problems.append(
                {
                    "source_item_id": row["source_item_id"],
                    "stage": Stage.NORMALIZE.value,
                    "reason_code": "unparseable",
                    "detail": f"{exc.field}: {exc.reason}",
                }
            )
            continue
        if row["source_state"] == "gone":
            listing = _as_gone(listing, migration)
        parsed.listings.append(listing_row(migration.key, listing))
    return parsed


@long_stage_collector()  # the collector skips the imported heap (decision 84)
@streaming_stage  # DuckDB's streaming cap for the stage (decision 100)
def normalize(
    migration: Migration,
    *,
    warehouse: Warehouse,
    platforms: Platforms,
    progress: Progress | None = None,
) -> StageResult:
    """Parse the migration's raw payloads into `listings`; quarantine the unreadable ones.

    Raises:
        StageFailedError: not one payload could be read: the connector, not the items, is wrong.
    """
    connector, api_url = platforms.source_connector(migration)
    progress = progress or Progress("normalize", migration.key)
    progress.start(
        int(
            warehouse.scalar(
                "SELECT count(*) FROM raw_listings WHERE migration = ?", [migration.key]
            )
        )
    )
    parsed = seen = 0
    preview: list[dict[str, Any]] = []
    problems: list[dict[str, str]] = []
    for batch in warehouse.partition_batches(
        "raw_listings",
        migration=migration.key,
        columns=("source_item_id", "payload", "source_state"),
        batch_size=NORMALIZE_BATCH_SIZE,
    ):
        seen += len(batch)
        rows = _parsed_rows(batch, migration, connector=connector, api_url=api_url)
        problems.extend(rows.problems)
        progress.advance(done=len(rows.listings), failed=len(rows.problems))
        if not rows.listings:
            continue
        if not parsed:  # the first readable batch: only now is the old partition replaced
            warehouse.delete_partition("listings", migration=migration.key)
        warehouse.append_rows("listings", rows.listings)
        parsed += len(rows.listings)
        preview.extend(
            {k: r[k] for k in ("source_item_id", "title", "sku_count", "price_min_fen")}
            for r in rows.listings[: max(0, PREVIEW_ROWS - len(preview))]
        )
    progress.finish()
    if seen and not parsed:
        example = problems[0]
        raise StageFailedError(
            f"migration {migration.key!r}: normalize: none of the {seen} source items could be "
            f"read (e.g. item {example['source_item_id']}: {example['detail']}); the source's "
            "payloads do not match what the connector expects: check source.platform and the API "
            "version, then re-run"
        )
    if not seen:
        warehouse.delete_partition("listings", migration=migration.key)
    warehouse.replace_quarantine(migration=migration.key, stages=[Stage.NORMALIZE], rows=problems)
    return StageResult(
        figures={"parsed": parsed, "quarantined": len(problems)},
        preview=preview,
        row_count=parsed,
        checks=[
            CheckVerdict(
                name="every_raw_listing_parsed_or_quarantined",
                passed=parsed + len(problems) == seen,
                metadata={"raw": seen, "parsed": parsed, "quarantined": len(problems)},
            )
        ],
    )
