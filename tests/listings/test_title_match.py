"""The text layer's gates (listings/title_match.py) on the failure classes issue 14 names, with
titles from tests/fixtures/category_dev_real.csv and a few leaves of the real tree subset."""

from __future__ import annotations

from pathlib import Path

import pytest

from listings.categories import CategoryMatcher, CategoryTree
from listings.title_match import judge, leaf_audience, leaf_terms, title_facts

ROOT = Path(__file__).parents[2]
TREE = ROOT / "data" / "categories" / "marketplace_tree_subset.csv"


@pytest.fixture(scope="module")
def matcher() -> CategoryMatcher:
    return CategoryMatcher(CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8")))


def test_a_leaf_is_named_by_its_own_terms_and_the_head_of_long_ones() -> None:
    terms = leaf_terms(("收纳整理", "家庭收纳用具", "收纳架", "鞋子收纳架"))
    assert terms.terms == ("鞋子收纳架",)
    assert "收纳架" in terms.heads
    assert leaf_terms(("玩具", "仿真/过家家玩具", "仿真/动物玩偶")).terms == ("动物玩偶",)
    assert leaf_terms(("居家日用", "其它")).generic


def test_audience_comes_from_an_audience_root_or_any_deeper_level() -> None:
    assert leaf_audience(("女装", "T恤")) == {"female"}
    assert leaf_audience(("童装/婴儿装/亲子装", "儿童配饰", "太阳镜")) == {"child"}
    assert leaf_audience(("玩具/童车/益智/积木/模型", "积木", "积木")) == {"child"}
    assert leaf_audience(("模玩/动漫/周边/cos/桌游", "手办/兵人/扭蛋", "手办/手办景品")) == set()
    assert leaf_audience(("宠物/宠物食品及用品", "猫/狗玩具", "其它玩具")) == {"pet"}


def test_mens_clothes_never_land_on_a_womens_leaf(matcher: CategoryMatcher) -> None:
    decision = matcher.decide(title="G2000夏季白衬衫男短袖修身商务男士上衣 纯色正装上班薄款衬衣")
    assert decision.confidence < 0.5
    leaf = leaf_terms(("女装", "衬衫"))
    verdict = judge(title_facts("G2000夏季白衬衫男短袖修身商务男士上衣"), leaf)
    assert verdict.strength > 0 and "female" in verdict.problem


def test_a_product_type_the_leaf_does_not_name_sends_to_review(matcher: CategoryMatcher) -> None:
    decision = matcher.decide(title="简易衣柜实木布衣柜双人大号组装衣橱折叠收纳架柜子牛津布储物柜")
    assert decision.confidence < 0.5
    assert "衣柜" in decision.reason or "names no product type" in decision.reason


def test_digits_sizes_and_codes_do_not_match(matcher: CategoryMatcher) -> None:
    facts = title_facts("GXG男装 2018夏季新品时尚胶印黑色休闲短裤男五分裤#182822204")
    assert "182822204" not in facts.text and "2018" not in facts.text
    assert {"male"} <= facts.audience


def test_a_product_named_plainly_is_published(matcher: CategoryMatcher) -> None:
    decision = matcher.decide(title="新百合仿真花客厅摆件装饰餐桌人造插花摄影道具婚庆布置厂家批发")
    assert decision.path is not None and decision.path.endswith("仿真花/假花")
    assert decision.confidence >= 0.78


def test_a_batch_is_one_product_and_decides_like_one_by_one(matcher: CategoryMatcher) -> None:
    titles = ["陶瓷花瓶北欧ins风摆件民宿家居干花装饰婚礼拍摄道具DIY陶艺素坯", "补差价"]
    batch = matcher.text_decisions(titles)
    one = [matcher.text_decisions([t])[0] for t in titles]
    assert batch == one
