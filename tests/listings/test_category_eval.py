"""How well the category matcher does on listings a person labelled, and how safe auto-publishing is.

The labelled set is tests/fixtures/category_eval.csv (tests/fixtures/category_eval.md says how it
was made): 327 listings from Taobao, PDD and 1688, each labelled by hand with the Kuaishou leaf a
merchant would sign off in the sandbox's tree. Three figures matter (docs/decisions.md §40):

- top-1 accuracy: the share of listings whose chosen leaf is the label;
- auto-publish precision: among listings at or above the default `category.min_confidence`
  (published without a person looking), the share that is right. This matters most: a listing
  below the threshold goes to the review queue and costs a merchant a click, a wrong one above
  it is published where no buyer looks;
- coverage: the share published automatically.

They are printed (run with `-s`) for the matcher as the pipeline runs it (mapping table + text
layer on title and source path), for the text layer alone, and for the title alone (Taobao and
PDD listings carry only a category id, so their path is often unknown).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from banjia.cli_categories import PLATFORM_NAMES
from listings.categories import CategoryDecision, CategoryMapping, CategoryMatcher, CategoryTree
from listings.migrations import CategoryRules

ROOT = Path(__file__).parents[2]
LABELLED = ROOT / "tests" / "fixtures" / "category_eval.csv"
TREE = ROOT / "data" / "categories" / "kuaishou_sandbox_tree.csv"
MAPPING = ROOT / "data" / "categories" / "source_to_kuaishou.csv"
THRESHOLD = CategoryRules().min_confidence

# Floors (docs/decisions.md §40): a few points below what was measured when they were set.
# Coverage floors were lowered with issue 14: the default threshold is now calibrated on REAL
# seller titles (tests/listings/test_category_dev_real.py) for 0.99 precision, so fewer of these
# invented titles are published unseen; precision floors were raised to what that buys here.
FLOORS = {
    "pipeline": {"top1": 0.86, "precision": 0.95, "coverage": 0.58},
    "title only": {"top1": 0.80, "precision": 0.93, "coverage": 0.40},
}


@dataclass(frozen=True)
class Row:
    platform: str
    title: str
    path: tuple[str, ...]
    expected: str


@dataclass(frozen=True)
class Score:
    top1: float
    precision: float
    coverage: float
    auto: int
    total: int


def _rows() -> list[Row]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return [
            Row(
                platform=PLATFORM_NAMES[r["platform"]],
                title=r["title"],
                path=tuple(p for p in r["source_category_path"].split(">") if p),
                expected=r["expected_kuaishou_path"],
            )
            for r in csv.DictReader(handle)
        ]


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return _rows()


@pytest.fixture(scope="module")
def tree() -> CategoryTree:
    return CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))


def _score(rows: list[Row], decide: Callable[[Row], CategoryDecision]) -> Score:
    results = [(decide(row), row) for row in rows]
    right = [d.path == row.expected for d, row in results]
    auto = [ok for (d, _), ok in zip(results, right, strict=True) if d.confidence >= THRESHOLD]
    return Score(
        top1=sum(right) / len(rows),
        precision=sum(auto) / len(auto) if auto else 0.0,
        coverage=len(auto) / len(rows),
        auto=len(auto),
        total=len(rows),
    )


def _report(name: str, score: Score) -> None:
    print(
        f"\ncategory eval [{name}]: top-1 {score.top1:.1%}; at confidence ≥ {THRESHOLD}: "
        f"{score.auto}/{score.total} published automatically ({score.coverage:.1%}), "
        f"precision {score.precision:.1%}"
    )


def test_the_labelled_set_is_large_covers_every_source_and_names_real_leaves(
    rows: list[Row], tree: CategoryTree
) -> None:
    assert len(rows) >= 200
    for platform in ("taobao", "pinduoduo", "alibaba1688"):
        assert sum(r.platform == platform for r in rows) >= 50, platform
    assert all(tree.leaf_by_path(r.expected) is not None for r in rows)
    assert len({r.title for r in rows}) == len(rows)


def test_the_pipeline_matcher_meets_its_floors(rows: list[Row], tree: CategoryTree) -> None:
    mapping = CategoryMapping.from_csv_text(MAPPING.read_text(encoding="utf-8"))
    matcher = CategoryMatcher(tree, mapping=mapping)
    score = _score(
        rows,
        lambda r: matcher.decide(title=r.title, platform=r.platform, source_category_path=r.path),
    )
    _report("mapping table + text layer, title and source path", score)
    for platform in ("taobao", "pinduoduo", "alibaba1688"):
        mine = [r for r in rows if r.platform == platform]
        part = _score(
            mine,
            lambda r: matcher.decide(
                title=r.title, platform=r.platform, source_category_path=r.path
            ),
        )
        print(f"  {platform}: top-1 {part.top1:.1%}, precision {part.precision:.1%} ({part.total})")
    floors = FLOORS["pipeline"]
    assert score.precision >= floors["precision"]
    assert score.top1 >= floors["top1"]
    assert score.coverage >= floors["coverage"]


def test_the_text_layer_alone_is_measured_too(rows: list[Row], tree: CategoryTree) -> None:
    matcher = CategoryMatcher(tree)
    score = _score(rows, lambda r: matcher.decide(title=r.title, source_category_path=r.path))
    _report("text layer alone, title and source path", score)
    assert score.precision >= FLOORS["pipeline"]["precision"]


def test_title_only_matching_meets_its_floors(rows: list[Row], tree: CategoryTree) -> None:
    matcher = CategoryMatcher(tree)
    score = _score(rows, lambda r: matcher.decide(title=r.title))
    _report("text layer, title only", score)
    floors = FLOORS["title only"]
    assert score.precision >= floors["precision"]
    assert score.top1 >= floors["top1"]
    assert score.coverage >= floors["coverage"]
