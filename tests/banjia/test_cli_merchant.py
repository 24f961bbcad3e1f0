"""`banjia report` and `banjia items` on a warehouse with an item in every state."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from banjia.cli import main
from tests.report_fixture import (
    FORBIDDEN,
    KWAI_ITEM_ID,
    MISSING,
    PENDING,
    PUBLISHED,
    build_report_warehouse,
)
from tests.samples import MIGRATION_YAML


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    migrations = tmp_path / "migrations.yaml"
    migrations.write_text(MIGRATION_YAML, encoding="utf-8")
    warehouse, _ = build_report_warehouse(tmp_path / "w.duckdb")
    monkeypatch.setenv("BANJIA_MIGRATIONS", str(migrations))
    monkeypatch.setenv("BANJIA_WAREHOUSE", warehouse.path)
    for name in ("BANJIA_LEDGER_URL", "BANJIA_REPORTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_items_lists_every_item_with_state_reason_and_fix_as_csv(shop: Path) -> None:
    result = CliRunner().invoke(main, ["items", "--migration", "tb-test", "--csv"])
    assert result.exit_code == 0, result.output
    rows = {r["source_item_id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert {k: r["state"] for k, r in rows.items()} == {
        PUBLISHED: "published",
        PENDING: "pending",
        FORBIDDEN: "quarantined",
        MISSING: "quarantined",
    }
    assert rows[PUBLISHED]["kwai_item_id"] == str(KWAI_ITEM_ID)
    assert rows[FORBIDDEN]["reason_code"] == "forbidden_words"
    assert "title" in rows[FORBIDDEN]["fix"] and "最好" in rows[FORBIDDEN]["detail"]
    assert rows[PUBLISHED]["review"] == "审核拒绝 rejected"  # Kuaishou's review of the created item
    assert rows[PUBLISHED]["review_reason_code"] == "image_quality"
    assert rows[PUBLISHED]["review_answer"] == "for the merchant"
    assert (rows[PUBLISHED]["shelf"], rows[PUBLISHED]["offline_reason"]) == (
        "下架 off the shelf",
        "审核未通过",
    )


def test_items_filters_by_state(shop: Path) -> None:
    result = CliRunner().invoke(main, ["items", "--migration", "tb-test", "--state", "quarantined"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [FORBIDDEN, MISSING]
    assert "detail_missing (at extract)" in lines[1]


def test_an_unknown_migration_fails_naming_the_known_ones(shop: Path) -> None:
    for command in ("items", "report"):
        result = CliRunner().invoke(main, [command, "--migration", "nope"])
        assert result.exit_code != 0
        assert "unknown migration 'nope'" in result.output and "known: tb-test" in result.output


def test_report_writes_the_file_and_prints_its_path(shop: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--migration", "tb-test"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.parent == (shop / "reports" / "tb-test").resolve()  # beside the warehouse
    assert path.name.startswith("cli-") and path.suffix == ".html"
    assert "4 source items = 1 published + 2 quarantined + 1 pending" in result.stderr
    out = shop / "handover.html"
    again = CliRunner().invoke(main, ["report", "--migration", "tb-test", "--out", str(out)])
    assert again.exit_code == 0 and Path(again.stdout.strip()) == out.resolve()
    assert 'id="item-table"' in out.read_text(encoding="utf-8")
