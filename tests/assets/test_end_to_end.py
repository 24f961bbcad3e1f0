"""The demo migration end to end, in-process against the ASGI sandbox.

A Taobao shop moved (搬家) into Kuaishou: every source item ends published, quarantined with a reason, or
pending; every published item has exactly one supply report with scene 2 / platform 3 / 淘宝; a second
materialization publishes nothing new.
"""

from collections import Counter

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store.duckdb_ledger import DuckDBLedger
from store.warehouse import Warehouse, migration_status
from tests.assets.conftest import Materialize


@pytest.fixture(scope="module")
def first_run(materialize: Materialize) -> dg.ExecuteInProcessResult:
    result = materialize()
    assert result.success
    return result


def _on_sale_in_source_shop(sandbox: Sandbox) -> int:
    catalog = sandbox.taobao.catalog("demo-taobao-shop", base_url="http://sandbox.local")
    return sum(1 for item in catalog if item.get("approve_status", "onsale") == "onsale")


def test_every_source_item_is_published_quarantined_or_pending(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse, sandbox: Sandbox
) -> None:
    status = migration_status(warehouse, "taobao-demo", ledger=DuckDBLedger(warehouse))
    on_sale = _on_sale_in_source_shop(sandbox)
    assert status["source_items"] == on_sale
    assert status["unaccounted"] == [] and status["overlapping"] == []
    assert status["published"] + status["quarantined"] + status["pending"] == on_sale
    assert status["published"] >= 0.75 * on_sale
    reasons = warehouse.query(
        "SELECT reason_code, detail FROM quarantine WHERE migration = 'taobao-demo'"
    )
    assert all(r["reason_code"] and r["detail"] for r in reasons)


def test_published_items_exist_on_the_kuaishou_sandbox_once_each(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse, sandbox: Sandbox
) -> None:
    ledger = warehouse.query(
        "SELECT rel_item_id, kwai_item_id FROM publish_ledger WHERE state = 'published'"
    )
    on_platform = Counter(item.rel_item_id for item in sandbox.kuaishou.items.values())
    assert {r["rel_item_id"] for r in ledger} == set(on_platform)
    assert max(on_platform.values()) == 1


def test_every_published_item_has_exactly_one_scene_2_report_for_taobao(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse, sandbox: Sandbox
) -> None:
    published = {
        r["kwai_item_id"]
        for r in warehouse.query(
            "SELECT kwai_item_id FROM publish_ledger WHERE state = 'published'"
        )
    }
    reports = [report.item for report in sandbox.kuaishou.reports]
    assert Counter(r["kwaiItemId"] for r in reports) == Counter(published)
    for report in reports:
        assert report["scene"] == 2
        assert report["seller"]["platform"] == 3
        assert report["seller"]["platformName"] == "淘宝"
        assert report["originItemUrl"] == f"https://item.taobao.com/item.htm?id={report['itemId']}"


def test_a_second_materialization_publishes_and_reports_nothing_new(
    first_run: dg.ExecuteInProcessResult,
    materialize: Materialize,
    warehouse: Warehouse,
    sandbox: Sandbox,
) -> None:
    items_before, reports_before = len(sandbox.kuaishou.items), len(sandbox.kuaishou.reports)
    uploads_before = len(sandbox.kuaishou.uploads)
    assert materialize().success
    assert len(sandbox.kuaishou.items) == items_before
    assert len(sandbox.kuaishou.reports) == reports_before
    assert len(sandbox.kuaishou.uploads) == uploads_before


def test_asset_checks_pass_on_the_demo(first_run: dg.ExecuteInProcessResult) -> None:
    evaluations = first_run.get_asset_check_evaluations()
    assert evaluations
    assert all(e.passed for e in evaluations), [(e.check_name, e.passed) for e in evaluations]


def test_hosted_main_images_are_three_four_and_no_image_keeps_a_white_border(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    rows = warehouse.query(
        "SELECT role, ratio_34, white_border_left, trimmed FROM media "
        "WHERE migration = 'taobao-demo' AND status = 'hosted'"
    )
    main = [r for r in rows if r["role"] == "main"]
    # The sandbox frames many pictures in white and makes most square: trimmed and cropped here.
    assert sum(r["trimmed"] for r in main) > 0
    # A white-backdrop photo whose goods fill the frame gets no 3:4 copy rather than white bars.
    assert sum(r["ratio_34"] for r in main) >= 0.95 * len(main)
    assert not any(r["white_border_left"] for r in rows)


def test_items_left_with_fewer_than_three_main_images_are_quarantined_at_media(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    hosted_main = Counter(
        r["source_item_id"]
        for r in warehouse.query(
            "SELECT source_item_id FROM media WHERE migration = 'taobao-demo' "
            "AND role = 'main' AND status = 'hosted'"
        )
    )
    drafted = {
        r["source_item_id"]
        for r in warehouse.query(
            "SELECT source_item_id FROM kuaishou_drafts WHERE migration = 'taobao-demo'"
        )
    }
    quarantined = {
        r["source_item_id"]: r["detail"]
        for r in warehouse.query(
            "SELECT source_item_id, detail FROM quarantine WHERE migration = 'taobao-demo' "
            "AND stage = 'media' AND reason_code = 'too_few_main_images'"
        )
    }
    assert set(quarantined) == {item for item in drafted if hosted_main[item] < 3}
    for item, detail in quarantined.items():
        assert f"{hosted_main[item]} of " in detail and "at least 3" in detail
