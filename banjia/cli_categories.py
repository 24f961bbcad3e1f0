"""`banjia categories match | eval | sample | review export | review import`: checking and
correcting categories.

- `match` reads CSV on stdin (columns `platform, title, source_category_path`, levels joined by
  `>`; the path column may be left out) and writes CSV on stdout: the chosen Kuaishou leaf id
  and path, the confidence, the layer that decided and why, the top 3 candidates, and the
  `decision` at `--min-confidence` (default: the migrations' `category.min_confidence`):
  `publish`, `review` or `not_a_product`. It runs the pipeline's own matcher (mapping table,
  overrides, text layer) on a tree file: `--tree` for a CSV export of the shop's tree, by default
  the real marketplace tree every labelled set names (`REAL_TREE`). It never calls the platform,
  so `suggested.get` is not used.
- `eval FILE.csv` measures the matcher on hand-labelled titles (columns `platform, title,
  source_category_path, label` with `;` between acceptable leaf ids, or NONE / NOT_A_PRODUCT, and
  optionally `split`): top-1, top-3, the share published automatically and its precision at the
  threshold, and the precision/coverage curve; per split when the file has one. `--migration K`
  takes the tree of that migration's last run from the warehouse instead of `--tree`.
- `sample --migration K` writes a seeded random draw of the migration's listings in `eval`'s
  columns, `label` blank, with the last run's candidates: the merchant labels it and measures
  the matcher on their own shop (decision 172).
- `review export` writes the migration's review queue (`category_review`, filled by the
  `category_decisions` asset) as CSV with the 3 candidates and a blank `chosen_category_id`.
- `review import` reads that CSV back, checks every filled row (a leaf of the migration's tree,
  open to the shop, an item of the migration) and appends the choices to the migration's
  `category.overrides_file`, so the next run publishes them. Nothing is written if any row is
  wrong; every wrong row is named with its line.

Every CSV read may be UTF-8 (with or without a byte-order mark) or GBK, as spreadsheets save it;
files written for a spreadsheet carry a byte-order mark (banjia/spreadsheet_files.py).

Exit status: 0 on success, 1 when the input is wrong (the message says what to do).
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from banjia.spreadsheet_files import (
    read_spreadsheet_csv,
    read_spreadsheet_stdin,
    write_spreadsheet_csv,
)

if TYPE_CHECKING:
    from listings.categories import Candidate, CategoryDecision, CategoryMatcher, CategoryTree
    from listings.migrations import Migration
    from store.warehouse import Warehouse

__all__ = ["categories"]

TOP = 3
MATCH_INPUT = ("platform", "title", "source_category_path")
MATCH_REQUIRED = ("platform", "title")
"""A source without categories (a 1688 offer list, a PDD export) has no path column to give."""
PLATFORM_NAMES = {
    "taobao": "taobao",
    "淘宝": "taobao",
    "tmall": "tmall",
    "天猫": "tmall",
    "pdd": "pinduoduo",
    "pinduoduo": "pinduoduo",
    "拼多多": "pinduoduo",
    "1688": "alibaba1688",
    "alibaba1688": "alibaba1688",
    "alibaba": "alibaba1688",
    "阿里巴巴": "alibaba1688",
}
"""What a merchant may write in the `platform` column, and the source it means."""

REAL_TREE = "data/categories/marketplace_tree_subset.csv"
"""The tree `match` and `eval` read when given none: 671 rows of a real marketplace's tree, the one
every labelled set of tests/fixtures (and issue 14's held-out sets) is labelled to. Not the
sandbox's tree, which adds 13 invented nodes (男装, 食品, 手机数码…) for the sample catalogs: a
title labelled "no fitting leaf" against the real tree would publish into one of those and count
as wrong (decision 155). `--tree data/categories/kuaishou_sandbox_tree.csv` checks what a sandbox
run decides."""

SCOPES = ("item", "category")
"""`scope` of a review row: the choice holds for this item, or for its whole source category."""


def _candidate_columns() -> list[str]:
    return [f"candidate_{i}_{part}" for i in range(1, TOP + 1) for part in ("id", "path", "score")]


def _candidate_cells(candidates: Sequence[Candidate] | Sequence[dict[str, Any]]) -> list[object]:
    cells: list[object] = []
    for i in range(TOP):
        if i < len(candidates):
            c = candidates[i]
            row = c if isinstance(c, dict) else c.model_dump()
            cells += [row["category_id"], row["path"], f"{float(row['score']):.4f}"]
        else:
            cells += ["", "", ""]
    return cells


@click.group()
def categories() -> None:
    """Kuaishou categories: check a mapping before a run, review the unsure ones after it."""


# -- match -------------------------------------------------------------------------------------


@categories.command("match")
@click.option(
    "--tree",
    "tree_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV export of the Kuaishou tree (category_id,name,parent_id). "
    f"Default: the real marketplace tree, {REAL_TREE}.",
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Source path → Kuaishou path table. Default: data/categories/source_to_kuaishou.csv.",
)
@click.option("--no-mapping", is_flag=True, help="Skip the mapping table (text layer only).")
@click.option(
    "--overrides",
    "overrides_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An overrides CSV (source_category,kuaishou_category_id), as a migration has.",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=None,
    help="Publish at or above this confidence. Default: the migrations' category.min_confidence.",
)
def match(
    tree_file: Path | None,
    mapping_file: Path | None,
    no_mapping: bool,
    overrides_file: Path | None,
    min_confidence: float | None,
) -> None:
    """Read platform,title,source_category_path rows on stdin; write the decisions on stdout."""
    from listings.categories import (
        DecisionRequest,
        OverridesFileError,
        decision_kind,
        parse_overrides_csv,
    )
    from listings.migrations import CategoryRules

    threshold = CategoryRules().min_confidence if min_confidence is None else min_confidence
    matcher = _matcher(tree_file, mapping_file, no_mapping)
    overrides: dict[str, int] = {}
    if overrides_file is not None:
        try:
            overrides = parse_overrides_csv(
                read_spreadsheet_csv(overrides_file), source=str(overrides_file)
            )
        except OverridesFileError as exc:
            raise click.ClickException(str(exc)) from None
    rows = list(_match_input(read_spreadsheet_stdin()))
    decisions = matcher.decide_many(
        [
            DecisionRequest(
                title=title,
                platform=platform,
                source_category_path=tuple(
                    level for level in source_path.split(">") if level.strip()
                ),
            )
            for platform, title, source_path in rows
        ],
        overrides=overrides,
    )
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(
        [
            *MATCH_INPUT,
            "category_id",
            "category_path",
            "confidence",
            "layer",
            "reason",
            *_candidate_columns(),
            "decision",
        ]
    )
    for (platform, title, source_path), decision in zip(rows, decisions, strict=True):
        out.writerow(
            [
                platform,
                title,
                source_path,
                decision.category_id or "",
                decision.path or "",
                f"{decision.confidence:.4f}",
                decision.layer,
                decision.reason,
                *_candidate_cells(_shown_candidates(decision)),
                decision_kind(decision, min_confidence=threshold),
            ]
        )


def _matcher(
    tree_file: Path | None,
    mapping_file: Path | None,
    no_mapping: bool,
    *,
    tree: CategoryTree | None = None,
) -> CategoryMatcher:
    """The pipeline's matcher on `tree`, else a tree file (`REAL_TREE` by default), and the
    mapping table."""
    from listings.categories import CategoryMapping, CategoryMatcher, CategoryTree
    from listings.migrations import CategoryRules
    from pipeline.migrations_file import project_path

    if tree is None:
        path = tree_file or project_path(REAL_TREE)
        tree = CategoryTree.from_csv_text(read_spreadsheet_csv(path))
    mapping = CategoryMapping()
    if not no_mapping:
        default = CategoryRules().mapping_file or ""
        table = mapping_file or project_path(default)
        mapping = CategoryMapping.from_csv_text(read_spreadsheet_csv(table))
    return CategoryMatcher(tree, mapping=mapping)


# -- eval --------------------------------------------------------------------------------------


@categories.command("eval")
@click.argument("labelled_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tree",
    "tree_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The tree the labels name (CSV category_id,name,parent_id). "
    f"Default: the real marketplace tree, {REAL_TREE}.",
)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Source path → Kuaishou path table. Default: data/categories/source_to_kuaishou.csv.",
)
@click.option("--no-mapping", is_flag=True, help="Skip the mapping table (text layer only).")
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=None,
    help="The threshold to report at. Default: the migrations' category.min_confidence.",
)
@click.option(
    "--migration",
    "key",
    default=None,
    help="Take the tree from this migration's last categories run (a sample of your own shop: "
    "`banjia categories sample`) instead of --tree.",
)
@click.option("--show-wrong", is_flag=True, help="List the wrongly auto-decided titles too.")
def evaluate_labelled(
    labelled_file: Path,
    tree_file: Path | None,
    mapping_file: Path | None,
    no_mapping: bool,
    min_confidence: float | None,
    key: str | None,
    show_wrong: bool,
) -> None:
    """Top-1, top-3, share auto-published and its precision at the threshold, and the curve."""
    from listings.categories import DecisionRequest
    from listings.category_eval import (
        LabelledFileError,
        evaluate,
        out_of_fold,
        parse_labelled_csv,
    )
    from listings.migrations import CategoryRules

    threshold = CategoryRules().min_confidence if min_confidence is None else min_confidence
    try:
        rows = parse_labelled_csv(read_spreadsheet_csv(labelled_file))
    except LabelledFileError as exc:
        raise click.ClickException(f"{labelled_file}: {exc}") from None
    if not rows:
        raise click.ClickException(f"{labelled_file}: no labelled rows")
    if key is not None and tree_file is not None:
        raise click.UsageError("give --tree or --migration, not both")
    shop_tree = _stored_tree(key) if key is not None else None
    matcher = _matcher(tree_file, mapping_file, no_mapping, tree=shop_tree)
    unknown = sorted({leaf for r in rows for leaf in r.leaf_ids if not matcher.tree.is_leaf(leaf)})
    if unknown:
        raise click.ClickException(
            f"{labelled_file}: labels {unknown[:5]} are not leaves of the tree; pass --tree with "
            "the tree the file was labelled against"
        )
    decisions = matcher.decide_many(
        [
            DecisionRequest(
                title=r.title,
                platform=PLATFORM_NAMES.get(r.platform.lower(), r.platform),
                source_category_path=r.source_category_path,
            )
            for r in rows
        ]
    )
    splits = sorted({r.split for r in rows if r.split})
    groups = [("all", list(range(len(rows))))]
    groups += [(name, [i for i, r in enumerate(rows) if r.split == name]) for name in splits]
    for name, index in groups:
        report = evaluate(
            [rows[i] for i in index], [decisions[i] for i in index], threshold=threshold
        )
        click.echo("\n".join(report.lines(name)))
        if show_wrong:
            for title, label, got in report.wrong:
                click.echo(f"  wrong: {title} (label {label}) -> {got}")
    click.echo(out_of_fold(rows, decisions).line())


def _shown_candidates(decision: CategoryDecision) -> Sequence[Candidate]:
    """The text layer's runners-up, or the decided leaf alone when a table decided."""
    from listings.categories import Candidate

    if decision.candidates or decision.category_id is None or decision.path is None:
        return decision.candidates
    return (
        Candidate(category_id=decision.category_id, path=decision.path, score=decision.confidence),
    )


def _match_input(text: str) -> Iterable[tuple[str, str, str]]:
    """The rows of `match`'s stdin (decoded by `read_spreadsheet_stdin`: a byte-order mark is no
    part of the first column's name, a GBK file is read as such), each checked."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in MATCH_REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise click.ClickException(
            f"stdin: line 1: the header lacks {', '.join(missing)}; "
            f"the first line must be {','.join(MATCH_INPUT)} (source_category_path may be left out)"
        )
    for row in reader:
        raw = (row.get("platform") or "").strip()
        platform = PLATFORM_NAMES.get(raw.lower())
        if platform is None:
            raise click.ClickException(
                f"stdin: line {reader.line_num}: platform {raw!r} is not a source; "
                f"use one of {', '.join(sorted(PLATFORM_NAMES))}"
            )
        title = (row.get("title") or "").strip()
        if not title:
            raise click.ClickException(f"stdin: line {reader.line_num}: title is blank")
        yield platform, title, (row.get("source_category_path") or "").strip()


# -- review export / import --------------------------------------------------------------------


# -- sample: a labelling file of the merchant's own shop -----------------------------------------

SAMPLE_COLUMNS = ("platform", "title", "source_category_path", "label", "source_item_id")
"""`eval`'s columns first (label blank, to fill), then the item and three candidates to pick from."""


@categories.command("sample")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.option(
    "--size", type=click.IntRange(min=1), default=200, show_default=True, help="Listings to draw."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The same seed, the same draw."
)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def sample(key: str, size: int, seed: int, out_file: Path | None) -> None:
    """A random sample of the migration's listings to label by hand: fill `label` with the leaf
    ids a category manager would accept (joined by ';'), NONE when no leaf fits or NOT_A_PRODUCT,
    then `banjia categories eval FILE --migration K` measures the matcher on your own shop."""
    from listings.model import Listing

    migration = _migration(key)
    rows = _warehouse().query(
        "SELECT l.source_item_id, l.listing, d.category_id, d.category_path, d.confidence, "
        "d.candidates FROM listings l "
        "LEFT JOIN category_decisions d "
        "ON d.migration = l.migration AND d.source_item_id = l.source_item_id "
        "WHERE l.migration = ? ORDER BY l.source_item_id",
        [migration.key],
    )
    if not rows:
        raise click.ClickException(
            f"migration {key!r} has no listings yet: materialize it (category_decisions at "
            "least), then sample again"
        )
    drawn = random.Random(seed).sample(rows, min(size, len(rows)))
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow([*SAMPLE_COLUMNS, *_candidate_columns()])
    for row in drawn:
        listing = Listing.model_validate_json(row["listing"])
        out.writerow(
            [
                listing.platform,
                listing.title,
                listing.category.path_text,
                "",
                row["source_item_id"],
                *_candidate_cells(_sample_candidates(row)),
            ]
        )
    if out_file is None:
        click.echo(buffer.getvalue(), nl=False)
    else:
        write_spreadsheet_csv(out_file, buffer.getvalue())
        click.echo(
            f"{len(drawn)} of {len(rows)} listings written to {out_file}: fill label, then "
            f"banjia categories eval {out_file} --migration {key}",
            err=True,
        )


def _sample_candidates(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The last run's candidates; for a leaf an override or the mapping table chose (no runners-
    up), that leaf alone; none for a payment link or an undecided item."""
    candidates: list[dict[str, Any]] = json.loads(row["candidates"] or "[]")
    if not candidates and row["category_id"] is not None:
        candidates = [
            {
                "category_id": row["category_id"],
                "path": row["category_path"],
                "score": row["confidence"],
            }
        ]
    return candidates


def _stored_tree(key: str) -> CategoryTree:
    """The tree of a migration's last categories run (`eval --migration`)."""
    from pipeline.category_inputs import stored_tree

    tree = stored_tree(_warehouse(), _migration(key).key)
    if tree is None:
        raise click.ClickException(
            f"migration {key!r} has no category decisions yet: materialize category_decisions "
            "for it, then evaluate again"
        )
    return tree


@categories.group()
def review() -> None:
    """The review queue: listings whose category is below the migration's min_confidence."""


def _migration(key: str) -> Migration:
    from banjia.config import migration_or_exit

    return migration_or_exit(key)


def _warehouse() -> Warehouse:
    from pipeline.settings import load_settings
    from pipeline.stores import open_warehouse

    settings = load_settings()
    if missing := settings.missing_warehouse():
        raise click.ClickException(f"{missing}: run the migration first")
    return open_warehouse(settings)


REVIEW_COLUMNS = (
    "source_item_id",
    "title",
    "source_category_path",
    "source_category_id",
    "confidence",
    *_candidate_columns(),
    "chosen_category_id",
    "scope",
)


@review.command("export")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def review_export(key: str, out_file: Path | None) -> None:
    """Write the review queue as CSV: fill chosen_category_id (one of the candidates or any open
    leaf id), optionally scope=category to apply it to the whole source category, then import."""
    migration = _migration(key)
    rows = _warehouse().query(
        "SELECT * FROM category_review WHERE migration = ? ORDER BY source_item_id",
        [migration.key],
    )
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(REVIEW_COLUMNS)
    for row in rows:
        out.writerow(
            [
                row["source_item_id"],
                row["title"],
                row["source_category_path"] or "",
                row["source_category_id"] or "",
                f"{row['confidence']:.4f}",
                *_candidate_cells(json.loads(row["candidates"] or "[]")),
                "",
                "item",
            ]
        )
    if out_file is None:
        click.echo(buffer.getvalue(), nl=False)
    else:
        write_spreadsheet_csv(out_file, buffer.getvalue())
        click.echo(f"{len(rows)} listings to review written to {out_file}", err=True)


@review.command("import")
@click.option("--migration", "key", required=True, help="The migration key.")
@click.argument("review_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def review_import(key: str, review_file: Path) -> None:
    """Check the chosen categories of an edited review CSV and append them to the migration's
    overrides file; the next run publishes those listings."""
    from listings.categories import OverridesFileError, parse_overrides_csv
    from pipeline.category_inputs import append_overrides
    from pipeline.migrations_file import project_path

    migration = _migration(key)
    if not migration.category.overrides_file:
        raise click.ClickException(
            f"migration {key!r} has no category.overrides_file: add e.g. "
            f"`overrides_file: data/overrides/{key}.csv` under its `category:` and import again"
        )
    target = project_path(migration.category.overrides_file)
    if target.exists():
        try:
            parse_overrides_csv(read_spreadsheet_csv(target), source=str(target))
        except OverridesFileError as exc:
            raise click.ClickException(f"{exc} (fix it before importing more)") from None
    store = _warehouse()
    leaves = {
        r["category_id"]: (r["path"], r["is_open"])
        for r in store.query(
            "SELECT category_id, path, is_open FROM category_leaves WHERE migration = ?",
            [migration.key],
        )
    }
    if not leaves:
        raise click.ClickException(
            f"migration {key!r} has no category decisions yet: materialize category_decisions "
            "for it, then export and import again"
        )
    items = {
        r["source_item_id"]
        for r in store.query(
            "SELECT source_item_id FROM listings WHERE migration = ?", [migration.key]
        )
    }
    chosen, problems = _read_review(review_file, leaves=leaves, items=items)
    chosen = [_scoped(store, migration.key, row) for row in chosen]
    if problems:
        raise click.ClickException(
            f"{review_file}: nothing imported, fix these rows first:\n  " + "\n  ".join(problems)
        )
    append_overrides(target, chosen)
    click.echo(f"{len(chosen)} overrides appended to {target}", err=True)


def _scoped(store: Warehouse, migration_key: str, row: list[str]) -> list[str]:
    """An override of scope `category` keyed by the item's source category (leaf id, else path)."""
    from listings.model import Listing

    key, value, note = row
    if not key.startswith("category:"):
        return row
    item = key.removeprefix("category:")
    (found,) = store.query(
        "SELECT listing FROM listings WHERE migration = ? AND source_item_id = ?",
        [migration_key, item],
    )
    category = Listing.model_validate_json(found["listing"]).category
    return [category.leaf_id or category.path_text or f"item:{item}", value, note]


def _read_review(
    path: Path, *, leaves: dict[int, tuple[str, bool]], items: set[str]
) -> tuple[list[list[str]], list[str]]:
    """(override rows to append, problems naming the line) of an edited review file. A row of
    scope `category` comes back keyed `category:<item>`, for `_scoped` to resolve."""

    reader = csv.DictReader(io.StringIO(read_spreadsheet_csv(path)))
    for column in ("source_item_id", "chosen_category_id"):
        if column not in (reader.fieldnames or []):
            return [], [f"line 1: no {column} column: export the queue again and edit that file"]
    chosen: list[list[str]] = []
    problems: list[str] = []
    for row in reader:
        line, item = reader.line_num, (row.get("source_item_id") or "").strip()
        value = (row.get("chosen_category_id") or "").strip()
        scope = (row.get("scope") or "item").strip() or "item"
        if not value:
            continue
        where = f"line {line} (item {item or '?'})"
        if item not in items:
            problems.append(f"{where}: not an item of this migration; keep the exported ids")
            continue
        if not value.isdigit():
            problems.append(f"{where}: chosen_category_id {value!r} is not a category id")
            continue
        leaf = leaves.get(int(value))
        if leaf is None:
            problems.append(
                f"{where}: {value} is not a leaf of the shop's Kuaishou tree; choose a leaf "
                "(a candidate, or one from `banjia categories match`)"
            )
            continue
        if not leaf[1]:
            problems.append(
                f"{where}: {value} {leaf[0]} is not open to the shop; open it in the Kuaishou "
                "merchant backend (and category.open_categories) or choose another leaf"
            )
            continue
        if scope not in SCOPES:
            problems.append(f"{where}: scope {scope!r} must be one of {', '.join(SCOPES)}")
            continue
        key = f"{scope}:{item}"
        chosen.append([key, value, f"{leaf[0]} (review of {item})"])
    return chosen, problems
