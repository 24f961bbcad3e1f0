"""Category matching: only leaves, overrides first, text matching with a confidence and candidates."""

import csv
from pathlib import Path

import pytest

from listings.categories import (
    CategoryDecision,
    CategoryMapping,
    CategoryMatcher,
    CategoryNode,
    CategoryTree,
    OverridesFileError,
    needs_review,
    parse_overrides_csv,
)

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


def test_a_tree_rebuilt_from_its_leaf_paths_has_the_same_leaves(matcher: CategoryMatcher) -> None:
    """The warehouse keeps a migration's leaves as id and path (`category_leaves`); the tree they
    rebuild decides as the shop's own (`banjia categories eval --migration`, decision 172)."""
    tree = matcher.tree
    rebuilt = CategoryTree.from_leaf_paths({leaf: tree.path_text(leaf) for leaf in tree.leaves})
    assert rebuilt.leaves == tree.leaves
    assert all(node < 0 for node in rebuilt.nodes if node not in rebuilt.leaves)
    title = "夏季碎花雪纺连衣裙女中长款收腰显瘦"
    assert CategoryMatcher(rebuilt).decide(title=title) == matcher.decide(title=title)


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


# --- the migration's overrides CSV, the mapping table, open leaves, the review rule -------------

SANDBOX_TREE_CSV = Path(__file__).parents[2] / "data" / "categories" / "kuaishou_sandbox_tree.csv"
DRESS = 20224  # 女装 > 连衣裙 in the sandbox tree
KIDS_DRESS = 24914  # 童装/婴儿装/亲子装 > 裙子 > 连衣裙


@pytest.fixture(scope="module")
def sandbox_tree() -> CategoryTree:
    return CategoryTree.from_csv_text(SANDBOX_TREE_CSV.read_text(encoding="utf-8"))


def test_an_overrides_file_keys_items_ids_and_paths() -> None:
    text = (
        "source_category,kuaishou_category_id,note\n"
        "item:623917802188,20224,the merchant's choice\n"
        "50010850,20224,\n"
        "女装/女士精品 > 连衣裙,24914,\n"
        "\n"
    )
    overrides = parse_overrides_csv(text, source="overrides.csv")
    assert overrides == {
        "item:623917802188": 20224,
        "50010850": 20224,
        "女装/女士精品>连衣裙": 24914,
    }


def test_a_later_row_of_the_overrides_file_wins() -> None:
    text = "source_category,kuaishou_category_id\n50010850,20224\n50010850,24914\n"
    assert parse_overrides_csv(text, source="o.csv") == {"50010850": 24914}


def test_an_overrides_file_without_the_columns_names_the_header() -> None:
    with pytest.raises(OverridesFileError, match=r"o\.csv: line 1: the header lacks kuaishou"):
        parse_overrides_csv("source_category,leaf\n1,2\n", source="o.csv")


def test_a_non_numeric_leaf_in_the_overrides_file_names_the_line_and_the_fix() -> None:
    text = "source_category,kuaishou_category_id\n50010850,20224\n50000671,女装>T恤\n"
    with pytest.raises(OverridesFileError) as caught:
        parse_overrides_csv(text, source="data/overrides/tb.csv")
    message = str(caught.value)
    assert "data/overrides/tb.csv: line 3" in message
    assert "'女装>T恤'" in message and "give the Kuaishou leaf id" in message


def test_a_blank_key_in_the_overrides_file_is_refused() -> None:
    with pytest.raises(OverridesFileError, match="line 2: source_category is blank"):
        parse_overrides_csv("source_category,kuaishou_category_id\n,20224\n", source="o.csv")


def test_an_item_override_beats_its_category_override(sandbox_tree: CategoryTree) -> None:
    matcher = CategoryMatcher(sandbox_tree)
    decision = matcher.decide(
        title="女童公主裙",
        source_item_id="42",
        source_category_ids=("50010850",),
        overrides={"50010850": DRESS, "item:42": KIDS_DRESS},
    )
    assert (decision.category_id, decision.layer) == (KIDS_DRESS, "override")


