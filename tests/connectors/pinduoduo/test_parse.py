"""PDD goods JSON → canonical Listing: one quirk per test."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.pinduoduo.parse import PDD_IMAGE_HOSTS, ParseProblem, parse_goods
from connectors.taobao.parse import ParseProblem as TaobaoParseProblem
from listings.images import normalize_image_url
from listings.model import ItemProp, ListingStatus, SkuStatus, SourcePlatform

from .conftest import load_fixture

SHOP = "demo-pdd-shop"


def _sku(listing: Any, sku_id: int) -> Any:
    return next(sku for sku in listing.skus if sku.source_sku_id == str(sku_id))


# -- the documented example (reference §1.2) -------------------------------------------------------


def test_reference_example_has_its_two_skus_with_specs_in_order(
    reference_goods: dict[str, Any],
) -> None:
    listing = parse_goods(reference_goods, shop_id=SHOP)
    assert listing.spec_dimensions == ("口味", "规格")
    assert [sku.spec_key for sku in listing.skus] == [("鸡肉", "200g"), ("鸡肉", "400g")]
    assert [sku.outer_id for sku in listing.skus] == ["DN-C-200", "DN-C-400"]
    assert listing.platform == SourcePlatform.PINDUODUO
    assert listing.shop_id == SHOP


def test_prices_are_fen_ints_and_single_takes_the_single_buy_price(
    reference_goods: dict[str, Any],
) -> None:
    listing = parse_goods(reference_goods, shop_id=SHOP)
    assert [sku.price_fen for sku in listing.skus] == [1590, 2590]


def test_group_takes_the_group_buy_multi_price(reference_goods: dict[str, Any]) -> None:
    listing = parse_goods(reference_goods, shop_id=SHOP, price="group")
    assert [sku.price_fen for sku in listing.skus] == [1290, 2190]


def test_the_default_price_is_single(reference_goods: dict[str, Any]) -> None:
    assert parse_goods(reference_goods, shop_id=SHOP).price_min_fen == 1590


def test_an_unknown_price_kind_is_a_programming_error(reference_goods: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="price"):
        parse_goods(reference_goods, shop_id=SHOP, price="lowest")  # type: ignore[arg-type]


def test_thumb_url_becomes_the_image_of_the_main_spec_value(
    reference_goods: dict[str, Any],
) -> None:
    listing = parse_goods(reference_goods, shop_id=SHOP)
    assert all(sku.specs[0].image_url == "https://img.pddpic.com/s1.jpeg" for sku in listing.skus)
    assert all(sku.specs[1].image_url is None for sku in listing.skus)


def test_zero_quantity_is_zero_stock(reference_goods: dict[str, Any]) -> None:
    assert _sku(parse_goods(reference_goods, shop_id=SHOP), 1163000002).stock == 0


def test_carousel_is_the_main_images_and_detail_gallery_the_detail_images(
    reference_goods: dict[str, Any],
) -> None:
    listing = parse_goods(reference_goods, shop_id=SHOP)
    assert listing.main_images == ("https://img.pddpic.com/mms-material-img/2024-05-01/a.jpeg",)
    assert listing.detail_images == ("https://img.pddpic.com/mms-material-img/2024-05-01/d1.jpeg",)


def test_video_gallery_gives_the_video_url(reference_goods: dict[str, Any]) -> None:
    assert parse_goods(reference_goods, shop_id=SHOP).video_url == "https://video3.pddpic.com/x.mp4"


def test_origin_url_is_the_public_yangkeduo_goods_page(reference_goods: dict[str, Any]) -> None:
    listing = parse_goods(reference_goods, shop_id=SHOP)
    assert listing.origin_url == "https://mobile.yangkeduo.com/goods.html?goods_id=448181168436"


def test_cat_id_is_the_category_leaf(reference_goods: dict[str, Any]) -> None:
    assert parse_goods(reference_goods, shop_id=SHOP).category.ids == ("16358",)


def test_market_price_is_kept_in_raw_only(reference_goods: dict[str, Any]) -> None:
    listing = parse_goods(reference_goods, shop_id=SHOP)
    assert listing.raw["market_price"] == 2990
    assert 2990 not in {sku.price_fen for sku in listing.skus}


def test_raw_is_the_detail_dict_verbatim(reference_goods: dict[str, Any]) -> None:
    assert parse_goods(reference_goods, shop_id=SHOP).raw == reference_goods


def test_a_body_still_wrapped_in_its_response_key_is_unwrapped() -> None:
    body = load_fixture("goods_detail_get_reference_example.json")
    listing = parse_goods(body, shop_id=SHOP)
    assert listing.raw == body["goods_detail_get_response"]


# -- single SKU (the PddOpenSdk C# sample) ----------------------------------------------------------


def test_spec_empty_is_one_sku_without_specs(single_sku_goods: dict[str, Any]) -> None:
    (sku,) = parse_goods(single_sku_goods, shop_id=SHOP).skus
    assert sku.source_sku_id == "1027220"
    assert sku.specs == ()
    assert sku.price_fen == 8800
    assert sku.stock == 22
    assert sku.outer_id is None
    assert sku.status is SkuStatus.NORMAL


def test_single_sku_group_price(single_sku_goods: dict[str, Any]) -> None:
    (sku,) = parse_goods(single_sku_goods, shop_id=SHOP, price="group").skus
    assert sku.price_fen == 6600


def test_tiny_name_is_the_short_title(single_sku_goods: dict[str, Any]) -> None:
    assert parse_goods(single_sku_goods, shop_id=SHOP).short_title == "枣夹核桃"


def test_goods_desc_text_is_the_description(single_sku_goods: dict[str, Any]) -> None:
    listing = parse_goods(single_sku_goods, shop_id=SHOP)
    assert listing.description_html == "新包装，单颗独立小包装。\n1斤家庭分享装。"


def test_image_url_is_the_main_image_when_the_carousel_is_empty_and_made_https(
    single_sku_goods: dict[str, Any],
) -> None:
    listing = parse_goods(single_sku_goods, shop_id=SHOP)
    assert listing.main_images == ("https://img.pddpic.com/goods/images/2024-03-02/zjht.jpeg",)


def test_null_lists_are_empty(single_sku_goods: dict[str, Any]) -> None:
    listing = parse_goods(single_sku_goods, shop_id=SHOP)
    assert listing.detail_images == ()
    assert listing.video_url is None


def test_unnamed_properties_stay_in_raw_only(single_sku_goods: dict[str, Any]) -> None:
    listing = parse_goods(single_sku_goods, shop_id=SHOP)
    assert listing.props == ()
    assert len(listing.raw["goods_property_list"]) == 2


def test_properties_named_by_the_category_template_become_props_with_their_unit(
    single_sku_goods: dict[str, Any],
) -> None:
    listing = parse_goods(single_sku_goods, shop_id=SHOP, property_names={310: "保质期", 1: "品牌"})
    assert listing.props == (
        ItemProp(name="保质期", value="12个月"),
        ItemProp(name="品牌", value="无品牌"),
    )


def test_a_property_is_named_by_template_pid_when_ref_pid_is_unknown(
    quirks_goods: dict[str, Any],
) -> None:
    listing = parse_goods(quirks_goods, shop_id=SHOP, property_names={100311: "净含量"})
    assert listing.props == (ItemProp(name="净含量", value="500g"),)


def test_a_property_without_value_is_dropped(quirks_goods: dict[str, Any]) -> None:
    listing = parse_goods(quirks_goods, shop_id=SHOP, property_names={100999: "空"})
    assert listing.props == ()


# -- SKU quirks -----------------------------------------------------------------------------------


def test_the_first_skus_spec_order_fixes_the_dimension_order(quirks_goods: dict[str, Any]) -> None:
    listing = parse_goods(quirks_goods, shop_id=SHOP)
    assert listing.spec_dimensions == ("颜色", "尺寸")
    assert _sku(listing, 9000000002).spec_key == ("透明", "中号")


def test_a_missing_thumb_takes_the_first_thumb_of_the_same_main_value(
    quirks_goods: dict[str, Any],
) -> None:
    listing = parse_goods(quirks_goods, shop_id=SHOP)
    clear = "https://img.pddpic.com/goods/sn-clear-m.jpg"
    assert _sku(listing, 9000000001).specs[0].image_url == clear
    assert _sku(listing, 9000000002).specs[0].image_url == clear
    assert (
        _sku(listing, 9000000003).specs[0].image_url == "https://img.pddpic.com/goods/sn-white.jpeg"
    )


def test_an_off_sale_sku_is_deleted(quirks_goods: dict[str, Any]) -> None:
    listing = parse_goods(quirks_goods, shop_id=SHOP)
    assert _sku(listing, 9000000003).status is SkuStatus.DELETED
    assert len(listing.active_skus) == 2


def test_stock_is_quantity_minus_reserve_quantity(quirks_goods: dict[str, Any]) -> None:
    assert _sku(parse_goods(quirks_goods, shop_id=SHOP), 9000000001).stock == 26


def test_stock_never_goes_below_zero(quirks_goods: dict[str, Any]) -> None:
    assert _sku(parse_goods(quirks_goods, shop_id=SHOP), 9000000002).stock == 0


def test_a_blank_out_sku_sn_is_no_outer_id(quirks_goods: dict[str, Any]) -> None:
    assert _sku(parse_goods(quirks_goods, shop_id=SHOP), 9000000003).outer_id is None


def test_skus_with_other_dimensions_are_a_parse_problem(reference_goods: dict[str, Any]) -> None:
    reference_goods["sku_list"][1]["spec"] = reference_goods["sku_list"][1]["spec"][:1]
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert caught.value.field == "sku_list[1].spec"
    assert "口味 × 规格" in caught.value.reason


def test_an_empty_spec_among_several_skus_is_a_parse_problem(
    reference_goods: dict[str, Any],
) -> None:
    reference_goods["sku_list"][0]["spec"] = []
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert caught.value.field == "sku_list[0].spec"


def test_a_spec_without_a_value_is_a_parse_problem(reference_goods: dict[str, Any]) -> None:
    reference_goods["sku_list"][0]["spec"][1]["spec_name"] = " "
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert caught.value.field == "sku_list[0].spec[1]"


def test_goods_without_skus_are_a_parse_problem(reference_goods: dict[str, Any]) -> None:
    reference_goods["sku_list"] = []
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert caught.value.field == "sku_list"


def test_a_missing_group_price_names_the_field_and_the_way_out(
    single_sku_goods: dict[str, Any],
) -> None:
    del single_sku_goods["sku_list"][0]["multi_price"]
    with pytest.raises(ParseProblem) as caught:
        parse_goods(single_sku_goods, shop_id=SHOP, price="group")
    assert caught.value.field == "sku_list[0].multi_price"
    assert "price: single" in caught.value.reason
    assert parse_goods(single_sku_goods, shop_id=SHOP).skus[0].price_fen == 8800


def test_a_yuan_price_is_a_parse_problem_not_a_silent_rounding(
    reference_goods: dict[str, Any],
) -> None:
    reference_goods["sku_list"][1]["price"] = 25.9
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert caught.value.field == "sku_list[1].price"


def test_a_negative_price_is_a_parse_problem(reference_goods: dict[str, Any]) -> None:
    reference_goods["sku_list"][0]["price"] = -1
    with pytest.raises(ParseProblem, match="negative"):
        parse_goods(reference_goods, shop_id=SHOP)


def test_an_unknown_sku_is_onsale_is_a_parse_problem(reference_goods: dict[str, Any]) -> None:
    reference_goods["sku_list"][0]["is_onsale"] = 2
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert caught.value.field == "sku_list[0].is_onsale"


# -- goods status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (1, ListingStatus.ONSALE),
        (2, ListingStatus.OFFSHELF),
        (3, ListingStatus.SOLDOUT),
        (4, ListingStatus.DELETED),
    ],
)
def test_goods_status_maps_to_listing_status(
    reference_goods: dict[str, Any], status: int, expected: ListingStatus
) -> None:
    reference_goods["status"] = status
    assert parse_goods(reference_goods, shop_id=SHOP).status is expected


def test_an_unknown_goods_status_is_a_parse_problem(reference_goods: dict[str, Any]) -> None:
    reference_goods["status"] = 9
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert caught.value.field == "status"


def test_goods_without_status_are_taken_as_on_sale(single_sku_goods: dict[str, Any]) -> None:
    del single_sku_goods["status"]
    assert parse_goods(single_sku_goods, shop_id=SHOP).status is ListingStatus.ONSALE


# -- images, text, identity -----------------------------------------------------------------------


def test_pdd_images_become_https_deduplicated_and_lose_the_jpg_a_jpeg_suffix(
    quirks_goods: dict[str, Any],
) -> None:
    listing = parse_goods(quirks_goods, shop_id=SHOP)
    assert listing.main_images == (
        "https://img.pddpic.com/goods/sn-m0.jpg",
        "https://t00img.yangkeduo.com/goods/sn-m1.jpeg",
        "http://127.0.0.1:8765/pinduoduo/img/box-1-m2.jpeg",
    )
    assert listing.detail_images == (
        "https://img.pddpic.com/goods/sn-d0.jpeg",
        "https://img.pddpic.com/goods/sn-d1.jpeg",
    )


def test_the_first_non_empty_video_url_is_taken(quirks_goods: dict[str, Any]) -> None:
    assert parse_goods(quirks_goods, shop_id=SHOP).video_url == "https://video3.pddpic.com/sn.mp4"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("//img.pddpic.com/a.jpeg", "https://img.pddpic.com/a.jpeg"),
        ("http://img.pddpic.com/goods/a.jpg.a.jpeg", "https://img.pddpic.com/goods/a.jpg"),
        (
            "http://omsproductionimg.yangkeduo.com/a.jpg",
            "https://omsproductionimg.yangkeduo.com/a.jpg",
        ),
        (
            "http://127.0.0.1:8765/pinduoduo/img/a.jpeg",
            "http://127.0.0.1:8765/pinduoduo/img/a.jpeg",
        ),
        ("http://notpddpic.com/a.jpeg", "http://notpddpic.com/a.jpeg"),
        ("  ", None),
        (None, None),
    ],
)
def test_normalize_image_url(url: str | None, expected: str | None) -> None:
    assert normalize_image_url(url, https_domains=PDD_IMAGE_HOSTS) == expected


def test_blank_tiny_name_and_desc_are_none(quirks_goods: dict[str, Any]) -> None:
    listing = parse_goods(quirks_goods, shop_id=SHOP)
    assert listing.short_title is None
    assert listing.description_html is None


def test_unknown_fields_survive_in_raw(quirks_goods: dict[str, Any]) -> None:
    assert parse_goods(quirks_goods, shop_id=SHOP).raw["seller_custom_field"] == "kept verbatim"


def test_goods_without_a_name_are_a_parse_problem(reference_goods: dict[str, Any]) -> None:
    reference_goods["goods_name"] = "  "
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert (caught.value.item_id, caught.value.field) == ("448181168436", "goods_name")


def test_goods_without_goods_id_are_a_parse_problem(reference_goods: dict[str, Any]) -> None:
    del reference_goods["goods_id"]
    with pytest.raises(ParseProblem) as caught:
        parse_goods(reference_goods, shop_id=SHOP)
    assert (caught.value.item_id, caught.value.field) == ("?", "goods_id")


def test_parse_problem_is_the_one_every_source_raises() -> None:
    assert ParseProblem is TaobaoParseProblem
