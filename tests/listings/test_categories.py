"""Category matching: only leaves, overrides first, text matching with a confidence and candidates."""

import csv
from pathlib import Path

import pytest

from listings.categories import CategoryMatcher, CategoryNode, CategoryTree

TREE_CSV = Path(__file__).parents[2] / "data" / "categories" / "marketplace_tree_subset.csv"


@pytest.fixture(scope="module")
def matcher() -> CategoryMatcher:
    with TREE_CSV.open(encoding="utf-8") as handle:
        nodes = [
            CategoryNode(
                category_id=int(row["category_id"]),
                name=row["name"],
                parent_id=int(row["parent_id"]),
            )
            for row in csv.DictReader(handle)
        ]
    return CategoryMatcher(CategoryTree.from_nodes(nodes))


def test_the_tree_knows_its_leaves_and_their_paths(matcher: CategoryMatcher) -> None:
    assert len(matcher.tree.leaves) == 509
    assert all(">" in matcher.tree.path_text(leaf) for leaf in list(matcher.tree.leaves)[:20])


def test_a_title_naming_a_leaf_matches_that_leaf(matcher: CategoryMatcher) -> None:
    decision = matcher.decide(title="夏季碎花雪纺连衣裙女中长款收腰显瘦")
    assert decision.path is not None and decision.path.endswith("连衣裙")
    assert decision.layer == "text"
    assert 0 < decision.confidence <= 1
    assert len(decision.candidates) == 3


def test_an_override_wins_over_the_text_matcher(matcher: CategoryMatcher) -> None:
    leaf = next(iter(matcher.tree.leaves))
    decision = matcher.decide(
        title="夏季碎花雪纺连衣裙", source_category_ids=("50010850",), overrides={"50010850": leaf}
    )
    assert (decision.category_id, decision.layer, decision.confidence) == (leaf, "override", 1.0)


def test_an_override_to_a_non_leaf_is_ignored(matcher: CategoryMatcher) -> None:
    root = 20005  # 女装 is a root, not a leaf
    decision = matcher.decide(title="连衣裙", source_category_ids=("1",), overrides={"1": root})
    assert decision.layer == "text"
    assert decision.category_id != root


def test_text_with_nothing_in_common_decides_nothing(matcher: CategoryMatcher) -> None:
    decision = matcher.decide(title="@@@ ###")
    assert decision.category_id is None and decision.layer == "none"
