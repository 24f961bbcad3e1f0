# ruff: noqa: F811 (fixtures imported from another test module are the parameters of the tests)
"""Per-item edits through the publish plan CSV (issue 18): export → edit → import → the plan shows
the edited values → publish sends them; a changed edit later is an update with its diff; a wrong
row refuses the whole import. The stages run as the assets call them, on a warehouse file and the
in-process sandbox (test_publish_plan.py's pattern)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from banjia.cli_plan import plan as plan_cli
from listings.migrations import Migration, PublishApproval, PublishRules
from pipeline.categories import decide_categories
from pipeline.clients import Platforms
from pipeline.drafts import draft_listings
from pipeline.extract import extract
from pipeline.media import host_images
from pipeline.migrations_file import load_migrations
from pipeline.normalize import normalize
from pipeline.plan import plan_publish
from pipeline.plan_import import read_plan_import, record_plan_import
from pipeline.publish import publish
from pipeline.settings import PROJECT_ROOT
from pipeline.videos import host_item_videos
from sandbox.inprocess import in_process_sandbox
from sandbox.kuaishou_open import default_category_config, required_category_config
from store import DuckDBLedger, Warehouse
from store.plan_approvals import load_approvals
from store.plan_edits import load_edits
from tests.pipeline.test_stages import platforms  # noqa: F401 (the in-process sandbox fixture)

MIGRATIONS = PROJECT_ROOT / "data" / "migrations.yaml"
NEW_TITLE = "萌宠专用 猫咪逗猫棒 羽毛款"
NEW_SHORT = "猫咪逗猫棒羽毛款"


@pytest.fixture(scope="module")
def pdd(tmp_path_factory: pytest.TempPathFactory) -> Migration:
    """The demo's Pinduoduo shop, publishing what is ready, with an overrides file of its own."""
    demo = load_migrations(MIGRATIONS).get("pdd-demo")
    overrides = Path(tmp_path_factory.mktemp("overrides")) / "pdd-demo.csv"
    category = demo.category.model_copy(update={"overrides_file": str(overrides)})
    return demo.model_copy(
        update={"publish": PublishRules(approval=PublishApproval.AUTO), "category": category}
    )


@pytest.fixture(scope="module")
def warehouse(
    tmp_path_factory: pytest.TempPathFactory, pdd: Migration, platforms: Platforms
) -> Warehouse:
    store = Warehouse(Path(tmp_path_factory.mktemp("edits")) / "w.duckdb")
    extract(pdd, warehouse=store, platforms=platforms)
    normalize(pdd, warehouse=store, platforms=platforms)
    decide_categories(pdd, warehouse=store, platforms=platforms)
    _redraft(pdd, store, platforms)
    host_images(pdd, warehouse=store, platforms=platforms)
    host_item_videos(pdd, warehouse=store, platforms=platforms)
    plan_publish(pdd, warehouse=store, ledger=DuckDBLedger(store))
    return store


def _redraft(migration: Migration, warehouse: Warehouse, platforms: Platforms) -> None:
    draft_listings(
        migration, warehouse=warehouse, platforms=platforms, ledger=DuckDBLedger(warehouse)
    )


def _plan(warehouse: Warehouse, migration: Migration) -> dict[str, dict[str, Any]]:
    plan_publish(migration, warehouse=warehouse, ledger=DuckDBLedger(warehouse))
    rows = warehouse.query("SELECT * FROM publish_plan WHERE migration = ?", [migration.key])
    return {str(r["source_item_id"]): r for r in rows}


def _cli(args: list[str], warehouse: Warehouse) -> tuple[int, str]:
    env = {"BANJIA_MIGRATIONS": str(MIGRATIONS), "BANJIA_WAREHOUSE": str(warehouse.path)}
    result = CliRunner().invoke(plan_cli, args, env=env)
    return result.exit_code, result.output


