"""TOP item JSON → canonical Listing: one quirk per test."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from connectors.taobao.parse import ParseProblem, parse_item, yuan_to_fen
from listings.model import ItemProp, ListingStatus, SkuStatus, SourcePlatform

SHOP = "demo-taobao-shop"


def _sku(listing: Any, sku_id: int) -> Any:
    return next(sku for sku in listing.skus if sku.source_sku_id == str(sku_id))


# -- money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yuan", "fen"),
    [("39.00", 3900), ("39.9", 3990), ("39", 3900), ("0.01", 1), ("19.99", 1999), ("0.29", 29)],
)
def test_yuan_strings_become_integer_fen_exactly(yuan: str, fen: int) -> None:
    assert yuan_to_fen(yuan) == fen


def test_fen_conversion_does_not_go_through_float() -> None:
    assert int(float("19.99") * 100) == 1998  # what a float would do
    assert yuan_to_fen("19.99") == 1999


@pytest.mark.parametrize("bad", ["abc", "", "-1.00", "39.999", "1,299.00", "NaN"])
def test_text_that_is_not_a_yuan_amount_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        yuan_to_fen(bad)


def test_an_unreadable_sku_price_raises_a_parse_problem_naming_the_field(
    reference_item: dict[str, Any],
) -> None:
    reference_item["skus"]["sku"][1]["price"] = "abc"
    with pytest.raises(ParseProblem) as caught:
        parse_item(reference_item, shop_id=SHOP)
    assert caught.value.item_id == "623917802188"
    assert caught.value.field == "skus.sku[1].price"
    assert "abc" in caught.value.reason and "Taobao" in caught.value.reason


def test_a_sku_without_price_takes_the_item_price(reference_item: dict[str, Any]) -> None:
    del reference_item["skus"]["sku"][2]["price"]
    listing = parse_item(reference_item, shop_id=SHOP)
    assert _sku(listing, 4470000000003).price_fen == 3900


# -- the documented example (reference §1.1) -------------------------------------------------------


def test_reference_example_has_its_three_skus_with_specs_in_order(
    reference_item: dict[str, Any],
) -> None:
    listing = parse_item(reference_item, shop_id=SHOP)
    assert [sku.spec_key for sku in listing.skus] == [
        ("奶油白", "S"),
        ("奶油白", "M"),
        ("黑色", "M"),
    ]
    assert listing.spec_dimensions == ("颜色分类", "尺码")
    assert [sku.price_fen for sku in listing.skus] == [3900, 3900, 4200]
    assert [sku.outer_id for sku in listing.skus] == ["T01-W-S", "T01-W-M", "T01-B-M"]


def test_missing_sku_combinations_are_not_invented(reference_item: dict[str, Any]) -> None:
    listing = parse_item(reference_item, shop_id=SHOP)
    assert ("黑色", "S") not in {sku.spec_key for sku in listing.skus}


def test_prop_imgs_give_the_main_spec_values_their_images(reference_item: dict[str, Any]) -> None:
    listing = parse_item(reference_item, shop_id=SHOP)
    white, _, black = listing.skus
    assert white.specs[0].image_url == "https://img.alicdn.com/imgextra/i2/2206/O1CN01w_!!2206.jpg"
    assert black.specs[0].image_url is None
    assert all(sku.specs[1].image_url is None for sku in listing.skus)


def test_item_props_are_the_props_that_are_not_sku_dimensions(
    reference_item: dict[str, Any],
) -> None:
    listing = parse_item(reference_item, shop_id=SHOP)
    assert listing.props == (ItemProp(name="品牌", value="无"),)


def test_pic_url_is_the_main_image_when_item_imgs_is_absent(reference_item: dict[str, Any]) -> None:
    listing = parse_item(reference_item, shop_id=SHOP)
    assert listing.main_images == ("https://img.alicdn.com/imgextra/i1/2206/O1CN01a_!!2206.jpg",)


def test_http_alicdn_images_in_desc_become_https(reference_item: dict[str, Any]) -> None:
    listing = parse_item(reference_item, shop_id=SHOP)
    assert listing.detail_images == ("https://img.alicdn.com/imgextra/i3/2206/O1CN01d_!!2206.jpg",)


def test_origin_url_is_the_public_taobao_item_page(reference_item: dict[str, Any]) -> None:
    listing = parse_item(reference_item, shop_id=SHOP)
    assert listing.origin_url == "https://item.taobao.com/item.htm?id=623917802188"
    assert listing.platform == SourcePlatform.TAOBAO


def test_tmall_items_get_the_tmall_origin_url_and_platform(reference_item: dict[str, Any]) -> None:
    listing = parse_item(reference_item, shop_id="demo-tmall-shop", tmall=True)
    assert listing.origin_url == "https://detail.tmall.com/item.htm?id=623917802188"
    assert listing.platform == SourcePlatform.TMALL


def test_category_ids_are_the_leaf_cid(reference_item: dict[str, Any]) -> None:
    assert parse_item(reference_item, shop_id=SHOP).category.ids == ("50000671",)


def test_raw_is_the_item_dict_verbatim(reference_item: dict[str, Any]) -> None:
    assert parse_item(reference_item, shop_id=SHOP).raw == reference_item


def test_an_item_without_approve_status_is_taken_as_on_sale(reference_item: dict[str, Any]) -> None:
    assert parse_item(reference_item, shop_id=SHOP).status is ListingStatus.ONSALE


# -- props, aliases, escapes -----------------------------------------------------------------------


def test_property_alias_wins_over_the_name_in_properties_name(tent_item: dict[str, Any]) -> None:
    listing = parse_item(tent_item, shop_id=SHOP)
    assert _sku(listing, 5100000000001).spec_key[0] == "牛油果绿"
    assert _sku(listing, 5100000000003).spec_key[0] == "卡其色"


def test_cln_and_scln_escapes_are_restored_in_spec_names_and_values(
    tent_item: dict[str, Any],
) -> None:
    listing = parse_item(tent_item, shop_id=SHOP)
    assert listing.spec_dimensions == ("颜色分类", "套餐:配件")
    assert _sku(listing, 5100000000002).spec_key == ("牛油果绿", "标配;送地钉+收纳袋")


def test_custom_props_with_negative_ids_are_kept(tent_item: dict[str, Any]) -> None:
    listing = parse_item(tent_item, shop_id=SHOP)
    assert ItemProp(name="产地:发货地", value="浙江义乌") in listing.props
    assert _sku(listing, 5100000000001).spec_key[1] == "单帐篷"


def test_prop_image_urls_are_normalised_to_https(tent_item: dict[str, Any]) -> None:
    listing = parse_item(tent_item, shop_id=SHOP)
    green, khaki = _sku(listing, 5100000000001), _sku(listing, 5100000000003)
    assert (
        green.specs[0].image_url == "https://img.alicdn.com/imgextra/i1/1100/O1CN01green_!!1100.jpg"
    )
    assert (
        khaki.specs[0].image_url == "https://img.alicdn.com/imgextra/i1/1100/O1CN01khaki_!!1100.jpg"
    )


def test_sku_names_fall_back_to_props_name_when_properties_name_is_absent(
    reference_item: dict[str, Any],
) -> None:
    for sku in reference_item["skus"]["sku"]:
        del sku["properties_name"]
    listing = parse_item(reference_item, shop_id=SHOP)
    assert [sku.spec_key for sku in listing.skus] == [
        ("奶油白", "S"),
        ("奶油白", "M"),
        ("黑色", "M"),
    ]


def test_a_sku_property_with_no_name_anywhere_is_a_parse_problem(
    reference_item: dict[str, Any],
) -> None:
    sku = reference_item["skus"]["sku"][0]
    sku["properties"] = "1627207:99999;20509:28314"
    del sku["properties_name"]
    with pytest.raises(ParseProblem, match="1627207:99999"):
        parse_item(reference_item, shop_id=SHOP)


def test_skus_with_different_dimensions_are_a_parse_problem(reference_item: dict[str, Any]) -> None:
    sku = reference_item["skus"]["sku"][2]
    sku["properties"] = "1627207:28341"
    sku["properties_name"] = "1627207:28341:颜色分类:黑色"
    with pytest.raises(ParseProblem) as caught:
        parse_item(reference_item, shop_id=SHOP)
    assert caught.value.field == "skus.sku[2]"


def test_a_malformed_props_name_is_a_parse_problem(reference_item: dict[str, Any]) -> None:
    reference_item["props_name"] = "20000:3275069:品牌"
    with pytest.raises(ParseProblem) as caught:
        parse_item(reference_item, shop_id=SHOP)
    assert caught.value.field == "props_name"


# -- SKU status and stock --------------------------------------------------------------------------


def test_sku_status_delete_becomes_deleted(tent_item: dict[str, Any]) -> None:
    listing = parse_item(tent_item, shop_id=SHOP)
    assert _sku(listing, 5100000000004).status is SkuStatus.DELETED
    assert len(listing.active_skus) == 3


def test_stock_is_quantity_minus_with_hold_quantity(tent_item: dict[str, Any]) -> None:
    assert _sku(parse_item(tent_item, shop_id=SHOP), 5100000000001).stock == 17


def test_stock_never_goes_below_zero(tent_item: dict[str, Any]) -> None:
    assert _sku(parse_item(tent_item, shop_id=SHOP), 5100000000002).stock == 0


def test_zero_quantity_is_zero_stock(reference_item: dict[str, Any]) -> None:
    assert _sku(parse_item(reference_item, shop_id=SHOP), 4470000000002).stock == 0


def test_a_price_with_one_decimal_is_read_as_fen(tent_item: dict[str, Any]) -> None:
    assert _sku(parse_item(tent_item, shop_id=SHOP), 5100000000002).price_fen == 21990


# -- items without SKUs ----------------------------------------------------------------------------


def test_an_item_without_skus_becomes_one_sku_with_the_item_price_and_num(
    single_sku_item: dict[str, Any],
) -> None:
    (sku,) = parse_item(single_sku_item, shop_id=SHOP).skus
    assert sku.source_sku_id == "698765432109"
    assert sku.specs == ()
    assert sku.price_fen == 2990
    assert sku.stock == 116  # num 120 minus with_hold_quantity 4
    assert sku.outer_id == "GL1001"


def test_an_item_without_skus_keeps_all_props_as_item_props(
    single_sku_item: dict[str, Any],
) -> None:
    listing = parse_item(single_sku_item, shop_id=SHOP)
    assert listing.props == (ItemProp(name="品牌", value="无"), ItemProp(name="口味", value="鸡肉"))


def test_an_item_without_skus_and_without_price_is_a_parse_problem(
    single_sku_item: dict[str, Any],
) -> None:
    del single_sku_item["price"]
    with pytest.raises(ParseProblem) as caught:
        parse_item(single_sku_item, shop_id=SHOP)
    assert caught.value.field == "price"
    assert "set a price on Taobao" in caught.value.reason


def test_an_empty_skus_wrapper_counts_as_no_skus(single_sku_item: dict[str, Any]) -> None:
    single_sku_item["skus"] = {"sku": []}
    assert len(parse_item(single_sku_item, shop_id=SHOP).skus) == 1


# -- images, description, video --------------------------------------------------------------------


def test_main_images_follow_position_not_payload_order(tent_item: dict[str, Any]) -> None:
    listing = parse_item(tent_item, shop_id=SHOP)
    assert [url.rsplit("/", 1)[1] for url in listing.main_images] == [
        "O1CN01tent0_!!1100.jpg",
        "O1CN01tent1_!!1100.jpg",
        "O1CN01tent2_!!1100.jpg",
    ]


def test_protocol_relative_and_http_alicdn_main_images_become_https(
    tent_item: dict[str, Any],
) -> None:
    listing = parse_item(tent_item, shop_id=SHOP)
    assert all(url.startswith("https://img.alicdn.com/") for url in listing.main_images)


def test_desc_images_are_extracted_normalised_and_deduplicated(tent_item: dict[str, Any]) -> None:
    assert parse_item(tent_item, shop_id=SHOP).detail_images == (
        "https://img.alicdn.com/imgextra/i2/1100/O1CN01d1_!!1100.jpg",
        "https://img.alicdn.com/imgextra/i2/1100/O1CN01d2_!!1100.jpg",
        "http://pics.example-cdn.cn/tent/size-chart.jpg",
    )


def test_http_on_other_hosts_is_kept_and_protocol_relative_takes_https(
    reference_item: dict[str, Any],
) -> None:
    reference_item["desc"] = (
        '<img src="http://127.0.0.1:8765/taobao/img/a.jpg">'
        '<img src="//127.0.0.1:8765/taobao/img/b.jpg">'
    )
    assert parse_item(reference_item, shop_id=SHOP).detail_images == (
        "http://127.0.0.1:8765/taobao/img/a.jpg",
        "https://127.0.0.1:8765/taobao/img/b.jpg",
    )


def test_an_empty_desc_has_no_detail_images(single_sku_item: dict[str, Any]) -> None:
    listing = parse_item(single_sku_item, shop_id=SHOP)
    assert listing.detail_images == ()
    assert listing.description_html is None


def test_a_video_url_comes_from_videos(tent_item: dict[str, Any]) -> None:
    assert parse_item(tent_item, shop_id=SHOP).video_url == (
        "https://cloud.video.taobao.com/play/u/1100/p/1/e/6/t/1/381234567890.mp4"
    )


def test_mpic_video_without_a_url_gives_no_video_url(single_sku_item: dict[str, Any]) -> None:
    assert parse_item(single_sku_item, shop_id=SHOP).video_url is None


# -- status, times, text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approve_status", "status"),
    [("onsale", ListingStatus.ONSALE), ("instock", ListingStatus.OFFSHELF)],
)
def test_approve_status_maps_to_listing_status(
    reference_item: dict[str, Any], approve_status: str, status: ListingStatus
) -> None:
    reference_item["approve_status"] = approve_status
    assert parse_item(reference_item, shop_id=SHOP).status is status


def test_an_unknown_approve_status_is_a_parse_problem(reference_item: dict[str, Any]) -> None:
    reference_item["approve_status"] = "deleted_by_robot"
    with pytest.raises(ParseProblem) as caught:
        parse_item(reference_item, shop_id=SHOP)
    assert caught.value.field == "approve_status"


def test_modified_is_an_aware_datetime_in_gmt8(tent_item: dict[str, Any]) -> None:
    modified = parse_item(tent_item, shop_id=SHOP).modified_at
    assert modified is not None
    assert modified.utcoffset() == timedelta(hours=8)
    assert modified.replace(tzinfo=None) == datetime(2025, 5, 20, 8, 30)


def test_an_unreadable_modified_time_is_a_parse_problem(tent_item: dict[str, Any]) -> None:
    tent_item["modified"] = "20/05/2025"
    with pytest.raises(ParseProblem) as caught:
        parse_item(tent_item, shop_id=SHOP)
    assert caught.value.field == "modified"


def test_sub_title_becomes_the_selling_point_and_nick_the_seller_name(
    tent_item: dict[str, Any],
) -> None:
    listing = parse_item(tent_item, shop_id=SHOP)
    assert listing.selling_point == "限时包邮"
    assert listing.seller_name == "橘子家居"


def test_unknown_fields_survive_in_raw(tent_item: dict[str, Any]) -> None:
    assert parse_item(tent_item, shop_id=SHOP).raw["seller_custom_field"] == "kept verbatim"


def test_an_item_without_title_is_a_parse_problem(reference_item: dict[str, Any]) -> None:
    reference_item["title"] = "  "
    with pytest.raises(ParseProblem) as caught:
        parse_item(reference_item, shop_id=SHOP)
    assert caught.value.field == "title"


def test_an_item_without_num_iid_is_a_parse_problem(reference_item: dict[str, Any]) -> None:
    del reference_item["num_iid"]
    with pytest.raises(ParseProblem) as caught:
        parse_item(reference_item, shop_id=SHOP)
    assert caught.value.field == "num_iid"


def test_parse_problem_message_names_item_field_and_reason() -> None:
    problem = ParseProblem(item_id="1", field="price", reason="set a price on Taobao")
    assert str(problem) == "item 1: price: set a price on Taobao"


def test_list_time_and_sold_quantity_give_the_publishing_priority_its_facts(
    tent_item: dict[str, Any],
) -> None:
    tent_item["sold_quantity"] = 1234
    listing = parse_item(tent_item, shop_id=SHOP)
    assert listing.sales == 1234
    assert listing.listed_at == datetime(2025, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def test_an_item_without_sold_quantity_has_no_sales_figure(tent_item: dict[str, Any]) -> None:
    tent_item.pop("sold_quantity", None)
    assert parse_item(tent_item, shop_id=SHOP).sales is None
