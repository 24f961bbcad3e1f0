"""The migration report's stage function on a warehouse with an item in every state."""

from __future__ import annotations

import csv
from html.parser import HTMLParser
from pathlib import Path

import pytest

from listings.migrations import Migration
from pipeline.charts import bar_chart, line_chart
from pipeline.migration_report import build_report, report_path, write_migration_report
from store import DuckDBLedger, Warehouse
from store.item_states import ItemStatus, item_states
from store.warehouse import migration_status
from tests.report_fixture import (
    FORBIDDEN,
    KWAI_IMAGE,
    KWAI_ITEM_ID,
    MISSING,
    PENDING,
    PUBLISHED,
    REVIEW_REASON,
    build_report_warehouse,
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, Migration]:
    return build_report_warehouse(tmp_path_factory.mktemp("report") / "w.duckdb")


class _Tags(HTMLParser):
    """Counts tags and collects the attributes a test asks about."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.items: dict[str, str] = {}
        self.srcs: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        found = dict(attrs)
        if tag == "tr" and found.get("data-item"):
            self.items[found["data-item"] or ""] = found.get("data-state") or ""
        if tag == "img":
            self.srcs.append(found.get("src") or "")
        if tag in ("script", "link"):
            self.external.append(tag)


def test_every_item_is_in_exactly_one_state(shop: tuple[Warehouse, Migration]) -> None:
    warehouse, migration = shop
    states = {
        s.source_item_id: s
        for s in item_states(warehouse, migration.key, ledger=DuckDBLedger(warehouse))
    }
    assert {k: v.state for k, v in states.items()} == {
        PUBLISHED: ItemStatus.PUBLISHED,
        PENDING: ItemStatus.PENDING,
        FORBIDDEN: ItemStatus.QUARANTINED,
        MISSING: ItemStatus.QUARANTINED,
    }
    assert states[PUBLISHED].kwai_item_id == KWAI_ITEM_ID
    assert states[FORBIDDEN].reason_code == "forbidden_words"


def test_the_report_rows_carry_before_and_after(shop: tuple[Warehouse, Migration]) -> None:
    warehouse, migration = shop
    report = build_report(
        migration, warehouse=warehouse, ledger=DuckDBLedger(warehouse), run_id="r1"
    )
    assert report.counts_add_up
    assert (report.status["source_items"], report.status["published"]) == (4, 1)
    rows = {item.source_item_id: item for item in report.items}
    published = rows[PUBLISHED]
    assert published.origin_url == f"https://item.taobao.com/item.htm?id={PUBLISHED}"
    assert published.kwai_item_id == KWAI_ITEM_ID
    # 39.00 and 42.00 yuan at the source, +10 % markup in the sample migration
    assert (published.price_before_min_fen, published.price_before_max_fen) == (3900, 4200)
    assert (published.price_after_min_fen, published.price_after_max_fen) == (4290, 4620)
    assert published.category_path == "男装 > T恤" and published.category_confidence == 0.99
    assert [i.kwai_url for i in published.images] == [KWAI_IMAGE]
    assert rows[FORBIDDEN].fix and "title" in rows[FORBIDDEN].fix
    assert rows[MISSING].title_before is None and rows[MISSING].stage == "extract"
    assert [r.run_id for r in report.fill_runs] == ["run-0", "run-1"]
    assert (published.review, published.review_reason_code) == (
        "审核拒绝 rejected",
        "image_quality",
    )
    assert published.review_reason == REVIEW_REASON
    assert (published.shelf, published.offline_reason) == ("下架 off the shelf", "审核未通过")
    assert published.review_answer == "for the merchant"  # no resubmission row: not banjia's
    assert report.off_shelf == 1


def test_the_written_file_has_the_table_the_charts_and_no_script(
    shop: tuple[Warehouse, Migration], tmp_path: Path
) -> None:
    warehouse, migration = shop
    result = write_migration_report(
        migration,
        warehouse=warehouse,
        ledger=DuckDBLedger(warehouse),
        out_dir=tmp_path,
        run_id="run/1",
    )
    path = Path(str(result.figures["report_path"]))
    assert path == (tmp_path / "tb-test" / "run_1.html").resolve()
    assert path == report_path(tmp_path, migration_key="tb-test", run_id="run/1").resolve()
    html = path.read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(html)
    assert tags.items == {
        PUBLISHED: "published",
        PENDING: "pending",
        FORBIDDEN: "quarantined",
        MISSING: "quarantined",
    }
    assert tags.tags["svg"] == 9  # 8 bar charts (2 of the review, 1 of the shelf), fill rates
    assert tags.external == []
    assert KWAI_IMAGE in tags.srcs
    assert "4 source items = 1 published + 2 quarantined + 1 pending" in " ".join(html.split())
    assert "¥42.90 – ¥46.20" in html
    assert "shelf: 下架 off the shelf (审核未通过)" in html
    assert result.figures["off_shelf"] == 1
    (check,) = result.checks
    assert check.passed and result.row_count == 4


def test_bar_lengths_scale_to_the_largest_count() -> None:
    chart = bar_chart("t", {"a": 10, "b": 5, "c": 0}, width=450)
    room = 450 - chart.label_width - 60
    assert [b.length for b in chart.bars] == [room, room / 2, 0]
    assert chart.total == 15


def test_a_rate_missing_in_a_run_leaves_a_gap() -> None:
    chart = line_chart("t", {"video": [0.5, None, 1.0]}, run_labels=["a", "b", "c"])
    (series,) = chart.series
    assert len(series.dots) == 2 and series.last == 1.0
    assert series.dots[0][1] > series.dots[1][1]  # 50 % is drawn lower than 100 %


def test_past_the_cap_the_html_says_how_many_more_and_the_csv_lists_every_item(
    shop: tuple[Warehouse, Migration], tmp_path: Path
) -> None:
    warehouse, migration = shop
    result = write_migration_report(
        migration,
        warehouse=warehouse,
        ledger=DuckDBLedger(warehouse),
        out_dir=tmp_path,
        run_id="capped",
        max_items_shown=1,
    )
    html = Path(str(result.figures["report_path"])).read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(html)
    # two quarantined items, one listed: the first by id
    assert tags.items == {
        PUBLISHED: "published",
        PENDING: "pending",
        FORBIDDEN: "quarantined",
    }
    assert "… and 1 more quarantined: every item is in" in html
    assert '<a href="capped.csv">capped.csv</a>' in html
    assert "4 source items = 1 published + 2 quarantined + 1 pending" in " ".join(html.split())
    assert result.row_count == 4 and result.figures["items_listed_in_html"] == 3
    with Path(str(result.figures["items_csv_path"])).open(encoding="utf-8", newline="") as rows:
        listed = {row["source_item_id"]: row for row in csv.DictReader(rows)}
    assert {item: row["state"] for item, row in listed.items()} == {
        PUBLISHED: "published",
        PENDING: "pending",
        FORBIDDEN: "quarantined",
        MISSING: "quarantined",
    }
    assert (listed[PUBLISHED]["price_after_min_yuan"], listed[PUBLISHED]["images_changed"]) == (
        "42.90",
        "1",
    )
    assert listed[MISSING]["reason_code"] == "detail_missing"


def test_an_item_drafted_without_a_source_row_is_counted_but_not_listed(
    tmp_path: Path,
) -> None:
    warehouse, migration = build_report_warehouse(tmp_path / "w.duckdb")
    (orphan,) = warehouse.query(
        "SELECT * FROM kuaishou_drafts WHERE migration = ? AND source_item_id = ?",
        [migration.key, PENDING],
    )
    warehouse.append_rows(
        "kuaishou_drafts",
        [{**orphan, "source_item_id": "0999", "rel_item_id": orphan["rel_item_id"] + 1}],
    )
    ledger = DuckDBLedger(warehouse)
    report = build_report(migration, warehouse=warehouse, ledger=ledger, run_id="r1")
    assert report.status["pending"] == 2 and report.status["source_items"] == 4
    assert not report.counts_add_up  # shown, not hidden: the counts no longer add up
    assert "0999" not in {item.source_item_id for item in report.items}
    assert report.status == migration_status(warehouse, migration.key, ledger=ledger)
