"""Reading an edited publish plan CSV back: every row checked before anything is recorded.

A row may approve or exclude its item (`approve`, `exclude`: yes / no) and edit it: `new_title`,
`new_short_title`, `new_price_yuan` (the item's one price, listings/plan_edits.py) and
`new_category_id` (a leaf of the shop's tree, open to it, whose required attributes the source item
can fill). A blank cell keeps what was decided before; `-` clears an earlier title, short title or
price edit. Every wrong cell is named with its line, item, column and the fix, and when there is
any, nothing is recorded (`PlanImport.problems`).

What is recorded: approvals in `plan_approvals`, edits in `plan_edits`, and a category edit as an
`item:<id>` row of the migration's `category.overrides_file`, the same override the category review
import writes (decision 38), so the next category_decisions run takes it like any other.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.kuaishou.models import CategoryConfig
from listings.categories import OverridesFileError
from listings.category_props import PropAliases, fill_category_props
from listings.migrations import Migration, PublishBackend
from listings.model import Listing
from listings.plan_edits import check_price_yuan, check_short_title, check_title
from listings.quarantine import Problem
from listings.titles import parse_word_list
from pipeline.category_inputs import append_overrides, load_overrides, prop_specs_of
from pipeline.clients import Platforms
from pipeline.drafts import FORBIDDEN_WORDS_FILE, PROP_ALIASES_FILE
from pipeline.migrations_file import project_path
from store.plan_approvals import Approval, save_approvals
from store.plan_edits import save_edits
from store.warehouse import Warehouse

__all__ = [
    "CLEAR",
    "DECISION_COLUMNS",
    "EDIT_COLUMNS",
    "PlanImport",
    "check_plan_csv",
    "read_plan_import",
    "record_plan_import",
]

DECISION_COLUMNS = ("approve", "exclude")
EDIT_COLUMNS = ("new_title", "new_short_title", "new_price_yuan", "new_category_id")
CLEAR = "-"
YES_NO = {"yes": True, "no": False}
_STORED = {"new_title": "title", "new_short_title": "short_title", "new_price_yuan": "price_fen"}


@dataclass(frozen=True)
class PlanItem:
    """What the check needs of one plan row."""

    action: str
    price_min_yuan: str | None = None
    price_max_yuan: str | None = None


@dataclass
class PlanImport:
    """The checked content of an edited plan CSV: what to record, or why nothing may be."""

    approvals: list[Approval] = field(default_factory=list)
    edits: dict[str, dict[str, str | int | None]] = field(default_factory=dict)
    categories: dict[str, tuple[int, str, int]] = field(default_factory=dict)
    """item → (leaf id, leaf path, CSV line): the category edits, before their props check."""
    problems: list[str] = field(default_factory=list)


def _cells(row: Mapping[str, str | None], columns: Sequence[str]) -> dict[str, str]:
    return {c: (row.get(c) or "").strip() for c in columns}


def check_plan_csv(
    text: str,
    *,
    plan: Mapping[str, PlanItem],
    forbidden: Sequence[str],
    leaves: Mapping[int, tuple[str, bool]],
) -> PlanImport:
    """Every row's cells checked against the plan, the title rules and the shop's tree (leaf id →
    (path, open)); the category's required attributes are checked later (`read_plan_import`)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in ("source_item_id", *DECISION_COLUMNS) if c not in header]
    result = PlanImport()
    if missing:
        result.problems.append(
            f"line 1: missing column(s) {', '.join(missing)}: export the plan again"
        )
        return result
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        item = (row.get("source_item_id") or "").strip()
        where = f"line {line} (item {item or '?'})"
        if item not in plan:
            result.problems.append(
                f"{where}, source_item_id: not in this migration's plan; keep the exported ids"
            )
            continue
        if item in seen:
            result.problems.append(
                f"{where}, source_item_id: already on line {seen[item]}; keep one row per item"
            )
            continue
        seen[item] = line
        wrong = _check_row(row, plan=plan[item], forbidden=forbidden)
        wrong += _check_category(row, item=item, line=line, leaves=leaves, result=result)
        result.problems += [f"{where}, {problem}" for problem in wrong]
        if not wrong:
            _collect(row, item=item, result=result)
    return result


