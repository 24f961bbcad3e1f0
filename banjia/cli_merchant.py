"""`banjia report` and `banjia items`: what a merchant asks after a run, without Dagster.

Both read the warehouse and the ledger the pipeline wrote (`BANJIA_WAREHOUSE`, `BANJIA_LEDGER_URL`)
through the same functions the `migration_report` asset uses, so the command line and the UI say
the same thing.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from listings.migrations import Migration
    from store import Ledger, Warehouse

__all__ = ["items", "report"]

ITEM_COLUMNS = (
    "source_item_id",
    "state",
    "stage",
    "reason_code",
    "kwai_item_id",
    "rel_item_id",
    "ledger_state",
    "fix",
    "detail",
    "review",
    "review_reason_code",
    "review_fix",
    "review_reason",
    "review_answer",
    "shelf",
    "offline_reason",
)


@contextmanager
def _opened(key: str) -> Iterator[tuple[Migration, Warehouse, Ledger]]:
    """The migration named `key`, the warehouse and the ledger; a clear error when any is missing."""
    from listings.migrations import MigrationsConfigError
    from pipeline.migrations_file import load_migrations
    from pipeline.settings import load_settings
    from pipeline.stores import open_settings_ledger, open_warehouse

    settings = load_settings()
    try:
        config = load_migrations(settings.migrations)
    except (OSError, MigrationsConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    if key not in config.keys:
        raise click.ClickException(
            f"unknown migration {key!r} in {settings.migrations}; known: {', '.join(config.keys)}"
        )
    if missing := settings.missing_warehouse():
        raise click.ClickException(f"{missing}: run `make demo` first")
    warehouse = open_warehouse(settings)
    ledger = open_settings_ledger(warehouse, settings)
    try:
        yield config.get(key), warehouse, ledger
    finally:
        ledger.close()


@click.command("report")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The HTML file to write (default: <reports dir>/<migration>/cli-<UTC time>.html).",
)
def report(key: str, out: Path | None) -> None:
    """Write the migration report (one self-contained HTML file) and print its path."""
    from pipeline.migration_report import reports_dir, write_migration_report

    run_id = "cli-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with _opened(key) as (migration, warehouse, ledger):
        result = write_migration_report(
            migration,
            warehouse=warehouse,
            ledger=ledger,
            out_dir=reports_dir(warehouse),
            run_id=run_id,
            out_file=out,
        )
    figures = result.figures
    click.echo(figures["report_path"])
    click.echo(
        f"  {figures['source_items']} source items = {figures['published']} published + "
        f"{figures['quarantined']} quarantined + {figures['pending']} pending",
        err=True,
    )
    if not all(check.passed for check in result.checks):
        click.echo("  the counts do not add up: see the report's summary", err=True)
        sys.exit(1)


@click.command("items")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.option(
    "--state",
    type=click.Choice(["published", "quarantined", "pending", "unaccounted"]),
    default=None,
    help="Only the items in this state.",
)
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header, for a spreadsheet.")
def items(key: str, state: str | None, as_csv: bool) -> None:
    """Every source item: its state, a quarantined one's reason and fix, a created one's review."""
    from listings.merchant_fixes import fix_for
    from pipeline.resubmit import review_answer
    from pipeline.review import review_label, shelf_label
    from store.item_states import ItemStatus, item_states
    from store.resubmissions import load_resubmissions
    from store.reviews import load_reviews

    with _opened(key) as (migration, warehouse, ledger):
        rows = item_states(
            warehouse,
            migration.key,
            ledger=ledger,
            state=ItemStatus(state) if state else None,
        )
        reviews = {r["source_item_id"]: r for r in load_reviews(warehouse, migration.key).values()}
        resubmitted = {
            r["source_item_id"]: r for r in load_resubmissions(warehouse, migration.key).values()
        }
    records = []
    for row in rows:
        review = reviews.get(row.source_item_id)
        records.append(
            {
                **row.model_dump(mode="json"),
                "fix": fix_for(row.reason_code, row.detail),
                "review": review_label(review["audit_status"]) if review else None,
                "review_reason_code": review["reason_code"] if review else None,
                "review_fix": review["fix"] if review else None,
                "review_reason": review["audit_reason"] if review else None,
                "review_answer": review_answer(review, resubmitted.get(row.source_item_id))
                if review
                else None,
                "shelf": shelf_label(review["on_shelf"]) if review else None,
                "offline_reason": review["offline_reason"] if review else None,
            }
        )
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=ITEM_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: record.get(c) for c in ITEM_COLUMNS} for record in records)
        return
    for record in records:
        kwai = record["kwai_item_id"] or ""
        click.echo(f"{record['source_item_id']:<20} {record['state']:<12} {kwai!s:<14}", nl=False)
        if record["reason_code"]:
            click.echo(f" {record['reason_code']} (at {record['stage']}): {record['fix']}")
        elif record["review_reason_code"]:
            click.echo(
                f" {record['review']}: {record['review_reason_code']}: {record['review_fix']}"
                f" [{record['review_answer']}]"
            )
        elif record["shelf"] == shelf_label(False):
            click.echo(f" {record['review']}, {record['shelf']}: {record['offline_reason'] or '?'}")
        else:
            click.echo(f" {record['review'] or ''}".rstrip())
    click.echo(f"{len(records)} items", err=True)