def test_a_path_override_matches_however_the_path_is_spelled(sandbox_tree: CategoryTree) -> None:
    matcher = CategoryMatcher(sandbox_tree)
    overrides = parse_overrides_csv(
        "source_category,kuaishou_category_id\n女装/女士精品>连衣裙,24914\n", source="o.csv"
    )
    decision = matcher.decide(
        title="碎花裙", source_category_path=("女装/女士精品 ", " 连衣裙"), overrides=overrides
    )
    assert decision.category_id == KIDS_DRESS


def test_the_mapping_table_names_paths_and_is_resolved_against_the_tree(
    sandbox_tree: CategoryTree,
) -> None:
    mapping = CategoryMapping.from_csv_text(
        "platform,source_category,kuaishou_path\ntaobao,女装/女士精品>连衣裙,女装>连衣裙\n"
    )
    matcher = CategoryMatcher(sandbox_tree, mapping=mapping)
    decision = matcher.decide(
        title="法式碎花裙", platform="tmall", source_category_path=("女装/女士精品", "连衣裙")
    )
    assert (decision.category_id, decision.layer, decision.confidence) == (DRESS, "mapping", 1.0)


@pytest.mark.parametrize(
    ("title", "layer"),
    [
        ("法式碎花雪纺连衣裙女收腰", "mapping"),
        ("【华姐家】228A212646", "mapping"),  # no product named: the source category decides
        ("纯棉短袖T恤女宽松百搭上衣", "text"),  # a T-shirt filed under the dresses
        ("夏季女韩版条纹短袖T恤+a裙子两件套", "text"),  # a set, not a dress
        ("女童连衣裙公主裙夏装", "text"),  # a girl's dress: the table's leaf is women's
    ],
)
def test_the_mapping_table_is_trusted_only_where_the_title_does_not_say_otherwise(
    sandbox_tree: CategoryTree, title: str, layer: str
) -> None:
    """Sellers misfile items; a mapping from the source category alone published them at 1.0.
    A title naming another product, another audience or no product of the mapped leaf sets the
    table aside for the text layer (decision 173)."""
    mapping = CategoryMapping.from_csv_text(
        "platform,source_category,kuaishou_path\ntaobao,女装/女士精品>连衣裙,女装>连衣裙\n"
    )
    matcher = CategoryMatcher(sandbox_tree, mapping=mapping)
    decision = matcher.decide(
        title=title, platform="taobao", source_category_path=("女装/女士精品", "连衣裙")
    )
    assert decision.layer == layer, decision.reason


def test_a_mapping_row_whose_path_the_tree_lacks_falls_through_to_text(
    sandbox_tree: CategoryTree,
) -> None:
    mapping = CategoryMapping.from_csv_text(
        "platform,source_category,kuaishou_path\n*,女装>连衣裙,服装>女装>裙装>连衣裙\n"
    )
    matcher = CategoryMatcher(sandbox_tree, mapping=mapping)
    decision = matcher.decide(title="碎花雪纺连衣裙", source_category_path=("女装", "连衣裙"))
    assert decision.layer == "text"
    assert "is not an open leaf of this tree" in decision.reason


def test_only_leaves_under_the_shop_s_open_categories_are_chosen(
    sandbox_tree: CategoryTree,
) -> None:
    kidswear = 20032
    opened = sandbox_tree.leaves_under([kidswear])
    assert KIDS_DRESS in opened and DRESS not in opened
    matcher = CategoryMatcher(sandbox_tree, open_leaf_ids=opened)
    decision = matcher.decide(title="法式碎花雪纺连衣裙女", source_category_path=("女装", "连衣裙"))
    assert decision.category_id in opened


