"""The compliance summary and its checks over a real warehouse, at an injected `now`.

Rows are what publishing leaves behind (ledger + outbox) and what the fill_rates asset writes
(`fill_rates`). The last test materializes the asset.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from assets.definitions import defs
from assets.resources import MigrationsResource, WarehouseResource
from pipeline.report import compliance_weeks, overdue_verdict, report_rate_verdict
from store import DuckDBLedger, Warehouse
from tests.dagster_instance import instance_with_migrations

M = "taobao-demo"
PUBLISHED = datetime(2026, 11, 16, 2, tzinfo=UTC)  # Monday 10:00 in Shanghai, 2026-W47


@pytest.fixture
def store(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "w.duckdb")


def _published(store: Warehouse, n: int, *, sent_after_h: dict[int, float | None]) -> None:
    """n published items; item i's report sent `sent_after_h[i]` hours after publishing (None:
    unsent, the default 1 h), item 3 refused by the platform when unsent."""
    for i in range(n):
        rel, published = 9_000 + i, PUBLISHED + timedelta(minutes=i)
        after = sent_after_h.get(i, 1.0)
        store.query(
            "INSERT INTO publish_ledger (rel_item_id, migration, source_item_id, state, "
            "kwai_item_id, attempts, created_at, updated_at, published_at) "
            "VALUES (?, ?, ?, 'published', ?, 1, ?, ?, ?)",
            [rel, M, f"src-{i:03d}", 2_000 + i, published, published, published],
        )
        state = "sent" if after is not None else ("rejected" if i == 3 else "pending")
        store.query(
            "INSERT INTO supply_outbox (rel_item_id, migration, source_item_id, kwai_item_id, "
            "payload, scene, published_at, due_at, state, attempts, last_error, sent_at) "
            "VALUES (?, ?, ?, ?, '{}', 2, ?, ?, ?, 1, ?, ?)",
            [
                rel,
                M,
                f"src-{i:03d}",
                2_000 + i,
                published,
                published + timedelta(hours=24),
                state,
                "item.originItemUrl: required" if state == "rejected" else None,
                None if after is None else published + timedelta(hours=after),
            ],
        )


def test_twenty_items_with_one_unreported_make_a_failing_week(store: Warehouse) -> None:
    _published(store, 20, sent_after_h={3: None})
    weeks = compliance_weeks(
        store, M, ledger=DuckDBLedger(store), now=PUBLISHED + timedelta(days=2)
    )
    assert [(w.iso_week, w.counted, w.reported, w.report_rate) for w in weeks] == [
        ("2026-W47", 20, 19, 0.95)
    ]
    assert weeks[0].rejected_reports == [
        {"source_item_id": "src-003", "reason": "item.originItemUrl: required"}
    ]
    result = report_rate_verdict(weeks)
    assert not result.passed and result.severity == "error"


def test_a_week_above_95_percent_passes_the_rate_check(store: Warehouse) -> None:
    _published(store, 21, sent_after_h={})
    assert report_rate_verdict(
        compliance_weeks(store, M, ledger=DuckDBLedger(store), now=PUBLISHED + timedelta(days=2))
    ).passed


def test_an_unsent_report_fails_the_overdue_check_only_after_its_deadline(
    store: Warehouse,
) -> None:
    _published(store, 2, sent_after_h={1: None})
    assert overdue_verdict(
        store, M, ledger=DuckDBLedger(store), now=PUBLISHED + timedelta(hours=23)
    ).passed
    late = overdue_verdict(
        store, M, ledger=DuckDBLedger(store), now=PUBLISHED + timedelta(hours=25)
    )
    assert not late.passed
    assert late.metadata["items"] == "src-001"


def test_a_late_report_counts_as_reported_but_not_on_time(store: Warehouse) -> None:
    _published(store, 2, sent_after_h={0: 30.0})
    week = compliance_weeks(
        store, M, ledger=DuckDBLedger(store), now=PUBLISHED + timedelta(days=3)
    )[0]
    assert (week.reported, week.reported_on_time, week.late_items) == (2, 1, ["src-000"])


def test_the_latest_measured_fill_rates_of_the_migration_are_used(store: Warehouse) -> None:
    _published(store, 1, sent_after_h={})
    for run_id, hours, rate in (("old", 0, 0.2), ("new", 5, 0.9), ("other-shop", 9, 0.1)):
        store.query(
            "INSERT INTO fill_rates VALUES (?, ?, ?, 10, ?, 0.5, 0.1, 1.0, 4)",
            [
                M if run_id != "other-shop" else "pdd-demo",
                run_id,
                PUBLISHED + timedelta(hours=hours),
                rate,
            ],
        )
    week = compliance_weeks(
        store, M, ledger=DuckDBLedger(store), now=PUBLISHED + timedelta(days=1)
    )[0]
    assert (week.fill_rates_source, week.rate_main_images_3, week.rate_3_4_images) == (
        "fill_rates new",
        0.9,
        0.5,
    )
    assert week.white_border_images_left == 4


def test_compliance_summary_writes_one_row_per_week_and_runs_its_check(
    store: Warehouse,
) -> None:
    _published(store, 20, sent_after_h={3: None})
    summary = next(
        a for a in defs.assets or [] if getattr(a, "key", None) == dg.AssetKey("compliance_summary")
    )
    result = dg.materialize(
        [summary],
        partition_key=M,
        instance=instance_with_migrations(),
        resources={
            "warehouse": WarehouseResource(path=store.path),
            "migrations": MigrationsResource(),
        },
        raise_on_error=False,
    )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"weekly_report_rate_above_95_percent": False}
    rows = store.query(
        "SELECT iso_week, counted, reported, report_rate, missing_items FROM compliance_summary"
    )
    assert rows == [
        {
            "iso_week": "2026-W47",
            "counted": 20,
            "reported": 19,
            "report_rate": 0.95,
            "missing_items": '["src-003"]',
        }
    ]
