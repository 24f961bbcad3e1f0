# ruff: noqa: F811 (fixtures imported from another test module are the parameters of the tests)
"""The drafts stage writes, for the golden inputs, exactly the rows it wrote before issue 19's
fast path: every draft byte for byte, every quarantine row, the same figures
(tests/pipeline/drafts_golden.py says what the inputs hold and how they were made)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.clients import Platforms
from store import Warehouse
from tests.pipeline.drafts_golden import load_inputs, migrations, outputs, read_golden
from tests.pipeline.test_stages import platforms  # noqa: F401 (the in-process sandbox fixture)


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return read_golden()


@pytest.fixture(scope="module")
def drafted(
    golden: dict[str, Any], platforms: Platforms, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    warehouse = Warehouse(Path(tmp_path_factory.mktemp("golden")) / "w.duckdb")
    load_inputs(warehouse, golden["inputs"])
    return {shop.key: outputs(warehouse, shop, platforms) for shop in migrations()}


def _first_difference(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> str:
    """The first row that differs, field by field, so a failure says what changed."""
    for mine, theirs in zip(got, want, strict=False):
        if mine != theirs:
            fields = {
                k: (mine.get(k), theirs.get(k)) for k in theirs if mine.get(k) != theirs.get(k)
            }
            if "draft" in fields:
                now, before = (json.loads(d) for d in fields.pop("draft"))
                fields |= {f"draft.{k}": (now[k], before[k]) for k in before if now[k] != before[k]}
            return f"item {theirs['source_item_id']}: {fields}"
    return f"{len(got)} rows, {len(want)} expected"


@pytest.mark.parametrize("shop", [m.key for m in migrations()])
def test_drafts_are_the_golden_drafts(
    shop: str, drafted: dict[str, Any], golden: dict[str, Any]
) -> None:
    got, want = drafted[shop]["drafts"], golden["expected"][shop]["drafts"]
    assert got == want, _first_difference(got, want)


@pytest.mark.parametrize("shop", [m.key for m in migrations()])
def test_quarantine_and_figures_are_the_golden_ones(
    shop: str, drafted: dict[str, Any], golden: dict[str, Any]
) -> None:
    got, want = drafted[shop], golden["expected"][shop]
    assert got["quarantine"] == want["quarantine"]
    assert got["figures"] == want["figures"]
