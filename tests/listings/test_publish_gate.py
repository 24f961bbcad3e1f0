"""The publish gate's features (listings/publish_gate.py): what the matcher's top decision says,
as numbers that name no leaf and no word of the title."""

from __future__ import annotations

from pathlib import Path

import pytest

from listings.categories import CategoryMatcher, CategoryNode, CategoryTree, DecisionRequest
from listings.publish_gate import (
    FEATURES,
    GateInput,
    PublishGate,
    default_gate,
    gate_features,
    gate_vector,
)


def _item(title: str, matched: str, *, nouns: tuple[str, ...] = (), **more: object) -> GateInput:
    values: dict[str, object] = {
        "title": title,
        "text": title.lower(),
        "nouns": frozenset(nouns or (matched,)),
        "matched": matched,
        "how": "term",
        "strength": 0.5,
        "reason_class": "agrees",
        "confidence": 0.8,
        "margin": 0.4,
        "cosine": 0.3,
        "leaf_path": ("家居", "杯子"),
        "leaf_audience": frozenset(),
        "title_audience": frozenset(),
    }
    values.update(more)
    return GateInput(**values)  # type: ignore[arg-type]


def test_the_matched_noun_last_in_the_title_is_the_last_noun() -> None:
    features = gate_features(_item("保温杯大容量学生水杯", "水杯", nouns=("保温杯", "水杯")))
    assert features["last_noun"] == 1.0
    assert features["nouns_after"] == 0.0
    assert features["noun_count"] == 2.0


def test_a_product_named_after_the_match_is_counted() -> None:
    features = gate_features(_item("水杯套装送杯刷杯垫", "水杯", nouns=("水杯", "杯刷", "杯垫")))
    assert features["last_noun"] == 0.0
    assert features["nouns_after"] == 2.0


def test_the_gate_reads_how_much_of_the_leafs_own_name_the_title_holds() -> None:
    """`leaf_char_cover` and `leaf_bigram_cover` (decision 185): a shoe rack's title that says
    收纳架 holds most of 鞋子收纳架; one that says only 鞋架 holds its characters but few of its
    bigrams; a title naming none of it holds nothing. Each of a leaf's names (split at /) is
    judged on its own, the best kept."""
    leaf = ("收纳整理", "收纳架", "鞋子收纳架")
    named = gate_features(_item("多层鞋子收纳架", "鞋子收纳架", leaf_path=leaf))
    assert named["leaf_char_cover"] == 1.0 and named["leaf_bigram_cover"] == 1.0
    short = gate_features(_item("鞋架多层 收纳", "鞋架", leaf_path=leaf))
    assert short["leaf_char_cover"] == 0.8 and short["leaf_bigram_cover"] == 0.25
    none = gate_features(_item("陶瓷马克杯", "杯子", leaf_path=leaf))
    assert none["leaf_char_cover"] == 0.0 and none["leaf_bigram_cover"] == 0.0
    either = gate_features(_item("玻璃花器", "花器", leaf_path=("绿植", "花瓶/花器/花盆")))
    assert either["leaf_bigram_cover"] == 1.0


def test_a_match_only_after_a_gift_word_is_the_gift() -> None:
    assert gate_features(_item("不锈钢饭盒 送筷子", "筷子"))["only_after_gift"] == 1.0
    assert gate_features(_item("筷子 送筷子架", "筷子"))["only_after_gift"] == 0.0


def test_a_match_only_inside_brackets_is_flagged() -> None:
    assert gate_features(_item("【水杯同款】保温饭盒", "水杯"))["only_in_brackets"] == 1.0
    assert gate_features(_item("【热卖】水杯", "水杯"))["only_in_brackets"] == 0.0


def test_occurrences_length_depth_and_catch_all() -> None:
    features = gate_features(_item("杯 杯 陶瓷", "杯", leaf_path=("家居", "餐饮具", "其他杯具")))
    assert features["occurrences"] == 2.0
    assert features["single_char"] == 1.0
    assert features["leaf_depth"] == 3.0
    assert features["catch_all"] == 1.0


def test_audience_and_source_agreement() -> None:
    features = gate_features(
        _item(
            "女士羊毛大衣",
            "大衣",
            leaf_path=("女装", "大衣"),
            leaf_audience=frozenset({"female"}),
            title_audience=frozenset({"female"}),
            source_path="女装 毛呢外套",
        )
    )
    assert features["audience_agrees"] == 1.0
    assert features["audience_leaf_only"] == 0.0
    assert features["source_given"] == 1.0
    assert features["source_agrees"] == 1.0


def test_the_reason_and_how_are_one_hot() -> None:
    features = gate_features(_item("水杯", "水杯", reason_class="rivals", how="head"))
    assert [k for k in features if k.startswith("reason_") and features[k]] == ["reason_rivals"]
    assert [k for k in features if k.startswith("how_") and features[k]] == ["how_head"]
    assert list(features) == list(FEATURES)


