"""A migration whose refund rule its categories do not allow is quarantined at drafting, naming the
rule and the category's list (from open.item.category.config), and nothing reaches the platform."""

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store.duckdb_ledger import DuckDBLedger
from store.warehouse import Warehouse, migration_status
from tests.assets.conftest import TAOBAO_DEMO_SOURCE, Materialize, materialize_migrations_file

REFUND_RULE_2 = f"""
migrations:
  - key: taobao-demo
    mode: move
    max_items: 15
{TAOBAO_DEMO_SOURCE}
    target:
      app_key: ks_sandbox_app
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
    service: {{refund_rule: "2"}}
    category: {{min_confidence: 0.25}}
"""


@pytest.fixture(scope="module")
def run(
    materialize: Materialize, tmp_path_factory: pytest.TempPathFactory
) -> dg.ExecuteInProcessResult:
    return materialize_migrations_file(
        materialize, tmp_path_factory.mktemp("refund"), REFUND_RULE_2
    )


def test_drafts_with_a_refund_rule_the_category_refuses_are_quarantined(
    run: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    rows = warehouse.query(
        "SELECT detail FROM quarantine WHERE migration = 'taobao-demo' "
        "AND reason_code = 'refund_rule_not_allowed'"
    )
    assert rows
    assert "refund rule '2' is not allowed" in rows[0]["detail"]
    assert "which allows 1, 4" in rows[0]["detail"]


def test_nothing_with_that_rule_is_sent_and_every_item_is_accounted_for(
    run: dg.ExecuteInProcessResult, sandbox: Sandbox, warehouse: Warehouse
) -> None:
    status = migration_status(warehouse, "taobao-demo", ledger=DuckDBLedger(warehouse))
    assert status["published"] == 0
    assert status["unaccounted"] == []
    assert not sandbox.kuaishou.items
