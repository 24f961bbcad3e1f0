"""One 1688 supplier distributed (铺货) into two Kuaishou shops: the main 铺货 case.

Each shop gets every offer once, under relItemIds of its own (the target shop is part of the id),
and each shop's ledger, SKU map and reports stay apart. The two migrations borrow the demo's
partition keys (static partitions, decision 2).
"""

from collections import Counter
from pathlib import Path

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store import DuckDBLedger, Warehouse, migration_status
from tests.assets.conftest import Materialize

SECOND_SHOP_TOKEN = "sandbox-kuaishou-access-token-second-shop"
SECOND_SELLER = 880002

SUPPLIER = """\
    mode: distribute
    source:
      platform: alibaba1688
      shop_id: demo-1688-supplier
      shop_name: 义乌市优品日用百货有限公司
      app_key: "8868001"
      app_secret_env: BANJIA_1688_APP_SECRET
      session_env: BANJIA_1688_ACCESS_TOKEN
    max_items: 12
    pricing: {markup_percent: 30}
    category: {min_confidence: 0.25}"""

MIGRATIONS = f"""
migrations:
  - key: alibaba1688-demo
{SUPPLIER}
    target:
      app_key: ks_sandbox_app
      shop_key: shop-a
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
  - key: pdd-demo
{SUPPLIER}
    target:
      app_key: ks_sandbox_app
      shop_key: shop-b
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: SECOND_SHOP_TOKEN
"""


@pytest.fixture(scope="module")
def both_shops(
    materialize: Materialize,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    sandbox.kuaishou.tokens[SECOND_SHOP_TOKEN] = SECOND_SELLER
    path = Path(tmp_path_factory.mktemp("two-shops")) / "migrations.yaml"
    path.write_text(MIGRATIONS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SECOND_SHOP_TOKEN", SECOND_SHOP_TOKEN)
        for key in ("alibaba1688-demo", "pdd-demo"):
            result: dg.ExecuteInProcessResult = materialize(
                partition_key=key, migrations_path=str(path)
            )
            assert result.success, key


def test_each_shop_gets_every_offer_once(both_shops: None, sandbox: Sandbox) -> None:
    per_seller = Counter(item.seller for item in sandbox.kuaishou.items.values())
    assert set(per_seller) == {880001, SECOND_SELLER}
    assert per_seller[880001] == per_seller[SECOND_SELLER] > 0


def test_the_two_shops_items_have_distinct_rel_item_ids(both_shops: None, sandbox: Sandbox) -> None:
    rel_ids = [item.rel_item_id for item in sandbox.kuaishou.items.values()]
    assert len(rel_ids) == len(set(rel_ids))


def test_each_migrations_ledger_accounts_for_its_own_items(
    both_shops: None, warehouse: Warehouse
) -> None:
    ledger = DuckDBLedger(warehouse)
    for key in ("alibaba1688-demo", "pdd-demo"):
        status = migration_status(warehouse, key, ledger=ledger)
        assert status["unaccounted"] == [] and status["overlapping"] == []
        assert status["published"] > 0
    first, second = (set(ledger.ledger(k)) for k in ("alibaba1688-demo", "pdd-demo"))
    assert first and second and not first & second


def test_every_item_is_reported_once_in_its_own_shop(both_shops: None, sandbox: Sandbox) -> None:
    reports = Counter((r.seller, r.item["kwaiItemId"]) for r in sandbox.kuaishou.reports)
    assert set(reports.values()) == {1}
    assert len(reports) == len(sandbox.kuaishou.items)
