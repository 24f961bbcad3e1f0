# ruff: noqa: F811 (fixtures imported from another test module are the parameters of the tests)
"""The publish plan (issue 18): what a run would do per item, the operator's CSV round trip, and
`publish.approval: required` publishing only approved items. The stages run as the assets call
them, on a warehouse file and the in-process sandbox (test_stages.py's pattern)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import dagster as dg
import pytest
from click.testing import CliRunner

from banjia.cli_plan import plan as plan_cli
from listings.draft import KuaishouDraft
from listings.migrations import Migration, PublishApproval, PublishRules
from pipeline.categories import decide_categories
from pipeline.clients import Platforms
from pipeline.drafts import draft_listings
from pipeline.extract import extract
from pipeline.media import host_images
from pipeline.migrations_file import load_migrations
from pipeline.normalize import normalize
from pipeline.plan import plan_publish
from pipeline.publish import approved_only, candidate_jobs, publish
from pipeline.settings import PROJECT_ROOT
from pipeline.videos import host_item_videos
from store import DuckDBLedger, Warehouse
from store.plan_approvals import Approval, load_approvals
from tests.pipeline.test_stages import platforms  # noqa: F401 (the in-process sandbox fixture)

MIGRATIONS = PROJECT_ROOT / "data" / "migrations.yaml"


@pytest.fixture(scope="module")
def pdd() -> Migration:
    """The demo's Pinduoduo shop, with approval required."""
    demo = load_migrations(MIGRATIONS).get("pdd-demo")
    return demo.model_copy(update={"publish": PublishRules(approval=PublishApproval.REQUIRED)})


@pytest.fixture(scope="module")
def warehouse(
    tmp_path_factory: pytest.TempPathFactory, pdd: Migration, platforms: Platforms
) -> Warehouse:
    store = Warehouse(Path(tmp_path_factory.mktemp("plan")) / "w.duckdb")
    extract(pdd, warehouse=store, platforms=platforms)
    normalize(pdd, warehouse=store, platforms=platforms)
    decide_categories(pdd, warehouse=store, platforms=platforms)
    draft_listings(pdd, warehouse=store, platforms=platforms, ledger=DuckDBLedger(store))
    host_images(pdd, warehouse=store, platforms=platforms)
    host_item_videos(pdd, warehouse=store, platforms=platforms)
    return store


def _plan(warehouse: Warehouse, migration: Migration) -> dict[str, dict[str, object]]:
    plan_publish(migration, warehouse=warehouse, ledger=DuckDBLedger(warehouse))
    rows = warehouse.query("SELECT * FROM publish_plan WHERE migration = ?", [migration.key])
    return {str(r["source_item_id"]): r for r in rows}


def _cli(args: list[str], warehouse: Warehouse) -> tuple[int, str]:
    env = {"BANJIA_MIGRATIONS": str(MIGRATIONS), "BANJIA_WAREHOUSE": str(warehouse.path)}
    result = CliRunner().invoke(plan_cli, args, env=env)
    return result.exit_code, result.output


def test_a_first_plan_creates_every_ready_item_and_quarantines_the_rest_with_the_reason(
    pdd: Migration, warehouse: Warehouse
) -> None:
    plan = _plan(warehouse, pdd)
    sources = {
        r["source_item_id"]
        for r in warehouse.query(
            "SELECT source_item_id FROM raw_listings WHERE migration = ?", [pdd.key]
        )
    }
    assert set(plan) == sources
    actions = {r["action"] for r in plan.values()}
    assert actions == {"create", "quarantine"}
    for row in plan.values():
        if row["action"] == "quarantine":
            assert row["reason"] and row["title"] is None
        else:
            assert row["title"] and row["category_path"] and int(row["sku_count"]) >= 1  # type: ignore[call-overload]
            assert float(str(row["price_min_yuan"])) <= float(str(row["price_max_yuan"]))
            assert json.loads(str(row["main_images"]))


