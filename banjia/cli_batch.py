"""`banjia batch`: the batches publish runs created, and undoing one (issue 18)."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from store.ledger import Ledger
    from store.warehouse import Warehouse

__all__ = ["batch"]


@click.group()
def batch() -> None:
    """The items each publish run created (a batch), and taking one batch off the shelf."""


def _open() -> tuple[Warehouse, Ledger]:
    from pipeline.settings import load_settings
    from pipeline.stores import open_settings_ledger, open_warehouse

    settings = load_settings()
    if missing := settings.missing_warehouse():
        raise click.ClickException(f"{missing}: run `make demo` first")
    warehouse = open_warehouse(settings)
    return warehouse, open_settings_ledger(warehouse, settings)


@batch.command("list")
@click.option("--migration", "key", required=True, help="The migration's key.")
def list_batches(key: str) -> None:
    """Every batch of a migration: id, when its first item was created, items (still published /
    withdrawn)."""
    from banjia.config import migration_or_exit

    migration = migration_or_exit(key)
    _, ledger = _open()
    try:
        rows = ledger.batches(migration.key)
    finally:
        ledger.close()
    if not rows:
        click.echo(f"migration {migration.key}: no batches yet")
        return
    click.echo(
        f"{'batch':<26} {'created (UTC)':<20} {'items':>6} {'published':>9} {'withdrawn':>9}"
    )
    for row in rows:
        when = row["first_published_at"]
        shown = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if when else "?"
        click.echo(
            f"{row['batch']:<26} {shown:<20} {row['items']:>6} {row['published']:>9} "
            f"{row['withdrawn']:>9}"
        )


@batch.command("undo")
@click.option("--migration", "key", required=True, help="The migration's key.")
@click.option("--batch", "batch_id", required=True, help="The batch id (`banjia batch list`).")
@click.option("--dry-run", is_flag=True, help="Print what would be taken down; change nothing.")
def undo(key: str, batch_id: str, dry_run: bool) -> None:
    """Take a batch's items off the Kuaishou shelf and mark them withdrawn in the ledger.

    Their relItemIds stay in the ledger and are never created again. Running it again finishes an
    undo that stopped half-way.
    """
    from banjia.config import fail, migration_or_exit
    from pipeline.clients import Platforms
    from pipeline.settings import load_settings
    from pipeline.undo import BatchNotFoundError, undo_batch

    migration = migration_or_exit(key)
    warehouse, ledger = _open()
    try:
        outcome = undo_batch(
            migration,
            batch_id,
            warehouse=warehouse,
            ledger=ledger,
            platforms=Platforms.from_settings(load_settings()),
            dry_run=dry_run,
        )
    except BatchNotFoundError as exc:
        fail(str(exc), status=2)
    finally:
        ledger.close()
    verb = "would take off the shelf" if dry_run else "off the shelf"
    click.echo(
        f"migration {migration.key} batch {batch_id}: {outcome.items} item(s); "
        f"{outcome.already_withdrawn} already withdrawn"
    )
    for row in outcome.to_take_down:
        rel = int(row["rel_item_id"])
        if dry_run:
            mark = "would withdraw"
        elif rel in outcome.failed:
            mark = f"FAILED ({outcome.failed[rel]})"
        else:
            mark = "withdrawn"
        click.echo(
            f"  {row['source_item_id']:<20} relItemId {rel} kwaiItemId {row['kwai_item_id']}: {mark}"
        )
    if dry_run:
        click.echo(f"dry run: {len(outcome.to_take_down)} item(s) {verb}; nothing changed")
        return
    click.echo(f"{len(outcome.taken_down)} item(s) {verb} and marked withdrawn")
    if outcome.failed:
        fail(f"{len(outcome.failed)} item(s) not taken down: run the undo again", status=1)
