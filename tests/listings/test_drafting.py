"""Canonical listing → Kuaishou draft: full SKU matrix, prices by rule, problems that say what to do."""

import json

from pydantic_core import from_json, to_json

from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft, draft_data_of, listing_data
from listings.migrations import Migration
from listings.model import Listing, ListingStatus, Sku, SpecValue
from listings.quarantine import Problem
from tests.samples import tshirt

DECIDED = CategoryDecision(category_id=23001, path="女装>T恤", confidence=0.99, layer="text")


def draft_of(migration: Migration, **overrides: object) -> KuaishouDraft:
    result = build_draft(tshirt(**overrides), decision=DECIDED, migration=migration)
    assert isinstance(result, KuaishouDraft), result
    return result


def test_missing_combinations_are_filled_with_synthetic_stock_zero_skus(
    migration: Migration,
) -> None:
    draft = draft_of(migration)
    assert len(draft.skus) == 4
    filler = [sku for sku in draft.skus if sku.synthetic]
    assert [tuple(p.value for p in s.props) for s in filler] == [("黑色", "S")]
    assert filler[0].stock == 0


def test_the_dimension_with_images_is_the_main_prop_and_every_value_has_an_image(
    migration: Migration,
) -> None:
    draft = draft_of(migration)
    for sku in draft.skus:
        main = [p for p in sku.props if p.is_main]
        assert [p.name for p in main] == ["颜色分类"]
        assert main[0].image_url  # 黑色 has no prop image: it falls back to the first main image


def test_the_price_rule_marks_up_in_integer_fen(migration: Migration) -> None:
    draft = draft_of(migration)
    prices = {tuple(p.value for p in s.props): s.price_fen for s in draft.skus if not s.synthetic}
    assert prices == {("奶油白", "S"): 4290, ("奶油白", "M"): 4290, ("黑色", "M"): 4620}


def test_a_fourth_dimension_is_merged_into_the_third(migration: Migration) -> None:
    specs = (
        SpecValue(name="颜色", value="红"),
        SpecValue(name="尺码", value="S"),
        SpecValue(name="套餐", value="A"),
        SpecValue(name="型号", value="X"),
    )
    listing_skus = (Sku(source_sku_id="1", specs=specs, price_fen=100, stock=1),)
    draft = draft_of(migration, skus=listing_skus)
    assert [(p.name, p.value) for p in draft.skus[0].props] == [
        ("颜色", "红"),
        ("尺码", "S"),
        ("套餐/型号", "A-X"),
    ]


def test_a_single_sku_without_specs_gets_one_standard_spec(migration: Migration) -> None:
    draft = draft_of(migration, skus=(Sku(source_sku_id="1", price_fen=990, stock=5),))
    assert len(draft.skus) == 1
    assert draft.skus[0].props[0].is_main


def test_more_than_600_combinations_are_quarantined_saying_why(migration: Migration) -> None:
    skus = tuple(
        Sku(
            source_sku_id=f"{a}-{b}",
            specs=(SpecValue(name="颜色", value=f"c{a}"), SpecValue(name="尺码", value=f"s{b}")),
            price_fen=100,
            stock=1,
        )
        for a in range(31)
        for b in range(20)
    )
    result = build_draft(tshirt(skus=skus), decision=DECIDED, migration=migration)
    assert isinstance(result, Problem)
    assert result.reason_code == "too_many_skus"
    assert "620 combinations" in result.detail


def test_a_zero_price_is_quarantined_never_published(migration: Migration) -> None:
    free = (Sku(source_sku_id="1", price_fen=0, stock=5),)
    result = build_draft(tshirt(skus=free), decision=DECIDED, migration=migration)
    assert isinstance(result, Problem) and result.reason_code == "price_not_positive"


def test_an_off_shelf_item_is_not_moved(migration: Migration) -> None:
    result = build_draft(
        tshirt(status=ListingStatus.OFFSHELF), decision=DECIDED, migration=migration
    )
    assert isinstance(result, Problem) and result.reason_code == "source_not_onsale"


def test_a_low_confidence_category_goes_to_review_with_its_candidates(
    migration: Migration,
) -> None:
    unsure = DECIDED.model_copy(update={"confidence": 0.1})
    result = build_draft(tshirt(), decision=unsure, migration=migration)
    assert isinstance(result, Problem) and result.reason_code == "category_uncertain"


def test_rel_ids_are_the_same_on_every_run(migration: Migration) -> None:
    assert draft_of(migration).rel_item_id == draft_of(migration).rel_item_id
    assert [s.rel_sku_id for s in draft_of(migration).skus] == [
        s.rel_sku_id for s in draft_of(migration).skus
    ]


def test_a_selling_point_outside_kuaishou_limits_is_left_out(migration: Migration) -> None:
    assert draft_of(migration, selling_point="好穿").selling_point is None
    assert draft_of(migration, selling_point="纯棉透气不起球的百搭短袖").selling_point == (
        "纯棉透气不起球的百搭短袖"
    )


def test_a_warehouse_item_is_moved_when_the_migration_includes_the_inventory(
    migration: Migration,
) -> None:
    source = migration.source.model_copy(update={"include_inventory": True})
    with_inventory = migration.model_copy(update={"source": source})
    result = build_draft(
        tshirt(status=ListingStatus.OFFSHELF), decision=DECIDED, migration=with_inventory
    )
    assert isinstance(result, KuaishouDraft)
    deleted = build_draft(
        tshirt(status=ListingStatus.DELETED), decision=DECIDED, migration=with_inventory
    )
    assert isinstance(deleted, Problem) and deleted.reason_code == "source_not_onsale"


def test_a_listing_row_without_its_defaulted_fields_drafts_as_the_validated_listing(
    migration: Migration,
) -> None:
    """The drafts stage reads a row as plain JSON (`draft_data_of`): a field `Listing` defaults
    (status, outer_id, image_url, short title ...) may be absent, and reads as its default."""
    row = {
        "platform": "taobao",
        "shop_id": "tb-shop-1",
        "source_item_id": "600000000042",
        "title": "纯棉短袖T恤女2024夏季新款宽松百搭上衣",
        "origin_url": "https://item.taobao.com/item.htm?id=600000000042",
        "main_images": [f"https://img.alicdn.com/42/main{k}.jpg" for k in range(3)],
        "skus": [
            {
                "source_sku_id": f"42-{colour}-{size}",
                "specs": [
                    {"name": "颜色分类", "value": colour},
                    {"name": "尺码", "value": size},
                ],
                "price_fen": 3900,
                "stock": 5,
            }
            for colour, size in (("奶油白", "S"), ("奶油白", "M"), ("黑色", "M"))
        ],
    }
    validated = draft_data_of(
        listing_data(Listing.model_validate_json(json.dumps(row))),
        decision=DECIDED,
        migration=migration,
    )
    read = draft_data_of(from_json(json.dumps(row)), decision=DECIDED, migration=migration)
    assert not isinstance(read, Problem)
    assert to_json(read) == to_json(validated)