def test_the_review_rule_takes_the_unmatched_and_the_unsure() -> None:
    sure = CategoryDecision(category_id=DRESS, path="女装>连衣裙", confidence=0.6, layer="text")
    unsure = sure.model_copy(update={"confidence": 0.2})
    none = CategoryDecision(category_id=None, path=None, confidence=0.0, layer="none")
    assert not needs_review(sure, min_confidence=0.35)
    assert needs_review(unsure, min_confidence=0.35)
    assert needs_review(none, min_confidence=0.0)


# --- what ranks a leaf first on small trees of real leaves (decisions 144, 145) ----------------


def _tree(*nodes: tuple[int, str, int]) -> CategoryTree:
    """A tree from (id, name, parent id) triples, roots under 0."""
    return CategoryTree.from_nodes(
        CategoryNode(category_id=category_id, name=name, parent_id=parent_id)
        for category_id, name, parent_id in nodes
    )


_SMALL_TREE = _tree(
    (1, "金属材料及制品", 0),
    (11, "不锈钢", 1),
    (2, "基础建材", 0),
    (21, "玻璃", 2),
    (3, "户外/登山/野营/旅行用品", 0),
    (31, "户外餐饮用品", 3),
    (311, "烧烤配件", 31),
    (3111, "烧烤针", 311),
    (4, "餐饮具", 0),
    (41, "餐具", 4),
    (411, "瓶/罐", 41),
    (5, "收纳整理", 0),
    (51, "家庭收纳用具", 5),
    (511, "收纳盒", 51),
    (5111, "其他收纳盒", 511),
    (5112, "桌面收纳盒", 511),
    (5113, "内衣收纳盒", 511),
    (6, "童装/婴儿装/亲子装", 0),
    (61, "套装", 6),
    (62, "外套/夹克/大衣", 6),
    (621, "普通外套", 62),
    (63, "裤子", 6),
    (7, "女装", 0),
    (71, "T恤", 7),
    (72, "套装/学生校服/工作制服", 7),
    (721, "其它制服/套装", 72),
)
"""Leaves of data/categories/marketplace_tree_subset.csv, under ids of their own."""


@pytest.mark.parametrize(
    ("title", "leaf"),
    [
        # Titles from tests/fixtures/category_dev_real.csv (real sellers'), labelled to these leaves.
        pytest.param(
            "加厚不锈钢烧烤签子扁钎子钢签工具钢签子户外用品羊肉串用具",
            3111,
            id="a material ranks no leaf named by that material (steel skewers)",
        ),
        pytest.param(
            "万物可。Kilner梅森威尔士柠檬百香果玻璃罐子储物密封罐食品级",
            411,
            id="a material ranks no leaf named by that material (a glass jar)",
        ),
        pytest.param(
            "304不锈钢板材 金属材料",
            11,
            id="a leaf named by a material still comes up for the material itself",
        ),
        pytest.param(
            "卡通杂物少女心桌面抽屉式学生铅笔宿舍文具多层收纳盒无格储物盒",
            5112,
            id="a specific sibling's word ranks it above the catch-all (桌面)",
        ),
        pytest.param(
            "男童儿童内裤袜子收纳盒学生装短裤放内衣裤衩整理盒小孩男孩宝宝",
            5113,
            id="a specific sibling's word ranks it above the catch-all (内衣)",
        ),
        pytest.param(
            "大号塑料收纳盒带盖家用整理箱",
            5111,
            id="no sibling's word keeps the catch-all first",
        ),
        pytest.param(
            "高端职业西装外套女2020秋冬新款气质商务正装总裁套装女士工作服",
            721,
            id="a women's suit of garments only the children's root lists is a women's set",
        ),
        pytest.param(
            "巴拉巴拉童装男童套装中大童外套儿童两件套春装2018新款运动卫衣",
            61,
            id="a children's set stays a children's set",
        ),
    ],
)
def test_the_leaf_ranked_first(title: str, leaf: int) -> None:
    assert CategoryMatcher(_SMALL_TREE, gate=None).decide(title=title).category_id == leaf
