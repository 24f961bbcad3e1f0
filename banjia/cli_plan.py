"""`banjia plan export | import`: the operator's review and edits of the publish plan.

- `export` writes the migration's `publish_plan` (filled by the publish_plan asset) as CSV, one row
  per source item with its action, reason, changed fields, the draft as it would be sent (title,
  short title, category, prices in yuan) and which fields carry the operator's edits, then blank
  columns to fill: `new_title`, `new_short_title`, `new_price_yuan`, `new_category_id`, `approve`,
  `exclude`.
- `import` reads that CSV back (`pipeline.plan_import`): every row is checked first (an item of
  the plan; yes/no; a title within 30 汉字 and free of advertising-law terms; a short title of 5 to
  19 characters; one price in yuan for an item whose SKUs share one price; a leaf of the shop's
  tree, open to it, whose required attributes the item can fill). If any row is wrong nothing is
  recorded and every wrong cell is named with its line, item, column and the fix. Blank cells keep
  the earlier decision or edit; `-` clears an earlier title, short title or price edit.

Later runs honour what was recorded: an excluded item is never published; with `publish.approval:
required` only approved items are; edited titles and prices are what the drafts carry and what is
sent (a changed edit of a published item becomes an update, its fields named in the plan); a
category edit is an `item:<id>` override, taken by the next category_decisions run.

Exit status: 0 on success, 1 when the input is wrong (the message says what to do).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from banjia.spreadsheet_files import read_spreadsheet_csv, write_spreadsheet_csv

__all__ = ["plan"]

PLAN_COLUMNS = (
    "source_item_id",
    "action",
    "reason",
    "changed_fields",
    "edited_fields",
    "title",
    "short_title",
    "category_id",
    "category_path",
    "price_min_yuan",
    "price_max_yuan",
    "sku_count",
    "main_images",
)
"""What the plan shows; the columns to fill (`pipeline.plan_import`) follow them."""


@click.group()
def plan() -> None:
    """The publish plan: what the next run would do per item, and the operator's approvals."""


@plan.command("export")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def plan_export(key: str, out_file: Path | None) -> None:
    """Write the plan as CSV: fill the new_* columns to edit an item, approve and/or exclude
    (yes/no), then import it."""
    from banjia.cli_categories import _migration, _warehouse
    from pipeline.plan_import import DECISION_COLUMNS, EDIT_COLUMNS

    migration = _migration(key)
    rows = _warehouse().query(
        "SELECT * FROM publish_plan WHERE migration = ? ORDER BY source_item_id", [migration.key]
    )
    if not rows:
        raise click.ClickException(
            f"migration {key!r} has no publish plan yet: materialize publish_plan for it, then "
            "export again"
        )
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow([*PLAN_COLUMNS, *EDIT_COLUMNS, *DECISION_COLUMNS])
    blanks = [""] * (len(EDIT_COLUMNS) + len(DECISION_COLUMNS))
    for row in rows:
        out.writerow(["" if row.get(c) is None else row[c] for c in PLAN_COLUMNS] + blanks)
    if out_file is None:
        click.echo(buffer.getvalue(), nl=False)
    else:
        write_spreadsheet_csv(out_file, buffer.getvalue())
        click.echo(f"{len(rows)} plan rows written to {out_file}", err=True)


@plan.command("import")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def plan_import(key: str, plan_file: Path) -> None:
    """Check every row of an edited plan CSV, then record its approvals, exclusions and edits."""
    import httpx

    from banjia.cli_categories import _migration, _warehouse
    from connectors.http import PlatformError
    from pipeline.clients import Platforms
    from pipeline.plan_import import read_plan_import, record_plan_import
    from pipeline.settings import load_settings

    migration = _migration(key)
    store = _warehouse()
    try:
        result = read_plan_import(
            migration,
            read_spreadsheet_csv(plan_file),
            warehouse=store,
            platforms=Platforms.from_settings(load_settings()),
        )
    except (PlatformError, httpx.HTTPError) as exc:
        raise click.ClickException(
            f"{plan_file}: nothing imported: a category edit needs its leaf's attributes from "
            f"Kuaishou (open.item.category.config), which failed: {exc}; try again"
        ) from None
    if result.problems:
        raise click.ClickException(
            f"{plan_file}: nothing imported, fix these rows first:\n  "
            + "\n  ".join(result.problems)
        )
    record_plan_import(migration, result, warehouse=store)
    approved = sum(1 for d in result.approvals if d.approved and not d.excluded)
    excluded = sum(1 for d in result.approvals if d.excluded)
    click.echo(
        f"{migration.key}: {len(result.approvals)} decisions recorded ({approved} approved, "
        f"{excluded} excluded), {len(result.edits)} items edited, {len(result.categories)} "
        "category overrides added; materialize kuaishou_drafts and publish_plan (category "
        "edits: from category_decisions) to see them in the plan",
        err=True,
    )
