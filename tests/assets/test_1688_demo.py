"""The 1688 distribution demo end to end, in-process: scene 1, platform 1 (1688 货源), the supplier
named, min/max prices in fen, an https first image and the Kuaishou category in every report."""

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store.duckdb_ledger import DuckDBLedger
from store.warehouse import Warehouse, migration_status
from tests.assets.conftest import Materialize


@pytest.fixture(scope="module")
def run_1688(materialize: Materialize) -> dg.ExecuteInProcessResult:
    result = materialize(partition_key="alibaba1688-demo")
    assert result.success
    return result


def test_every_offer_is_published_quarantined_or_pending(
    run_1688: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    status = migration_status(warehouse, "alibaba1688-demo", ledger=DuckDBLedger(warehouse))
    assert status["source_items"] > 0
    assert status["unaccounted"] == [] and status["overlapping"] == []
    assert status["published"] > 0


def test_scene_1_reports_carry_every_required_field(
    run_1688: dg.ExecuteInProcessResult, sandbox: Sandbox, warehouse: Warehouse
) -> None:
    reports = [r.item for r in sandbox.kuaishou.reports]
    assert (
        len(reports)
        == migration_status(warehouse, "alibaba1688-demo", ledger=DuckDBLedger(warehouse))[
            "published"
        ]
    )
    categories = {
        item.kwai_item_id: item.param["categoryId"] for item in sandbox.kuaishou.items.values()
    }
    for report in reports:
        assert (report["scene"], report["seller"]["platform"]) == (1, 1)
        assert report["seller"]["platformName"] == "1688"
        assert report["seller"]["name"] == "义乌市优品日用百货有限公司"
        assert report["originItemUrl"] == f"https://detail.1688.com/offer/{report['itemId']}.html"
        assert report["imageUrl"].startswith("https://")
        assert 1 <= report["priceMin"] <= report["priceMax"]
        assert report["categoryId"] == categories[report["kwaiItemId"]]
        assert report["title"]
