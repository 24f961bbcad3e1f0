"""Undo a batch (issue 18): take the items one publish run created off the Kuaishou shelf.

A batch is every item one publish run recorded (`publish_ledger.batch`, the run's id). Undoing it
sends `open.item.shelf.status.update` (off the shelf) for each of its items still `published`, and
marks each `withdrawn` in the ledger once Kuaishou has taken it down. Nothing of the history goes:
relItemId, Kuaishou item id, batch and published_at stay on the row, and publishing counts a
withdrawn item as done, so it is never created again (its relItemId is spent on Kuaishou anyway).

The take-down is a state, not an event: sending it twice changes nothing. So an undo that stops
half-way (a crash, a refusal) is finished by running it again; items already withdrawn are skipped.
A dry run reads the ledger and changes nothing, on Kuaishou or in the ledger.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from connectors.kuaishou import KuaishouClient, KuaishouError
from listings.migrations import Migration
from pipeline.clients import Platforms
from store.ledger import Ledger, LedgerState
from store.warehouse import Warehouse

__all__ = ["BatchNotFoundError", "UndoOutcome", "undo_batch", "undo_batch_with"]


class BatchNotFoundError(LookupError):
    """No ledger row of the migration carries this batch id."""


@dataclass
class UndoOutcome:
    batch: str
    dry_run: bool
    items: int = 0
    to_take_down: list[dict[str, Any]] = field(default_factory=list)  # the published rows
    taken_down: list[int] = field(default_factory=list)  # relItemIds withdrawn by this run
    already_withdrawn: int = 0
    failed: dict[int, str] = field(default_factory=dict)  # relItemId → why; still published


async def undo_batch_with(
    client: KuaishouClient | None,
    *,
    ledger: Ledger,
    migration: str,
    batch: str,
    dry_run: bool = False,
) -> UndoOutcome:
    """Undo `batch` of `migration` through `client` (a dry run needs none); see the module doc."""
    rows = ledger.batch_rows(migration, batch)
    if not rows:
        known = ", ".join(str(b["batch"]) for b in ledger.batches(migration)) or "none"
        raise BatchNotFoundError(
            f"migration {migration!r} has no batch {batch!r} (its batches: {known}; "
            "`banjia batch list --migration ...` shows them)"
        )
    outcome = UndoOutcome(batch=batch, dry_run=dry_run, items=len(rows))
    outcome.to_take_down = [r for r in rows if r["state"] == LedgerState.PUBLISHED]
    outcome.already_withdrawn = sum(1 for r in rows if r["state"] == LedgerState.WITHDRAWN)
    if dry_run:
        return outcome
    if client is None:
        raise ValueError("undo_batch_with: only a dry run goes without a Kuaishou client")
    for row in outcome.to_take_down:
        rel = int(row["rel_item_id"])
        try:
            await client.set_shelf_status(int(row["kwai_item_id"]), on_shelf=False)
        except KuaishouError as exc:
            outcome.failed[rel] = str(exc)  # still published: a second undo tries it again
            continue
        if ledger.mark_withdrawn(rel_item_id=rel, reason=f"batch undo {batch}"):
            outcome.taken_down.append(rel)
    return outcome


def undo_batch(
    migration: Migration,
    batch: str,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    platforms: Platforms,
    dry_run: bool = False,
) -> UndoOutcome:
    """Undo `batch` of `migration` on its Kuaishou shop (a dry run sends nothing)."""

    async def run() -> UndoOutcome:
        if dry_run:  # reads the ledger only: no client, no token needed
            return await undo_batch_with(
                None, ledger=ledger, migration=migration.key, batch=batch, dry_run=True
            )
        client = platforms.kuaishou(migration, warehouse=warehouse)
        try:
            return await undo_batch_with(
                client, ledger=ledger, migration=migration.key, batch=batch, dry_run=dry_run
            )
        finally:
            await client.aclose()

    return asyncio.run(run())