def test_the_agreeing_copies_repeat_how_cosine_and_strength_only_when_every_gate_passed() -> None:
    agreeing = gate_features(_item("居家室内拖鞋", "居家鞋", how="apart", cosine=0.12))
    assert [k for k in agreeing if k.startswith("agrees_how_") and agreeing[k]] == [
        "agrees_how_apart"
    ]
    assert (agreeing["agrees_cosine"], agreeing["agrees_strength"]) == (0.12, 0.5)
    assert agreeing["agrees_end_gap"] == agreeing["end_gap"]
    doubted = gate_features(_item("居家室内拖鞋", "居家鞋", how="apart", reason_class="doubt"))
    assert not any(v for k, v in doubted.items() if k.startswith("agrees_"))
    assert doubted["how_apart"] == 1.0


TREE_NODES = (
    CategoryNode(category_id=1, name="家居"),
    CategoryNode(category_id=2, name="水杯", parent_id=1),
    CategoryNode(category_id=3, name="饭盒", parent_id=1),
)
TREE = CategoryTree.from_nodes(TREE_NODES)


def test_the_matcher_explains_its_text_decision_with_the_gate_input() -> None:
    (decision, item), *_ = CategoryMatcher(TREE, gate=None).explain_many(
        [DecisionRequest(title="便携水杯")]
    )
    assert decision.category_id == 2
    assert item is not None
    assert item.matched == "水杯"
    assert item.leaf_path == ("家居", "水杯")
    assert item.confidence == decision.confidence


def test_the_matcher_says_whether_the_cosine_alone_ranks_its_leaf_first() -> None:
    """`cosine_first` (decision 143): the leaf the product words chose is also the leaf the
    title's characters are most like. 保温袋饭盒袋款水杯 names 水杯 as a word, but its characters
    are most like 保温饭盒袋."""
    tree = CategoryTree.from_nodes(
        [*TREE_NODES, CategoryNode(category_id=4, name="保温饭盒袋", parent_id=1)]
    )
    (_, cup), (_, run_on) = CategoryMatcher(tree, gate=None).explain_many(
        [DecisionRequest(title="便携水杯"), DecisionRequest(title="保温袋饭盒袋款水杯")]
    )
    assert cup is not None and run_on is not None
    assert cup.cosine_first
    assert run_on.matched == "水杯" and not run_on.cosine_first


def test_the_agreeing_copy_of_cosine_first_is_zero_unless_every_gate_passed() -> None:
    agreeing = gate_features(_item("便携水杯", "水杯", cosine_first=True))
    assert (agreeing["cosine_first"], agreeing["agrees_cosine_first"]) == (1.0, 1.0)
    doubted = gate_features(_item("便携水杯", "水杯", cosine_first=True, reason_class="doubt"))
    assert (doubted["cosine_first"], doubted["agrees_cosine_first"]) == (1.0, 0.0)


def test_the_gate_reads_how_near_the_leafs_cosine_is_to_the_best_leafs() -> None:
    """`cosine_share` (decision 206): the chosen leaf's character cosine over the best any leaf
    has, so a leaf second by a hair is told from one the characters point away from; its agreeing
    copy is zero unless every gate passed, and nothing is shared when no leaf has a cosine."""
    near = gate_features(_item("便携水杯", "水杯", cosine=0.27, cosine_best=0.3))
    assert near["cosine_share"] == pytest.approx(0.9) == near["agrees_cosine_share"]
    far = gate_features(
        _item("便携水杯", "水杯", cosine=0.06, cosine_best=0.3, reason_class="doubt")
    )
    assert far["cosine_share"] == pytest.approx(0.2) and far["agrees_cosine_share"] == 0.0
    assert gate_features(_item("便携水杯", "水杯", cosine=0.0))["cosine_share"] == 0.0


def test_the_matcher_gives_the_gate_the_best_cosine_of_any_leaf() -> None:
    tree = CategoryTree.from_nodes(
        [*TREE_NODES, CategoryNode(category_id=4, name="保温饭盒袋", parent_id=1)]
    )
    ((_, run_on),) = CategoryMatcher(tree, gate=None).explain_many(
        [DecisionRequest(title="保温袋饭盒袋款水杯")]
    )
    assert run_on is not None and run_on.cosine_best > run_on.cosine > 0


