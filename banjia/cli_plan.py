"""`banjia plan export | import`: the operator's review of the publish plan.

- `export` writes the migration's `publish_plan` (filled by the publish_plan asset) as CSV, one row
  per source item with its action, reason, changed fields and the draft as it would be sent, and
  blank `approve` and `exclude` columns.
- `import` reads that CSV back and records each decided row (`approve` and/or `exclude` set to
  `yes` or `no`) in `plan_approvals`; rows left blank keep their earlier decision. Every row is
  checked first (an item of the migration's plan, yes/no values, each item once): if any is
  wrong, nothing is recorded and every wrong row is named with its line and the fix.

Later runs honour the decisions: an excluded item is never published; with `publish.approval:
required` only approved items are.

Exit status: 0 on success, 1 when the input is wrong (the message says what to do).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from store.plan_approvals import Approval

__all__ = ["plan"]

PLAN_COLUMNS = (
    "source_item_id",
    "action",
    "reason",
    "changed_fields",
    "title",
    "category_path",
    "price_min_yuan",
    "price_max_yuan",
    "sku_count",
    "main_images",
    "approve",
    "exclude",
)
YES_NO = {"yes": True, "no": False}


@click.group()
def plan() -> None:
    """The publish plan: what the next run would do per item, and the operator's approvals."""


@plan.command("export")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def plan_export(key: str, out_file: Path | None) -> None:
    """Write the plan as CSV: fill approve (yes/no) and/or exclude (yes/no), then import it."""
    from banjia.cli_categories import _migration, _warehouse

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
    out.writerow(PLAN_COLUMNS)
    for row in rows:
        out.writerow(["" if row.get(c) is None else row[c] for c in PLAN_COLUMNS[:-2]] + ["", ""])
    if out_file is None:
        click.echo(buffer.getvalue(), nl=False)
    else:
        out_file.write_text(buffer.getvalue(), encoding="utf-8")
        click.echo(f"{len(rows)} plan rows written to {out_file}", err=True)


@plan.command("import")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def plan_import(key: str, plan_file: Path) -> None:
    """Check every row of an edited plan CSV, then record its approvals and exclusions."""
    from banjia.cli_categories import _migration, _warehouse
    from store.plan_approvals import save_approvals

    migration = _migration(key)
    store = _warehouse()
    items = {
        r["source_item_id"]
        for r in store.query(
            "SELECT source_item_id FROM publish_plan WHERE migration = ?", [migration.key]
        )
    }
    decisions, problems = read_plan_csv(plan_file.read_text(encoding="utf-8-sig"), items=items)
    if problems:
        raise click.ClickException(
            f"{plan_file}: nothing imported, fix these rows first:\n  " + "\n  ".join(problems)
        )
    save_approvals(store, migration.key, decisions)
    approved = sum(1 for d in decisions if d.approved and not d.excluded)
    excluded = sum(1 for d in decisions if d.excluded)
    click.echo(
        f"{len(decisions)} decisions recorded for {migration.key}: {approved} approved, "
        f"{excluded} excluded",
        err=True,
    )


def read_plan_csv(text: str, *, items: set[str]) -> tuple[list[Approval], list[str]]:
    """The decided rows of a plan CSV, and a message per wrong row (line number and fix)."""
    from store.plan_approvals import Approval

    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c for c in ("source_item_id", "approve", "exclude") if c not in (reader.fieldnames or [])
    ]
    if missing:
        return [], [f"line 1: missing column(s) {', '.join(missing)}: export the plan again"]
    decisions: list[Approval] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        item = (row.get("source_item_id") or "").strip()
        cells = {c: (row.get(c) or "").strip().lower() for c in ("approve", "exclude")}
        wrong = [
            f"{c} is {row.get(c)!r}: write yes, no or leave it blank"
            for c, v in cells.items()
            if v and v not in YES_NO
        ]
        if item not in items:
            wrong.insert(0, f"source_item_id {item!r} is not in this migration's plan")
        elif item in seen:
            wrong.insert(0, f"source_item_id {item!r} is already on line {seen[item]}")
        else:
            seen[item] = line
        if wrong:
            problems.append(f"line {line}: " + "; ".join(wrong))
            continue
        if not any(cells.values()):
            continue
        decisions.append(
            Approval(
                source_item_id=item,
                approved=YES_NO.get(cells["approve"], False),
                excluded=YES_NO.get(cells["exclude"], False),
            )
        )
    return decisions, problems
