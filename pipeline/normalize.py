"""Normalize: every raw payload parsed into the canonical `Listing`, or quarantined by name.

A payload the connector cannot read is quarantined as `unparseable` with the field and the reason;
the rest of the shop goes on. An item that left the source listing since it was read is kept and
marked off-shelf (or deleted, when the warehouse list is read too).
"""

from __future__ import annotations

import json
from typing import Any

from connectors.content import ParseProblem
from listings.migrations import Migration
from listings.model import Listing, ListingStatus
from listings.quarantine import Stage
from pipeline.clients import Platforms
from pipeline.progress import Progress
from pipeline.results import CheckVerdict, StageFailedError, StageResult
from store.warehouse import Warehouse

__all__ = ["normalize"]


def _listing_row(migration_key: str, listing: Listing) -> dict[str, Any]:
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
        "listing": listing.model_dump_json(),
    }


def _as_gone(listing: Listing, migration: Migration) -> Listing:
    """A listing that left the source listing since it was read: kept, marked off-shelf (or,
    when the warehouse is listed too, deleted: it is in neither list any more)."""
    if not (migration.source.include_inventory or listing.status is ListingStatus.ONSALE):
        return listing
    gone = ListingStatus.DELETED if migration.source.include_inventory else ListingStatus.OFFSHELF
    return listing.model_copy(update={"status": gone})


NORMALIZE_BATCH = 500  # payloads parsed between two progress updates


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
    raw = warehouse.query(
        "SELECT source_item_id, payload, source_state FROM raw_listings WHERE migration = ? "
        "ORDER BY 1",
        [migration.key],
    )
    rows: list[dict[str, Any]] = []
    problems: list[dict[str, str]] = []
    progress = progress or Progress("normalize", migration.key)
    progress.start(len(raw))
    for index, row in enumerate(raw, start=1):
        if index % NORMALIZE_BATCH == 0:
            progress.advance(done=len(rows) - progress.done, failed=len(problems) - progress.failed)
        try:
            listing = connector.parse(
                json.loads(row["payload"]), migration=migration, base_url=api_url
            )
        except ParseProblem as exc:
            problems.append(
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
        rows.append(_listing_row(migration.key, listing))
    if raw and not rows:
        example = problems[0]
        raise StageFailedError(
            f"migration {migration.key!r}: normalize: none of the {len(raw)} source items could be "
            f"read (e.g. item {example['source_item_id']}: {example['detail']}); the source's "
            "payloads do not match what the connector expects: check source.platform and the API "
            "version, then re-run"
        )
    progress.advance(done=len(rows) - progress.done, failed=len(problems) - progress.failed)
    progress.finish()
    warehouse.replace_partition("listings", migration=migration.key, rows=rows)
    warehouse.replace_quarantine(migration=migration.key, stages=[Stage.NORMALIZE], rows=problems)
    return StageResult(
        figures={"parsed": len(rows), "quarantined": len(problems)},
        preview=[
            {k: r[k] for k in ("source_item_id", "title", "sku_count", "price_min_fen")}
            for r in rows
        ],
        row_count=len(rows),
        checks=[
            CheckVerdict(
                name="every_raw_listing_parsed_or_quarantined",
                passed=len(rows) + len(problems) == len(raw),
                metadata={"raw": len(raw), "parsed": len(rows), "quarantined": len(problems)},
            )
        ],
    )