def _check_row(
    row: Mapping[str, str | None], *, plan: PlanItem, forbidden: Sequence[str]
) -> list[str]:
    """The problems of a row's decision and title/price cells, each `column: what and fix`."""
    wrong = [
        f"{c}: {v!r} is not yes or no: write yes, no or leave it blank"
        for c, v in _cells(row, DECISION_COLUMNS).items()
        if v and v.lower() not in YES_NO
    ]
    edits = {k: v for k, v in _cells(row, tuple(_STORED)).items() if v and v != CLEAR}
    if edits and plan.action == "quarantine":
        return [
            *wrong,
            *(
                f"{c}: the item is quarantined and has no draft to edit: fix its reason first "
                "(the plan's reason column), then export again"
                for c in edits
            ),
        ]
    if "new_title" in edits:
        why = check_title(edits["new_title"], forbidden=forbidden)
        if why:
            wrong.append(f"new_title: {why}")
    if "new_short_title" in edits:
        why = check_short_title(edits["new_short_title"], forbidden=forbidden)
        if why:
            wrong.append(f"new_short_title: {why}")
    if "new_price_yuan" in edits:
        fen = check_price_yuan(edits["new_price_yuan"])
        if isinstance(fen, str):
            wrong.append(f"new_price_yuan: {fen}")
        elif plan.price_min_yuan != plan.price_max_yuan:
            wrong.append(
                f"new_price_yuan: the item's SKUs cost {plan.price_min_yuan} to "
                f"{plan.price_max_yuan} yuan and one price would flatten them: change their "
                "prices on the source or the migration's price rule (SKU prices are not edited "
                "here)"
            )
    return wrong


def _check_category(
    row: Mapping[str, str | None],
    *,
    item: str,
    line: int,
    leaves: Mapping[int, tuple[str, bool]],
    result: PlanImport,
) -> list[str]:
    value = (row.get("new_category_id") or "").strip()
    if not value:
        return []
    if value == CLEAR:
        return [
            "new_category_id: '-' cannot undo a category override: delete the item's "
            f"`item:{item}` row from the migration's category overrides file"
        ]
    if not value.isdigit():
        return [f"new_category_id: {value!r} is not a category id: write a leaf id (digits)"]
    leaf = leaves.get(int(value))
    if leaf is None:
        return [
            f"new_category_id: {value} is not a leaf of the shop's Kuaishou tree: choose a leaf "
            "(`banjia categories match` shows candidates)"
        ]
    if not leaf[1]:
        return [
            f"new_category_id: {value} {leaf[0]} is not open to the shop: open it in the "
            "Kuaishou merchant backend (and category.open_categories) or choose another leaf"
        ]
    result.categories[item] = (int(value), leaf[0], line)
    return []


def _collect(row: Mapping[str, str | None], *, item: str, result: PlanImport) -> None:
    """A checked row's decision and edits into the result (blank cells decide nothing)."""
    decided = {c: v.lower() for c, v in _cells(row, DECISION_COLUMNS).items() if v}
    if decided:
        result.approvals.append(
            Approval(
                source_item_id=item,
                approved=YES_NO.get(decided.get("approve", ""), False),
                excluded=YES_NO.get(decided.get("exclude", ""), False),
            )
        )
    change: dict[str, str | int | None] = {}
    for column, value in _cells(row, tuple(_STORED)).items():
        if not value:
            continue
        stored = _STORED[column]
        if value == CLEAR:
            change[stored] = None
        elif column == "new_price_yuan":
            change[stored] = check_price_yuan(value)
        else:
            change[stored] = " ".join(value.split())
    if change:
        result.edits[item] = change


def _plan_items(warehouse: Warehouse, key: str) -> dict[str, PlanItem]:
    return {
        r["source_item_id"]: PlanItem(r["action"], r["price_min_yuan"], r["price_max_yuan"])
        for r in warehouse.query(
            "SELECT source_item_id, action, price_min_yuan, price_max_yuan FROM publish_plan "
            "WHERE migration = ?",
            [key],
        )
    }