def test_plan_csv_round_trip_refuses_a_bad_row_naming_its_line_and_records_nothing(
    pdd: Migration, warehouse: Warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "plan.csv"
    code, output = _cli(["export", "--migration", pdd.key, "--out", str(out)], warehouse)
    assert code == 0, output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    creates = [r for r in rows if r["action"] == "create"]
    assert len(creates) >= 3 and all(r["approve"] == r["exclude"] == "" for r in rows)
    creates[0]["approve"] = "yes"
    creates[1]["approve"] = "yes"
    creates[2]["exclude"] = "yes"
    bad = dict(creates[0], source_item_id="no-such-item", approve="yes")
    edited = tmp_path / "edited.csv"

    def write(extra: list[dict[str, str]]) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + extra)
        edited.write_text(buffer.getvalue(), encoding="utf-8")

    creates[3 if len(creates) > 3 else 2]["approve"] = "maybe"
    write([bad])
    code, output = _cli(["import", "--migration", pdd.key, str(edited)], warehouse)
    assert code == 1
    assert "nothing imported" in output
    assert (
        f"line {len(rows) + 2} (item no-such-item), source_item_id: not in this migration's plan"
        in output
    )
    assert "approve: 'maybe' is not yes or no: write yes, no or leave it blank" in output
    assert load_approvals(warehouse, pdd.key) == {}

    creates[3 if len(creates) > 3 else 2]["approve"] = ""
    write([])
    code, output = _cli(["import", "--migration", pdd.key, str(edited)], warehouse)
    assert code == 0, output
    decided = load_approvals(warehouse, pdd.key)
    assert decided == {
        creates[0]["source_item_id"]: Approval(creates[0]["source_item_id"], True, False),
        creates[1]["source_item_id"]: Approval(creates[1]["source_item_id"], True, False),
        creates[2]["source_item_id"]: Approval(creates[2]["source_item_id"], False, True),
    }


def test_approval_required_publishes_only_approved_items_and_counts_the_rest(
    pdd: Migration, warehouse: Warehouse, platforms: Platforms
) -> None:
    approved = {k for k, d in load_approvals(warehouse, pdd.key).items() if d.approved}
    assert len(approved) == 2
    plan = _plan(warehouse, pdd)
    ready = {k for k, r in plan.items() if r["action"] == "create"}
    result = publish(pdd, warehouse=warehouse, ledger=DuckDBLedger(warehouse), platforms=platforms)
    published = {
        r["source_item_id"]
        for r in warehouse.query(
            "SELECT source_item_id FROM publish_ledger WHERE migration = ? AND state = 'published'",
            [pdd.key],
        )
    }
    assert published == approved
    assert result.figures["excluded_by_plan"] == 1
    assert result.figures["awaiting_approval"] == len(ready) - len(approved) - 1
    (check,) = result.checks
    assert check.passed, check.metadata  # held items stay pending: every item accounted for


def test_a_later_plan_skips_unchanged_items_and_names_the_fields_of_an_update(
    pdd: Migration, warehouse: Warehouse
) -> None:
    published = sorted(k for k, d in load_approvals(warehouse, pdd.key).items() if d.approved)
    plan = _plan(warehouse, pdd)
    assert {plan[k]["action"] for k in published} == {"skip"}
    changed = published[0]
    (row,) = warehouse.query(
        "SELECT draft FROM kuaishou_drafts WHERE migration = ? AND source_item_id = ?",
        [pdd.key, changed],
    )
    draft = KuaishouDraft.model_validate_json(row["draft"])
    skus = tuple(s.model_copy(update={"price_fen": s.price_fen + 100}) for s in draft.skus)
    edited = draft.model_copy(update={"title": draft.title + " 新款", "skus": skus})
    with warehouse.connect() as con:
        con.execute(
            "UPDATE kuaishou_drafts SET draft = ? WHERE migration = ? AND source_item_id = ?",
            [edited.model_dump_json(), pdd.key, changed],
        )
    plan = _plan(warehouse, pdd)
    assert plan[changed]["action"] == "update"
    assert plan[changed]["changed_fields"] == "sku_prices_stock, title"
    assert plan[published[1]]["action"] == "skip"
    again = _plan(warehouse, pdd)  # the diff holds until the edit is sent
    assert again[changed]["changed_fields"] == "sku_prices_stock, title"


def test_with_approval_auto_everything_ready_is_published_but_an_excluded_item(
    pdd: Migration, warehouse: Warehouse
) -> None:
    auto = pdd.model_copy(update={"publish": PublishRules(approval=PublishApproval.AUTO)})
    excluded = {k for k, d in load_approvals(warehouse, pdd.key).items() if d.excluded}
    jobs, _ = candidate_jobs(auto, warehouse)
    allowed, held = approved_only(auto, warehouse, jobs)
    assert {j.draft.source_item_id for j in held} == excluded
    assert len(allowed) == len(jobs) - 1


def test_published_items_runs_after_the_plan() -> None:
    from assets.publish import published_items

    assert dg.AssetKey("publish_plan") in published_items.asset_deps[dg.AssetKey("published_items")]
