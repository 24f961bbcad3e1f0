"""The Pinduoduo demo migration end to end, in-process: scene 2, platform 3, 拼多多."""

from collections import Counter

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store.duckdb_ledger import DuckDBLedger
from store.warehouse import Warehouse, migration_status
from tests.assets.conftest import Materialize


@pytest.fixture(scope="module")
def pdd_run(materialize: Materialize) -> dg.ExecuteInProcessResult:
    result = materialize(partition_key="pdd-demo")
    assert result.success
    return result


def test_every_pdd_goods_is_published_quarantined_or_pending(
    pdd_run: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    status = migration_status(warehouse, "pdd-demo", ledger=DuckDBLedger(warehouse))
    assert status["source_items"] > 0
    assert status["unaccounted"] == [] and status["overlapping"] == []
    assert status["published"] >= status["source_items"] // 2


def test_pdd_reports_say_scene_2_platform_3_pinduoduo(
    pdd_run: dg.ExecuteInProcessResult, sandbox: Sandbox
) -> None:
    reports = [r.item for r in sandbox.kuaishou.reports]
    assert reports
    for report in reports:
        assert (report["scene"], report["seller"]["platform"]) == (2, 3)
        assert report["seller"]["platformName"] == "拼多多"
        assert report["originItemUrl"] == (
            f"https://mobile.yangkeduo.com/goods.html?goods_id={report['itemId']}"
        )
    assert max(Counter(r["kwaiItemId"] for r in reports).values()) == 1