def _leaves(warehouse: Warehouse, key: str) -> dict[int, tuple[str, bool]]:
    return {
        r["category_id"]: (r["path"], bool(r["is_open"]))
        for r in warehouse.query(
            "SELECT category_id, path, is_open FROM category_leaves WHERE migration = ?", [key]
        )
    }


async def _configs(
    platforms: Platforms, migration: Migration, warehouse: Warehouse, leaf_ids: set[int]
) -> dict[int, CategoryConfig]:
    async with platforms.kuaishou(migration, warehouse=warehouse) as client:
        configs = await asyncio.gather(*(client.category_config(c) for c in sorted(leaf_ids)))
    return dict(zip(sorted(leaf_ids), configs, strict=True))


def _props_problems(
    migration: Migration, result: PlanImport, *, warehouse: Warehouse, platforms: Platforms
) -> list[str]:
    """A category edit whose leaf requires an attribute the source item cannot fill is refused
    with the attribute named, as the drafts stage would quarantine it (decision 39). Through
    vv-tool no leaf config can be read: the platform alone checks it then."""
    if not result.categories or migration.target.backend is not PublishBackend.KUAISHOU:
        return []
    configs = asyncio.run(
        _configs(platforms, migration, warehouse, {c[0] for c in result.categories.values()})
    )
    aliases = PropAliases.from_csv_text(PROP_ALIASES_FILE.read_text(encoding="utf-8"))
    listings = {
        r["source_item_id"]: Listing.model_validate_json(r["listing"])
        for r in warehouse.query(
            "SELECT source_item_id, listing FROM listings WHERE migration = ?", [migration.key]
        )
    }
    problems = []
    for item, (leaf, path, line) in sorted(result.categories.items(), key=lambda kv: kv[1][2]):
        listing = listings.get(item)
        if listing is None:
            problems.append(
                f"line {line} (item {item}), new_category_id: the item has no canonical listing "
                "(quarantined before categories): fix its reason first"
            )
            continue
        filled = fill_category_props(
            listing, prop_specs_of(configs[leaf]), aliases=aliases, category=f"{leaf} {path}"
        )
        if isinstance(filled, Problem):
            problems.append(f"line {line} (item {item}), new_category_id: {filled.detail}")
    return problems


def read_plan_import(
    migration: Migration, text: str, *, warehouse: Warehouse, platforms: Platforms
) -> PlanImport:
    """The edited plan CSV checked against the migration's plan, tree and rules; writes nothing."""
    plan = _plan_items(warehouse, migration.key)
    forbidden = (
        *parse_word_list(FORBIDDEN_WORDS_FILE.read_text(encoding="utf-8")),
        *migration.titles.extra_forbidden_words,
    )
    result = check_plan_csv(
        text, plan=plan, forbidden=forbidden, leaves=_leaves(warehouse, migration.key)
    )
    try:
        load_overrides(migration)
    except OverridesFileError as exc:
        result.problems.append(f"{exc} (fix it before importing more)")
    if result.categories and not migration.category.overrides_file:
        result.problems.append(
            f"new_category_id: migration {migration.key!r} has no category.overrides_file, where "
            f"category edits are kept: add e.g. `overrides_file: data/overrides/{migration.key}"
            ".csv` under its `category:` and import again"
        )
    elif not result.problems:
        result.problems += _props_problems(
            migration, result, warehouse=warehouse, platforms=platforms
        )
    return result


def record_plan_import(migration: Migration, result: PlanImport, *, warehouse: Warehouse) -> None:
    """Record a checked import: approvals, edits, and the category edits appended to the
    migration's overrides file (the next category_decisions run takes them)."""
    if result.problems:
        raise ValueError("a plan import with problems is never recorded")
    save_approvals(warehouse, migration.key, result.approvals)
    save_edits(warehouse, migration.key, result.edits)
    if result.categories:
        target = project_path(str(migration.category.overrides_file))
        rows: list[Any] = [
            [f"item:{item}", str(leaf), f"{path} (plan edit of {item})"]
            for item, (leaf, path, _) in sorted(result.categories.items())
        ]
        append_overrides(target, rows)
