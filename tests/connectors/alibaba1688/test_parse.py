"""1688 productInfo JSON → canonical Listing: one quirk per test."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from connectors.alibaba1688.parse import (
    DEFAULT_IMAGE_BASE,
    MOQ_PROP,
    ParseProblem,
    clean_description,
    parse_product,
    yuan_amount_to_fen,
)
from connectors.content import ALICDN_DOMAINS
from listings.images import normalize_image_url
from listings.model import ItemProp, Listing, ListingStatus, Sku, SourcePlatform

SHOP = "demo-1688-own"
SUPPLIER = "义乌市优品日用百货有限公司"
CDN = "https://cbu01.alicdn.com/"


def _move(offer: dict[str, Any], **kwargs: Any) -> Listing:
    return parse_product(offer, shop_id=SHOP, mode="move", **kwargs)


def _distribute(offer: dict[str, Any], **kwargs: Any) -> Listing:
    return parse_product(offer, shop_id=SHOP, mode="distribute", supplier_name=SUPPLIER, **kwargs)


def _sku(listing: Listing, source_sku_id: str) -> Sku:
    return next(sku for sku in listing.skus if sku.source_sku_id == source_sku_id)


def _quote_one(offer: dict[str, Any]) -> dict[str, Any]:
    """The reference offer re-quoted per SKU (quoteType 1) at 39.9 and 42 yuan."""
    offer["saleInfo"] = {"quoteType": 1, "minOrderQuantity": 1, "amountOnSale": 106.0}
    offer["skuInfos"][0]["price"] = 39.9
    offer["skuInfos"][1]["price"] = 42
    return offer


def _no_skus(offer: dict[str, Any]) -> dict[str, Any]:
    """The reference offer without SKUs (quoteType 0: 按数量报价)."""
    del offer["skuInfos"]
    offer["saleInfo"]["quoteType"] = 0
    return offer


FIRST, SECOND = "01f43d7be0ccc4bd2ba36d4bdf1b3689", "9a2c7e5d0b1f4c3e8d6a5b4c3d2e1f00"


# -- the documented example (reference §1.3) -------------------------------------------------------


def test_reference_example_has_its_two_skus_with_named_specs_in_order(
    reference_offer: dict[str, Any],
) -> None:
    listing = _move(reference_offer)
    assert listing.platform == SourcePlatform.ALIBABA1688
    assert listing.source_item_id == "557235167116"
    assert [sku.spec_key for sku in listing.skus] == [("烧焦卡其", "38"), ("烧焦卡其", "39")]
    assert listing.spec_dimensions == ("颜色", "尺码")  # 1688's standard ids 3216 and 450


def test_spec_id_is_the_source_sku_id(reference_offer: dict[str, Any]) -> None:
    assert [sku.source_sku_id for sku in _move(reference_offer).skus] == [FIRST, SECOND]


def test_sku_id_is_the_fallback_when_spec_id_is_missing(reference_offer: dict[str, Any]) -> None:
    del reference_offer["skuInfos"][1]["specId"]
    assert _move(reference_offer).skus[1].source_sku_id == "3452683925967"


def test_amount_on_sale_is_the_sku_stock_and_zero_stays_zero(
    reference_offer: dict[str, Any],
) -> None:
    assert [sku.stock for sku in _move(reference_offer).skus] == [106, 0]


def test_negative_stock_reads_as_zero(reference_offer: dict[str, Any]) -> None:
    reference_offer["skuInfos"][0]["amountOnSale"] = -4
    assert _move(reference_offer).skus[0].stock == 0


def test_origin_url_is_the_public_offer_page(reference_offer: dict[str, Any]) -> None:
    assert _move(reference_offer).origin_url == "https://detail.1688.com/offer/557235167116.html"


def test_raw_is_the_product_info_verbatim(reference_offer: dict[str, Any]) -> None:
    assert _move(reference_offer).raw == reference_offer


# -- money -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fen"),
    [(17.1, 1710), (19.99, 1999), (258, 25800), (178.0, 17800), ("0.01", 1), (Decimal("5.5"), 550)],
)
def test_yuan_doubles_become_integer_fen_exactly(amount: Any, fen: int) -> None:
    assert yuan_amount_to_fen(amount) == fen


def test_fen_conversion_does_not_go_through_float_arithmetic() -> None:
    assert int(19.99 * 100) == 1998  # what float arithmetic would do
    assert yuan_amount_to_fen(19.99) == 1999


@pytest.mark.parametrize("bad", [0.015, 0.1 + 0.2, -1, True, float("nan"), "abc"])
def test_amounts_that_are_not_whole_fen_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        yuan_amount_to_fen(bad)


def test_a_price_with_three_decimals_is_a_parse_problem_naming_the_field(
    reference_offer: dict[str, Any],
) -> None:
    _quote_one(reference_offer)["skuInfos"][1]["price"] = 0.015
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert caught.value.field == "skuInfos[1].price"
    assert "1688" in caught.value.reason


def test_a_price_read_before_does_not_let_an_equal_amount_with_three_decimals_through(
    reference_offer: dict[str, Any],
) -> None:
    # Prices are read once per offer (issue 19); 1.0 and 1.000 are equal Decimals, but only the
    # first is a price.
    _quote_one(reference_offer)["skuInfos"][0]["price"] = "39.9"
    reference_offer["skuInfos"][1]["price"] = "39.900"
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert caught.value.field == "skuInfos[1].price"


# -- tiered pricing (quoteType) --------------------------------------------------------------------


def test_quote_type_2_prices_from_the_lowest_tier_when_none_covers_one_piece(
    reference_offer: dict[str, Any],
) -> None:
    # Tiers start at 3, 5 and 10 pieces: none covers buying one, so the first (3+) tier: 258 yuan.
    assert [sku.price_fen for sku in _move(reference_offer).skus] == [25800, 25800]


def test_the_tier_covering_one_piece_wins(reference_offer: dict[str, Any]) -> None:
    reference_offer["saleInfo"]["priceRanges"] = [
        {"startQuantity": 10, "price": 18},
        {"startQuantity": 1, "price": 20.5},
        {"startQuantity": 100, "price": 15.8},
    ]
    assert {sku.price_fen for sku in _move(reference_offer).skus} == {2050}


def test_quote_type_1_prices_each_sku_with_its_own_price(reference_offer: dict[str, Any]) -> None:
    listing = _move(_quote_one(reference_offer))
    assert [sku.price_fen for sku in listing.skus] == [3990, 4200]


def test_quote_type_1_sku_without_price_is_a_parse_problem(
    reference_offer: dict[str, Any],
) -> None:
    del _quote_one(reference_offer)["skuInfos"][0]["price"]
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert caught.value.field == "skuInfos[0].price"
    assert "quoteType 1" in caught.value.reason


def test_quote_type_3_prices_each_sku_from_its_own_tiers(reference_offer: dict[str, Any]) -> None:
    reference_offer["saleInfo"]["quoteType"] = 3
    reference_offer["skuInfos"][0]["priceRange"] = [
        {"startQuantity": 1, "price": 30},
        {"startQuantity": 10, "price": 28},
    ]
    reference_offer["skuInfos"][1]["priceRange"] = [{"startQuantity": 2, "price": 31.5}]
    assert [sku.price_fen for sku in _move(reference_offer).skus] == [3000, 3150]


def test_an_offer_quoted_by_quantity_without_tiers_is_a_parse_problem(
    reference_offer: dict[str, Any],
) -> None:
    reference_offer["saleInfo"]["priceRanges"] = []
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert caught.value.field == "saleInfo.priceRanges"


def test_quote_type_0_without_skus_is_one_sku_named_by_the_offer(
    reference_offer: dict[str, Any],
) -> None:
    reference_offer["productCargoNumber"] = "HZM-2017"
    (sku,) = _move(_no_skus(reference_offer)).skus
    assert sku.source_sku_id == "557235167116"
    assert sku.specs == ()
    assert sku.price_fen == 25800
    assert sku.stock == 628
    assert sku.outer_id == "HZM-2017"


def test_a_sale_info_stock_sent_as_a_double_is_read_whole(reference_offer: dict[str, Any]) -> None:
    reference_offer["saleInfo"]["amountOnSale"] = 628.0
    assert _move(_no_skus(reference_offer)).skus[0].stock == 628


def test_a_minimum_order_above_one_is_flagged_as_an_item_prop(
    reference_offer: dict[str, Any],
) -> None:
    assert ItemProp(name=MOQ_PROP, value="3") in _move(reference_offer).props


def test_a_minimum_order_of_one_is_not_flagged(reference_offer: dict[str, Any]) -> None:
    reference_offer["saleInfo"]["minOrderQuantity"] = 1
    assert all(prop.name != MOQ_PROP for prop in _move(reference_offer).props)


# -- distribute: consignPrice ----------------------------------------------------------------------


def test_distribute_prefers_the_sku_consign_price(reference_offer: dict[str, Any]) -> None:
    reference_offer["skuInfos"][1]["consignPrice"] = 181.5
    assert [sku.price_fen for sku in _distribute(reference_offer).skus] == [17800, 18150]


def test_distribute_falls_back_to_the_offer_consign_price(
    reference_offer: dict[str, Any],
) -> None:
    del reference_offer["skuInfos"][1]["consignPrice"]
    reference_offer["saleInfo"]["consignPrice"] = 190
    assert [sku.price_fen for sku in _distribute(reference_offer).skus] == [17800, 19000]


def test_distribute_without_any_consign_price_uses_the_tiers(
    reference_offer: dict[str, Any],
) -> None:
    for sku in reference_offer["skuInfos"]:
        sku["consignPrice"] = 0  # 0 means "not set", never a free product
    assert {sku.price_fen for sku in _distribute(reference_offer).skus} == {25800}


def test_distribute_prices_an_offer_without_skus_by_its_consign_price(
    reference_offer: dict[str, Any],
) -> None:
    _no_skus(reference_offer)["saleInfo"]["consignPrice"] = 199.9
    assert _distribute(reference_offer).skus[0].price_fen == 19990


def test_move_ignores_consign_prices(reference_offer: dict[str, Any]) -> None:
    assert {sku.price_fen for sku in _move(reference_offer).skus} == {25800}


# -- seller name -----------------------------------------------------------------------------------


def test_distribute_takes_the_supplier_name_as_seller_name(
    reference_offer: dict[str, Any],
) -> None:
    assert _distribute(reference_offer).seller_name == SUPPLIER


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_distribute_without_a_supplier_name_is_a_parse_problem(
    reference_offer: dict[str, Any], missing: str | None
) -> None:
    with pytest.raises(ParseProblem) as caught:
        parse_product(reference_offer, shop_id=SHOP, mode="distribute", supplier_name=missing)
    assert caught.value.field == "seller_name"
    assert "scene 1" in caught.value.reason


def test_move_falls_back_to_the_members_login_id(reference_offer: dict[str, Any]) -> None:
    assert _move(reference_offer).seller_name == "huizumei2017"
    assert _move(reference_offer, supplier_name="汇族美鞋业").seller_name == "汇族美鞋业"


def test_an_unknown_mode_is_refused(reference_offer: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="mode"):
        parse_product(reference_offer, shop_id=SHOP, mode="copy")  # type: ignore[arg-type]


# -- specs and SKU images --------------------------------------------------------------------------


def test_the_attribute_with_sku_image_url_is_the_main_spec_and_every_value_gets_the_image(
    reference_offer: dict[str, Any],
) -> None:
    first, second = _move(reference_offer).skus
    image = f"{CDN}img/ibank/2017/216/154/3972451612_420783022.jpg"
    assert first.specs[0].image_url == image
    assert second.specs[0].image_url == image  # 1688 only sent it on the first SKU of the colour
    assert first.specs[1].image_url is None and second.specs[1].image_url is None


def test_sku_images_on_the_second_attribute_make_it_the_main_spec(
    reference_offer: dict[str, Any],
) -> None:
    for sku in reference_offer["skuInfos"]:
        colour, size = sku["attributes"]
        colour.pop("skuImageUrl", None)
        size["skuImageUrl"] = f"img/ibank/2017/1/1/size-{size['attributeValue']}.jpg"
    listing = _move(reference_offer)
    assert [sku.specs[0].image_url for sku in listing.skus] == [None, None]
    assert [sku.specs[1].image_url for sku in listing.skus] == [
        f"{CDN}img/ibank/2017/1/1/size-38.jpg",
        f"{CDN}img/ibank/2017/1/1/size-39.jpg",
    ]


def test_an_empty_sku_image_url_is_no_image(reference_offer: dict[str, Any]) -> None:
    reference_offer["skuInfos"][0]["attributes"][0]["skuImageUrl"] = ""
    assert all(spec.image_url is None for sku in _move(reference_offer).skus for spec in sku.specs)


def test_dimension_names_come_from_the_display_name_then_the_attribute_name(
    reference_offer: dict[str, Any],
) -> None:
    for sku in reference_offer["skuInfos"]:
        sku["attributes"][0]["attributeDisplayName"] = "颜色分类"
        sku["attributes"][1]["attributeName"] = "鞋码"
    assert _move(reference_offer).spec_dimensions == ("颜色分类", "鞋码")


def test_a_custom_dimension_is_named_by_the_offer_attribute_of_the_same_id(
    reference_offer: dict[str, Any],
) -> None:
    for sku in reference_offer["skuInfos"]:
        sku["attributes"][1]["attributeID"] = 998877
    reference_offer["attributes"].append(
        {"attributeID": 998877, "attributeName": "鞋码(欧码)", "value": "38", "isCustom": True}
    )
    listing = _move(reference_offer)
    assert listing.spec_dimensions == ("颜色", "鞋码(欧码)")
    assert all(prop.name != "鞋码(欧码)" for prop in listing.props)  # a SKU dimension, not a prop


def test_a_dimension_with_no_name_anywhere_is_a_parse_problem(
    reference_offer: dict[str, Any],
) -> None:
    for sku in reference_offer["skuInfos"]:
        sku["attributes"][1]["attributeID"] = 998877
    with pytest.raises(ParseProblem, match="998877") as caught:
        _move(reference_offer)
    assert caught.value.field == "skuInfos[0].attributes[1]"


def test_custom_value_name_wins_over_the_attribute_value(reference_offer: dict[str, Any]) -> None:
    reference_offer["skuInfos"][0]["attributes"][0]["customValueName"] = "焦糖卡其"
    assert _move(reference_offer).skus[0].spec_key == ("焦糖卡其", "38")


def test_skus_with_different_attributes_are_a_parse_problem(
    reference_offer: dict[str, Any],
) -> None:
    reference_offer["skuInfos"][1]["attributes"].pop()
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert caught.value.field == "skuInfos[1]"


def test_three_attributes_make_three_dimensions(reference_offer: dict[str, Any]) -> None:
    for sku, heel in zip(reference_offer["skuInfos"], ("低跟", "中跟"), strict=True):
        sku["attributes"].append(
            {"attributeID": 4321, "attributeValue": heel, "attributeDisplayName": "跟高"}
        )
    assert _move(reference_offer).spec_dimensions == ("颜色", "尺码", "跟高")


# -- props, category, title ------------------------------------------------------------------------


def test_attributes_become_props_keeping_repeated_values(reference_offer: dict[str, Any]) -> None:
    reference_offer["attributes"] += [
        {"attributeID": 8614, "attributeName": "流行元素", "value": "花朵", "isCustom": False},
        {"attributeID": 8614, "attributeName": "流行元素", "value": "金属", "isCustom": False},
        {"attributeID": 3216, "attributeName": "颜色", "value": "烧焦卡其", "isCustom": False},
    ]
    assert _move(reference_offer).props == (
        ItemProp(name="鞋头形状", value="扁头"),
        ItemProp(name="流行元素", value="花朵"),
        ItemProp(name="流行元素", value="金属"),
        ItemProp(name=MOQ_PROP, value="3"),
    )


def test_category_id_and_name_become_the_source_category(reference_offer: dict[str, Any]) -> None:
    assert _move(reference_offer).category.ids == ("126506005",)
    reference_offer["categoryName"] = "女式单鞋"
    assert _move(reference_offer).category.path == ("女式单鞋",)


def test_the_subject_is_the_title_cut_at_128_characters(reference_offer: dict[str, Any]) -> None:
    assert _move(reference_offer).title == reference_offer["subject"]
    reference_offer["subject"] = "鞋" * 130
    assert _move(reference_offer).title == "鞋" * 128


def test_an_offer_without_subject_is_a_parse_problem(reference_offer: dict[str, Any]) -> None:
    reference_offer["subject"] = "  "
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert caught.value.field == "subject"


def test_an_offer_without_product_id_is_a_parse_problem(reference_offer: dict[str, Any]) -> None:
    del reference_offer["productID"]
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert (caught.value.item_id, caught.value.field) == ("?", "productID")


# -- images, description, video --------------------------------------------------------------------


def test_relative_image_paths_are_prefixed_with_the_cdn(reference_offer: dict[str, Any]) -> None:
    assert _move(reference_offer).main_images == (
        f"{CDN}img/ibank/2017/992/417/3971714299_420783022.jpg",
    )


def test_the_image_host_is_a_parameter_for_the_sandbox(reference_offer: dict[str, Any]) -> None:
    listing = _move(reference_offer, image_base="http://127.0.0.1:8765/alibaba1688/")
    assert listing.main_images == (
        "http://127.0.0.1:8765/alibaba1688/img/ibank/2017/992/417/3971714299_420783022.jpg",
    )
    assert listing.skus[0].specs[0].image_url == (
        "http://127.0.0.1:8765/alibaba1688/img/ibank/2017/216/154/3972451612_420783022.jpg"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("img/ibank/O1CN01a.jpg", f"{CDN}img/ibank/O1CN01a.jpg"),
        (f"{CDN}img/ibank/O1CN01a.jpg?__r__=1661332241887", f"{CDN}img/ibank/O1CN01a.jpg"),
        (f"{CDN}img/ibank/O1CN01a.jpg_.webp", f"{CDN}img/ibank/O1CN01a.jpg"),
        (f"{CDN}img/ibank/O1CN01a.jpg_400x400q90.jpg", f"{CDN}img/ibank/O1CN01a.jpg"),
        (f"{CDN}img/ibank/O1CN01a.310x310.jpg_.webp", f"{CDN}img/ibank/O1CN01a.jpg"),
        ("//cbu01.alicdn.com/img/ibank/a.png", f"{CDN}img/ibank/a.png"),
        ("http://cbu01.alicdn.com/img/ibank/a.jpg?__r__=1&x=2", f"{CDN}img/ibank/a.jpg?x=2"),
        ("https://pics.example.cn/a.jpg_.webp", "https://pics.example.cn/a.jpg_.webp"),
        (
            "http://sandbox/alibaba1688/img/ibank/a.jpg_.webp",
            "http://sandbox/alibaba1688/img/ibank/a.jpg",
        ),
        ("   ", None),
        ("data:image/png;base64,AAAA", None),
    ],
)
def test_image_urls_are_normalized(raw: str, expected: str | None) -> None:
    assert (
        normalize_image_url(raw, https_domains=ALICDN_DOMAINS, base=DEFAULT_IMAGE_BASE) == expected
    )


def test_description_images_are_extracted_normalized_and_deduplicated(
    reference_offer: dict[str, Any],
) -> None:
    reference_offer["description"] = (
        f'<p><img src="{CDN}img/ibank/d1.jpg?__r__=1" usemap="#m"/></p>'
        f'<img src="{CDN}img/ibank/d2.jpg_.webp"><img src="{CDN}img/ibank/d1.jpg?__r__=2">'
        '<map name="m"><area shape="rect" coords="0,0,790,300" '
        'href="https://detail.1688.com/offer/1.html"></map>'
    )
    assert _move(reference_offer).detail_images == (
        f"{CDN}img/ibank/d1.jpg",
        f"{CDN}img/ibank/d2.jpg",
    )


def test_map_and_area_links_are_stripped_from_the_description(
    reference_offer: dict[str, Any],
) -> None:
    reference_offer["description"] = (
        '<div><img src="a.jpg" usemap="#_sdmap_0"/>'
        '<map name="_sdmap_0"><area shape="rect" href="https://detail.1688.com/offer/9.html">'
        "</map><p>厂家直销</p></div>"
    )
    html = _move(reference_offer).description_html
    assert html == '<div><img src="a.jpg"/><p>厂家直销</p></div>'


def test_stray_area_tags_are_stripped_too() -> None:
    assert clean_description('<p>x</p><area href="https://detail.1688.com/offer/9.html">') == (
        "<p>x</p>"
    )


def test_an_empty_description_has_no_html_and_no_detail_images(
    reference_offer: dict[str, Any],
) -> None:
    reference_offer["description"] = ""
    listing = _move(reference_offer)
    assert (listing.description_html, listing.detail_images) == (None, ())


def test_main_vedio_becomes_the_video_url(reference_offer: dict[str, Any]) -> None:
    url = "https://cloud.video.taobao.com/play/u/1685/p/1/e/6/t/1/522412345678.mp4"
    reference_offer["mainVedio"] = url
    assert _move(reference_offer).video_url == url


def test_an_empty_main_vedio_is_no_video(reference_offer: dict[str, Any]) -> None:
    assert _move(reference_offer).video_url is None


# -- status and times ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("published", ListingStatus.ONSALE),
        ("expired", ListingStatus.OFFSHELF),
        ("auto expired", ListingStatus.OFFSHELF),
        ("member expired", ListingStatus.OFFSHELF),
        ("auditing", ListingStatus.OFFSHELF),
        ("untread", ListingStatus.OFFSHELF),
        ("member deleted", ListingStatus.DELETED),
        ("deleted", ListingStatus.DELETED),
        ("TBD", ListingStatus.DELETED),
    ],
)
def test_status_maps_to_listing_status(
    reference_offer: dict[str, Any], status: str, expected: ListingStatus
) -> None:
    reference_offer["status"] = status
    assert _move(reference_offer).status is expected


def test_an_unknown_status_is_a_parse_problem(reference_offer: dict[str, Any]) -> None:
    reference_offer["status"] = "frozen_by_robot"
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert caught.value.field == "status"


def test_last_update_time_is_an_aware_datetime_in_gmt8(reference_offer: dict[str, Any]) -> None:
    reference_offer["lastUpdateTime"] = "20181219175505000+0800"
    modified = _move(reference_offer).modified_at
    assert modified is not None
    assert modified.utcoffset() == timedelta(hours=8)
    assert modified.replace(tzinfo=None) == datetime(2018, 12, 19, 17, 55, 5)


def test_an_unreadable_last_update_time_is_a_parse_problem(
    reference_offer: dict[str, Any],
) -> None:
    reference_offer["lastUpdateTime"] = "2018-12-19"
    with pytest.raises(ParseProblem) as caught:
        _move(reference_offer)
    assert caught.value.field == "lastUpdateTime"