def test_the_matcher_counts_the_products_a_title_names_that_no_leaf_of_its_tree_is_named_by() -> (
    None
):
    """`orphan_nouns` (decision 176): a lunch box beside the cup is a product of this tree (饭盒),
    earphones (耳机) and a wardrobe (衣柜) are not; the matched word and words holding it
    never count. The same titles on a tree with a 衣柜 leaf count one fewer: the tree decides."""
    requests = [
        DecisionRequest(title="便携水杯 饭盒"),
        DecisionRequest(title="便携水杯 耳机 衣柜"),
        DecisionRequest(title="儿童水杯"),
    ]
    items = [item for _, item in CategoryMatcher(TREE, gate=None).explain_many(requests)]
    assert [item.orphans if item else None for item in items] == [0, 2, 0]
    assert all(item is not None and item.matched == "水杯" for item in items)
    wider = CategoryTree.from_nodes(
        [*TREE_NODES, CategoryNode(category_id=4, name="衣柜", parent_id=1)]
    )
    ((_, item),) = CategoryMatcher(wider, gate=None).explain_many(requests[1:2])
    assert item is not None and item.orphans == 1
    assert gate_features(_item("便携水杯 耳机 衣柜", "水杯", orphans=2))["orphan_nouns"] == 2.0


def _one_feature_gate(name: str, *, mean: float, scale: float, coefficient: float) -> PublishGate:
    return PublishGate(
        version=1,
        features=(name,),
        means=(mean,),
        scales=(scale,),
        coefficients=(coefficient,),
        intercept=0.0,
        threshold=0.5,
    )


def test_a_gate_makes_its_probability_the_confidence() -> None:
    gate = _one_feature_gate("last_noun", mean=0.0, scale=1.0, coefficient=0.0)
    decision = CategoryMatcher(TREE, gate=gate).decide(title="便携水杯")
    assert decision.confidence == pytest.approx(0.5)


def test_the_gate_probability_rises_with_a_positive_coefficient() -> None:
    gate = _one_feature_gate("margin", mean=0.5, scale=0.25, coefficient=2.0)
    assert gate.probability({"margin": 0.5}) == 0.5
    assert gate.probability({"margin": 1.0}) > gate.probability({"margin": 0.75}) > 0.5


def test_the_gate_is_never_certain() -> None:
    """`min_confidence: 1.0` publishes nothing on the gate's word, however strong the features."""
    gate = _one_feature_gate("margin", mean=0.0, scale=0.1, coefficient=5.0)
    vector = [10.0 if name == "margin" else 0.0 for name in FEATURES]
    assert gate.probability({"margin": 10.0}) == gate.probability_of(vector) < 1.0


@pytest.mark.parametrize(
    "item",
    [
        _item("保温杯 赠杯刷", "杯刷", nouns=("保温杯", "杯刷")),
        _item("【杯子】陶瓷马克杯", "杯子", reason_class="doubt", how="head", source_path="厨房"),
        _item("女士水杯", "水杯", reason_class="clash", how="", leaf_audience=frozenset({"child"})),
    ],
)
def test_the_hot_paths_vector_is_the_features_in_order_and_scores_the_same(
    item: GateInput,
) -> None:
    """The matcher scores `gate_vector` with `probability_of`; training reads `gate_features`:
    the same numbers, the same float out of the shipped gate."""
    vector = gate_vector(item)
    assert list(gate_features(item).values()) == vector and len(vector) == len(FEATURES)
    gate = default_gate()
    assert gate is not None
    assert gate.probability_of(vector) == gate.probability(gate_features(item))


def test_a_batch_of_vectors_scores_as_each_vector_alone() -> None:
    """The matcher scores a batch's vectors at once; each gets the float it gets alone and the
    float training reads of its features."""
    gate = default_gate()
    assert gate is not None
    items = [
        _item("保温杯 赠杯刷", "杯刷", nouns=("保温杯", "杯刷")),
        _item("【杯子】陶瓷马克杯", "杯子", reason_class="doubt", how="head", source_path="厨房"),
        _item("女士水杯", "水杯", reason_class="clash", how="", leaf_audience=frozenset({"child"})),
    ]
    batch = gate.probabilities_of([gate_vector(item) for item in items])
    assert batch == [gate.probability_of(gate_vector(item)) for item in items]
    assert batch == gate.probabilities([gate_features(item) for item in items])
    assert len(set(batch)) == 3 and gate.probabilities_of([]) == []


def test_a_title_for_another_audience_is_a_misfit_even_when_a_doubt_is_reported_first() -> None:
    """Men's shorts on a women's leaf: `judge` reports the doubt (五分裤 also named) before the
    audience clash, so the reason class alone says "doubt"; the gate still sees the misfit."""
    subset = Path(__file__).parents[2] / "data" / "categories" / "marketplace_tree_subset.csv"
    tree = CategoryTree.from_csv_text(subset.read_text(encoding="utf-8"))
    title = "七匹狼男士休闲短裤2018夏季新款时尚直筒裤子纯色青年男装五分裤"
    (_decision, item), *_ = CategoryMatcher(tree, gate=None).explain_many(
        [DecisionRequest(title=title)]
    )
    assert item is not None
    assert item.leaf_path[0] == "女装"
    assert "male" in item.title_audience
    assert gate_features(item)["audience_misfit"] == 1.0
    assert gate_features(_item("女士短裤", "短裤"))["audience_misfit"] == 0.0
