"""Category attributes filled from the source's props by name and alias; a required one that
nothing fills quarantines the item, naming it."""

from pathlib import Path

import pytest

from listings.categories import CategoryDecision
from listings.category_props import PropAliases, PropSpec, fill_category_props, with_category_props
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration
from listings.model import ItemProp, Listing
from listings.quarantine import Problem
from tests.samples import tshirt

ALIASES_CSV = Path(__file__).parents[2] / "data" / "categories" / "prop_aliases.csv"
BRAND = PropSpec(prop_id=1001, name="品牌", required=True, input_type="RADIO")
MATERIAL = PropSpec(prop_id=1003, name="材质", required=True, input_type="TEXT")
ORIGIN = PropSpec(prop_id=1002, name="产地", required=False, input_type="TEXT")
STYLE_NO = PropSpec(prop_id=1004, name="货号", required=True, input_type="TEXT")
LIPSTICK = CategoryDecision(category_id=90022, path="美妆>口红", confidence=0.99, layer="text")


@pytest.fixture(scope="module")
def aliases() -> PropAliases:
    return PropAliases.from_csv_text(ALIASES_CSV.read_text(encoding="utf-8"))


def with_props(*props: tuple[str, str]) -> Listing:
    return tshirt(props=tuple(ItemProp(name=n, value=v) for n, v in props))


def test_a_prop_named_like_the_attribute_fills_it(aliases: PropAliases) -> None:
    filled = fill_category_props(
        with_props(("品牌", "无品牌"), ("材质", "纯棉")),
        [BRAND, MATERIAL],
        aliases=aliases,
        category="90011 T恤",
    )
    assert not isinstance(filled, Problem)
    assert [(p.prop_id, p.value, p.input_type) for p in filled] == [
        (1001, "无品牌", "RADIO"),
        (1003, "纯棉", "TEXT"),
    ]


def test_aliases_fill_brand_style_number_and_fabric(aliases: PropAliases) -> None:
    listing = with_props(("Brand", "Uniqlo"), ("款号", "UQ-2025-081"), ("面料", "95%棉 5%氨纶"))
    filled = fill_category_props(
        listing, [BRAND, STYLE_NO, MATERIAL], aliases=aliases, category="90011 T恤"
    )
    assert not isinstance(filled, Problem)
    assert {p.name: p.value for p in filled} == {
        "品牌": "Uniqlo",
        "货号": "UQ-2025-081",
        "材质": "95%棉 5%氨纶",
    }


def test_the_attribute_s_own_name_wins_over_an_alias(aliases: PropAliases) -> None:
    listing = with_props(("面料", "聚酯纤维"), ("材质", "纯棉"))
    filled = fill_category_props(listing, [MATERIAL], aliases=aliases, category="90011 T恤")
    assert not isinstance(filled, Problem)
    assert filled[0].value == "纯棉"


def test_a_missing_optional_attribute_is_left_out(aliases: PropAliases) -> None:
    filled = fill_category_props(
        with_props(("品牌", "无")), [BRAND, ORIGIN], aliases=aliases, category="90011 T恤"
    )
    assert not isinstance(filled, Problem)
    assert [p.name for p in filled] == ["品牌"]


def test_a_required_attribute_nothing_fills_quarantines_naming_it(aliases: PropAliases) -> None:
    problem = fill_category_props(
        with_props(("风格", "韩版"), ("品牌", "  ")),
        [BRAND, ORIGIN],
        aliases=aliases,
        category="90022 口红",
    )
    assert isinstance(problem, Problem)
    assert problem.reason_code == "category_prop_missing"
    assert "90022 口红 requires 品牌 (propId 1001)" in problem.detail
    assert "brand" in problem.detail  # the names that would have filled it
    assert "add it on the source" in problem.detail


def test_a_draft_gets_its_leaf_s_attributes(migration: Migration, aliases: PropAliases) -> None:
    listing = with_props(("品牌", "完美日记"), ("净含量", "3.5g"))
    draft = build_draft(listing, decision=LIPSTICK, migration=migration)
    assert isinstance(draft, KuaishouDraft)
    filled = with_category_props(draft, listing, specs={90022: [BRAND]}, aliases=aliases)
    assert isinstance(filled, KuaishouDraft)
    assert [(p.name, p.value) for p in filled.item_props] == [("品牌", "完美日记")]


def test_a_leaf_without_known_attributes_leaves_the_draft_as_it_is(
    migration: Migration, aliases: PropAliases
) -> None:
    listing = with_props()
    draft = build_draft(listing, decision=LIPSTICK, migration=migration)
    assert isinstance(draft, KuaishouDraft)
    assert with_category_props(draft, listing, specs={}, aliases=aliases) is draft
