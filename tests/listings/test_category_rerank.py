"""The re-rank experiment's pair features (listings/category_rerank.py, decision 91): every
candidate of the hand rules' top-K, in their order, described by numbers that name no leaf."""

from __future__ import annotations

from listings.categories import CategoryMatcher, CategoryNode, CategoryTree, DecisionRequest
from listings.category_rerank import PAIR_FEATURES, candidates_of, with_top

TREE = CategoryTree.from_nodes(
    [
        CategoryNode(category_id=1, name="家居"),
        CategoryNode(category_id=2, name="水杯", parent_id=1),
        CategoryNode(category_id=3, name="饭盒", parent_id=1),
        CategoryNode(category_id=4, name="男装"),
        CategoryNode(category_id=5, name="男士衬衫", parent_id=4),
    ]
)


def test_the_candidates_come_in_the_hand_rules_order_with_their_top_first() -> None:
    matcher = CategoryMatcher(TREE, gate=None)
    title = "保温水杯大容量学生杯子"
    found = candidates_of(matcher, [title], k=3)[0]
    decided = matcher.decide_many([DecisionRequest(title=title)])[0]
    assert found.leaves[0] == decided.category_id
    assert found.features.shape == (len(found.leaves), len(PAIR_FEATURES))
    assert found.features[0, PAIR_FEATURES.index("top_rank")] == 1.0


def test_a_leaf_for_another_audience_is_marked_as_a_clash() -> None:
    matcher = CategoryMatcher(TREE, gate=None)
    found = candidates_of(matcher, ["女士衬衫长袖雪纺上衣"], k=3)[0]
    shirt = found.leaves.index(5)
    assert found.features[shirt, PAIR_FEATURES.index("audience_clash")] == 1.0


def test_a_reranked_decision_takes_its_leaf_and_three_candidates_from_the_new_order() -> None:
    matcher = CategoryMatcher(TREE, gate=None)
    decided = matcher.decide_many([DecisionRequest(title="保温水杯大容量学生杯子")])[0]
    reranked = with_top(decided, [3, 2, 5, 4], TREE)
    assert (reranked.category_id, reranked.path) == (3, TREE.path_text(3))
    assert [c.category_id for c in reranked.candidates] == [3, 2, 5]
    assert reranked.confidence == decided.confidence
    assert with_top(decided, [3, 2], TREE, confidence=0.42).confidence == 0.42