def _exported(pdd: Migration, warehouse: Warehouse, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / "plan.csv"
    code, output = _cli(["export", "--migration", pdd.key, "--out", str(out)], warehouse)
    assert code == 0, output
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


def _write(rows: list[dict[str, str]], path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _single_priced(rows: list[dict[str, str]]) -> dict[str, str]:
    return next(
        r for r in rows if r["action"] == "create" and r["price_min_yuan"] == r["price_max_yuan"]
    )


def test_a_wrong_row_refuses_the_whole_import_and_records_nothing(
    pdd: Migration, warehouse: Warehouse, tmp_path: Path
) -> None:
    rows = _exported(pdd, warehouse, tmp_path)
    good = _single_priced(rows)
    bad = next(r for r in rows if r["action"] == "create" and r is not good)
    good.update(new_title=NEW_TITLE, approve="yes")
    bad.update(new_price_yuan="十九块")
    code, output = _cli(
        ["import", "--migration", pdd.key, str(_write(rows, tmp_path / "e.csv"))], warehouse
    )
    line = rows.index(bad) + 2
    assert code == 1
    assert "nothing imported" in output
    assert (
        f"line {line} (item {bad['source_item_id']}), new_price_yuan: '十九块' is not a price "
        "in yuan" in output
    )
    assert load_edits(warehouse, pdd.key) == {}
    assert load_approvals(warehouse, pdd.key) == {}


def test_edited_title_short_title_and_price_are_planned_and_sent_on_create(
    pdd: Migration, warehouse: Warehouse, platforms: Platforms, tmp_path: Path
) -> None:
    rows = _exported(pdd, warehouse, tmp_path)
    row = _single_priced(rows)
    item = row["source_item_id"]
    row.update(new_title=NEW_TITLE, new_short_title=NEW_SHORT, new_price_yuan="66.6")
    code, output = _cli(
        ["import", "--migration", pdd.key, str(_write(rows, tmp_path / "e.csv"))], warehouse
    )
    assert code == 0, output

    _redraft(pdd, warehouse, platforms)
    planned = _plan(warehouse, pdd)[item]
    assert (planned["action"], planned["title"], planned["short_title"]) == (
        "create",
        NEW_TITLE,
        NEW_SHORT,
    )
    assert planned["price_min_yuan"] == planned["price_max_yuan"] == "66.60"
    assert planned["edited_fields"] == "title, short_title, price_fen"

    publish(pdd, warehouse=warehouse, ledger=DuckDBLedger(warehouse), platforms=platforms)
    sent = _on_kuaishou(warehouse, pdd, item)
    assert (sent["title"], sent["shortTitle"]) == (NEW_TITLE, NEW_SHORT)
    assert {sku["skuSalePrice"] for sku in sent["skuList"]} == {6_660}


def test_a_changed_edit_of_a_published_item_is_an_update_naming_the_field(
    pdd: Migration, warehouse: Warehouse, platforms: Platforms, tmp_path: Path
) -> None:
    (item,) = load_edits(warehouse, pdd.key)
    _plan(warehouse, pdd)  # the publish_plan asset after the run
    rows = _exported(pdd, warehouse, tmp_path)
    assert next(r for r in rows if r["source_item_id"] == item)["action"] == "skip"
    retitled = NEW_TITLE + " 加厚"
    for r in rows:
        if r["source_item_id"] == item:
            r["new_title"] = retitled
    code, output = _cli(
        ["import", "--migration", pdd.key, str(_write(rows, tmp_path / "e.csv"))], warehouse
    )
    assert code == 0, output

    _redraft(pdd, warehouse, platforms)
    planned = _plan(warehouse, pdd)[item]
    assert (planned["action"], planned["changed_fields"], planned["title"]) == (
        "update",
        "title",
        retitled,
    )
    kwai_item_id = _kwai_item_id(warehouse, pdd, item)
    in_process_sandbox().kuaishou.set_audit(kwai_item_id, 2)  # edited only once reviewed
    result = publish(pdd, warehouse=warehouse, ledger=DuckDBLedger(warehouse), platforms=platforms)
    assert result.figures["updated_by_edit"] == 1
    assert _on_kuaishou(warehouse, pdd, item)["title"] == retitled
    assert _plan(warehouse, pdd)[item]["action"] == "skip"


def _kwai_item_id(warehouse: Warehouse, migration: Migration, item: str) -> int:
    (row,) = warehouse.query(
        "SELECT kwai_item_id FROM publish_ledger WHERE migration = ? AND source_item_id = ?",
        [migration.key, item],
    )
    return int(row["kwai_item_id"])


def _on_kuaishou(warehouse: Warehouse, migration: Migration, item: str) -> dict[str, Any]:
    return in_process_sandbox().kuaishou.items[_kwai_item_id(warehouse, migration, item)].param


def _category_csv(item: str, leaf: int) -> str:
    return f"source_item_id,new_category_id,approve,exclude\n{item},{leaf},,\n"


def test_a_category_edit_becomes_an_item_override_unless_the_leaf_needs_a_prop_the_item_lacks(
    pdd: Migration, warehouse: Warehouse, platforms: Platforms
) -> None:
    # The shop published (a no-op after the tests above): the edit must be an update of a
    # published item whether or not they ran first (`-k`, another xdist distribution).
    publish(pdd, warehouse=warehouse, ledger=DuckDBLedger(warehouse), platforms=platforms)
    plan = _plan(warehouse, pdd)
    edited = set(load_edits(warehouse, pdd.key))
    item = next(
        k for k, r in sorted(plan.items()) if r["action"] != "quarantine" and k not in edited
    )
    current = int(plan[item]["category_id"])
    other, lacking = (
        int(r["category_id"])
        for r in warehouse.query(
            "SELECT category_id FROM category_leaves WHERE migration = ? AND is_open "
            "AND category_id <> ? ORDER BY category_id LIMIT 2",
            [pdd.key, current],
        )
    )
    kuaishou = in_process_sandbox().kuaishou
    kuaishou.category_configs[other] = default_category_config()
    kuaishou.category_configs[lacking] = required_category_config(["适用犬种体型"])
    overrides = Path(str(pdd.category.overrides_file))

    refused = read_plan_import(
        pdd, _category_csv(item, lacking), warehouse=warehouse, platforms=platforms
    )
    (problem,) = refused.problems
    assert problem.startswith(f"line 2 (item {item}), new_category_id: props: Kuaishou category")
    assert "requires 适用犬种体型" in problem
    assert not overrides.exists()

    accepted = read_plan_import(
        pdd, _category_csv(item, other), warehouse=warehouse, platforms=platforms
    )
    assert accepted.problems == []
    record_plan_import(pdd, accepted, warehouse=warehouse)
    assert f"item:{item},{other}," in overrides.read_text(encoding="utf-8")

    decide_categories(pdd, warehouse=warehouse, platforms=platforms)
    _redraft(pdd, warehouse, platforms)
    planned = _plan(warehouse, pdd)[item]
    assert int(planned["category_id"]) == other
    assert planned["edited_fields"] == "category"
    assert planned["action"] == "update" and "category_id" in planned["changed_fields"]
