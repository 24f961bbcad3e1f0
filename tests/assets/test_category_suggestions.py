"""open.item.category.suggested.get in the category stage: asked only for unsure listings, at most
`suggestions_per_run` new source categories a run, once per source category (cached), and a spent
daily quota ends the asking, not the run."""

from collections import Counter
from pathlib import Path

import dagster as dg
import pytest

from sandbox.app import Sandbox
from store.warehouse import Warehouse
from tests.assets.conftest import TAOBAO_DEMO_SOURCE, Materialize, materialize_migrations_file

SUGGEST = "open.item.category.suggested.get"
UNSURE = f"""
migrations:
  - key: taobao-demo
    mode: move
    max_items: 12
{TAOBAO_DEMO_SOURCE}
    target:
      app_key: ks_sandbox_app
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
    category: {{min_confidence: 1.0, suggestions_per_run: 2}}
"""


def asked(sandbox: Sandbox) -> int:
    return sum(1 for method, _ in sandbox.kuaishou.calls if method == SUGGEST)


def cached_keys(warehouse: Warehouse) -> list[str]:
    rows = warehouse.query("SELECT source_category_key FROM category_suggestions ORDER BY 1")
    return [r["source_category_key"] for r in rows]


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("suggest")


@pytest.fixture(scope="module")
def first_run(materialize: Materialize, directory: Path) -> dg.ExecuteInProcessResult:
    return materialize_migrations_file(materialize, directory, UNSURE)


def test_a_run_asks_for_at_most_its_budget_of_source_categories(
    first_run: dg.ExecuteInProcessResult, sandbox: Sandbox, warehouse: Warehouse
) -> None:
    assert asked(sandbox) == 2
    keys = cached_keys(warehouse)
    assert len(keys) == 2 and all(k.startswith("taobao:") for k in keys)
    layers = Counter(
        r["layer"]
        for r in warehouse.query(
            "SELECT layer FROM category_decisions WHERE migration = 'taobao-demo'"
        )
    )
    assert layers["suggested"] >= 2


def test_the_stage_counts_the_decisions_as_rewritten_after_the_suggestions(
    first_run: dg.ExecuteInProcessResult, warehouse: Warehouse
) -> None:
    """Decisions are written batch by batch, then the suggested ones are rewritten: the figures
    and the layer breakdown are those of the rows in the tables at the end."""
    (written,) = [
        m
        for m in first_run.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey("category_decisions")
    ]
    metadata = written.materialization.metadata
    rows = warehouse.query("SELECT layer FROM category_decisions WHERE migration = 'taobao-demo'")
    review = warehouse.scalar(
        "SELECT count(*) FROM category_review WHERE migration = 'taobao-demo'"
    )
    assert metadata["decided"].value == len(rows) == 12
    assert metadata["to_review"].value == review
    by_layer = {r.data["layer"]: r.data["items"] for r in metadata["by_layer"].value.records}
    assert by_layer == dict(Counter(r["layer"] for r in rows))


def test_the_next_run_asks_only_for_categories_not_asked_before(
    first_run: dg.ExecuteInProcessResult,
    materialize: Materialize,
    directory: Path,
    sandbox: Sandbox,
    warehouse: Warehouse,
) -> None:
    before = cached_keys(warehouse)
    materialize_migrations_file(materialize, directory, UNSURE)
    after = cached_keys(warehouse)
    assert set(before) < set(after)
    assert asked(sandbox) == len(after)  # every source category asked exactly once


def test_a_spent_daily_quota_stops_the_asking_and_the_run_goes_on(
    first_run: dg.ExecuteInProcessResult,
    materialize: Materialize,
    directory: Path,
    sandbox: Sandbox,
    warehouse: Warehouse,
) -> None:
    quota = sandbox.kuaishou.suggestions
    quota.daily_quota = sum(quota.calls.values())
    before, calls = cached_keys(warehouse), asked(sandbox)
    result = materialize_migrations_file(materialize, directory, UNSURE)
    assert result.success
    assert cached_keys(warehouse) == before
    assert asked(sandbox) == calls + 1  # the refused call, then no more
