"""The open.item.new publishing rules (kuaishou-api.md §1), one behaviour per test.

The same `violations` runs in the client before sending and inside the sandbox. Each test breaks one
rule of a valid 2×2 item (颜色 main prop × 尺码) and expects it to be named by field path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connectors.kuaishou import (
    CategoryConfig,
    ItemNewParam,
    ItemPropValue,
    MissingKwaiImageError,
    SkuDTO,
    SkuPropDTO,
    build_item_new_param,
    build_supply_item,
    violations,
)
from connectors.kuaishou.models import CategoryConfigDetail, PropConfig, ServiceRule
from listings.draft import DraftSku, DraftSkuProp, KuaishouDraft
from listings.model import SourcePlatform
from listings.supply import ReportScene, SupplyPlatform, SupplyReport

MakeParam = Callable[..., ItemNewParam]


def fields(found: list[Any]) -> list[str]:
    return [v.field for v in found]


def skus_of(param: Any) -> list[SkuDTO]:
    return list(param.sku_list)


# --- the baseline -------------------------------------------------------------------------------


def test_a_valid_item_has_no_violations(make_param: MakeParam) -> None:
    assert violations(make_param()) == []


def test_a_wire_dict_is_checked_like_the_model(make_param: MakeParam) -> None:
    wire = make_param().model_dump(by_alias=True, exclude_none=True)
    assert violations(wire) == []
    wire["skuList"][0]["skuSalePrice"] = 0
    assert fields(violations(wire)) == ["skuList[0].skuSalePrice"]


def test_wrong_types_are_reported_as_violations_not_raised() -> None:
    found = violations({"title": 5, "relItemId": "1", "skuList": "many", "serviceRule": []})
    assert {"title", "relItemId", "skuList", "serviceRule", "imageUrls"} <= set(fields(found))


def test_a_violation_reads_as_field_and_fix(make_param: MakeParam) -> None:
    skus = skus_of(make_param())
    skus[3] = skus[3].model_copy(update={"sku_sale_price": 0})
    (found,) = violations(make_param(sku_list=skus))
    assert str(found).startswith("skuList[3].skuSalePrice: must be an integer ≥ 1 fen")


def test_every_violation_is_reported_not_only_the_first(make_param: MakeParam) -> None:
    found = violations(make_param(title="", details="", image_urls=[]))
    assert fields(found) == ["title", "details", "imageUrls"]


# --- item fields --------------------------------------------------------------------------------


def test_title_is_required(make_param: MakeParam) -> None:
    assert fields(violations(make_param(title="   "))) == ["title"]


@pytest.mark.parametrize("rel_item_id", [0, -5, 2**63])
def test_rel_item_id_is_a_positive_long_below_2_63(make_param: MakeParam, rel_item_id: int) -> None:
    assert fields(violations(make_param(rel_item_id=rel_item_id))) == ["relItemId"]


def test_the_largest_long_is_a_valid_rel_item_id(make_param: MakeParam) -> None:
    assert violations(make_param(rel_item_id=2**63 - 1)) == []


def test_rel_sku_ids_are_positive_and_unique_within_the_item(make_param: MakeParam) -> None:
    skus = skus_of(make_param())
    skus[1] = skus[1].model_copy(update={"rel_sku_id": skus[0].rel_sku_id})
    skus[2] = skus[2].model_copy(update={"rel_sku_id": 0})
    assert fields(violations(make_param(sku_list=skus))) == [
        "skuList[1].relSkuId",
        "skuList[2].relSkuId",
    ]


@pytest.mark.parametrize("count", [0, 10])
def test_main_images_number_1_to_9(make_param: MakeParam, count: int) -> None:
    urls = [f"https://kwai.example/{i}.png" for i in range(count)]
    assert fields(violations(make_param(image_urls=urls))) == ["imageUrls"]


def test_nine_main_images_are_allowed(make_param: MakeParam) -> None:
    urls = [f"https://kwai.example/{i}.png" for i in range(9)]
    assert violations(make_param(image_urls=urls)) == []


def test_images_must_be_kuaishou_hosted_when_a_checker_is_given(make_param: MakeParam) -> None:
    hosted = {"https://kwai.example/red.png"}
    found = violations(make_param(), is_kwai_image=hosted.__contains__)
    assert fields(found) == [
        "imageUrls[1]",
        "skuList[2].skuProps[0].imageUrl",
        "skuList[3].skuProps[0].imageUrl",
    ]
    assert "open.item.image.upload" in found[0].message


@pytest.mark.parametrize(
    ("short_title", "ok"),
    [("四个字符", False), ("五个字符呀", True), ("十九" * 9 + "个", True), ("二十" * 10, False)],
)
def test_short_title_is_longer_than_4_and_shorter_than_20_characters(
    make_param: MakeParam, short_title: str, ok: bool
) -> None:
    found = violations(make_param(short_title=short_title))
    assert fields(found) == ([] if ok else ["shortTitle"])


def test_an_absent_short_title_is_fine(make_param: MakeParam) -> None:
    assert violations(make_param(short_title=None)) == []


@pytest.mark.parametrize(
    ("details", "ok"), [("", False), ("好" * 2000, True), ("好" * 2001, False)]
)
def test_details_are_non_empty_and_at_most_2000_characters(
    make_param: MakeParam, details: str, ok: bool
) -> None:
    assert fields(violations(make_param(details=details))) == ([] if ok else ["details"])


@pytest.mark.parametrize(("count", "ok"), [(0, False), (1, True), (50, True), (51, False)])
def test_detail_images_number_1_to_50(make_param: MakeParam, count: int, ok: bool) -> None:
    urls = [f"https://kwai.example/d{i}.png" for i in range(count)]
    found = violations(make_param(detail_image_urls=urls))
    assert fields(found) == ([] if ok else ["detailImageUrls"])


# --- SKUs ---------------------------------------------------------------------------------------


def single_spec_skus(count: int) -> list[SkuDTO]:
    """`count` SKUs of one main spec 款式 with distinct values, a valid full product."""
    return [
        SkuDTO(
            rel_sku_id=i + 1,
            sku_stock=1,
            sku_sale_price=100,
            sku_props=[
                SkuPropDTO(
                    prop_name="款式",
                    prop_value_name=f"款{i}",
                    is_main_prop=1,
                    image_url="https://kwai.example/red.png",
                )
            ],
        )
        for i in range(count)
    ]


@pytest.mark.parametrize(("count", "ok"), [(0, False), (1, True), (600, True), (601, False)])
def test_sku_count_is_1_to_600(make_param: MakeParam, count: int, ok: bool) -> None:
    found = violations(make_param(sku_list=single_spec_skus(count)))
    assert ("skuList" in fields(found)) is not ok


def test_a_single_sku_without_specs_is_valid(make_param: MakeParam) -> None:
    sku = SkuDTO(rel_sku_id=1, sku_stock=5, sku_sale_price=990)
    assert violations(make_param(sku_list=[sku])) == []


def test_at_most_three_spec_levels(make_param: MakeParam) -> None:
    skus = [
        sku.model_copy(
            update={
                "sku_props": [
                    *sku.sku_props,
                    SkuPropDTO(prop_name="款式", prop_value_name="A"),
                    SkuPropDTO(prop_name="产地", prop_value_name="B"),
                ]
            }
        )
        for sku in skus_of(make_param())
    ]
    found = violations(make_param(sku_list=skus))
    assert fields(found) == [f"skuList[{i}].skuProps" for i in range(4)]
    assert "at most 3" in found[0].message


def test_every_sku_has_the_same_spec_names(make_param: MakeParam) -> None:
    skus = skus_of(make_param())
    props = skus[2].sku_props
    skus[2] = skus[2].model_copy(
        update={"sku_props": [props[0], props[1].model_copy(update={"prop_name": "尺寸"})]}
    )
    found = violations(make_param(sku_list=skus))
    assert fields(found) == ["skuList[2].skuProps"]
    assert "same spec names" in found[0].message


def test_a_missing_combination_is_named(make_param: MakeParam) -> None:
    skus = skus_of(make_param())[:3]  # drop 蓝色/L
    (found,) = violations(make_param(sku_list=skus))
    assert found.field == "skuList"
    assert "颜色=蓝色/尺码=L" in found.message
    assert "Cartesian product" in found.message


def test_a_duplicate_combination_is_rejected(make_param: MakeParam) -> None:
    skus = skus_of(make_param())
    skus.append(skus[0].model_copy(update={"rel_sku_id": 999}))
    (found,) = violations(make_param(sku_list=skus))
    assert found.field == "skuList[4].skuProps"
    assert "skuList[0]" in found.message


@pytest.mark.parametrize("main_flags", [(0, 0), (1, 1)])
def test_exactly_one_spec_is_the_main_prop(
    make_param: MakeParam, main_flags: tuple[int, int]
) -> None:
    skus = [
        sku.model_copy(
            update={
                "sku_props": [
                    prop.model_copy(update={"is_main_prop": flag})
                    for prop, flag in zip(sku.sku_props, main_flags, strict=True)
                ]
            }
        )
        for sku in skus_of(make_param())
    ]
    found = violations(make_param(sku_list=skus))
    assert fields(found) == ["skuList"]
    assert "exactly one spec must be the main prop" in found[0].message


def test_main_prop_values_carry_an_image(make_param: MakeParam) -> None:
    skus = skus_of(make_param())
    props = skus[1].sku_props
    skus[1] = skus[1].model_copy(
        update={"sku_props": [props[0].model_copy(update={"image_url": None}), props[1]]}
    )
    assert fields(violations(make_param(sku_list=skus))) == ["skuList[1].skuProps[0].imageUrl"]


@pytest.mark.parametrize(("price", "ok"), [(0, False), (1, True)])
def test_sale_price_is_at_least_1_fen(make_param: MakeParam, price: int, ok: bool) -> None:
    skus = skus_of(make_param())
    skus[0] = skus[0].model_copy(update={"sku_sale_price": price})
    found = violations(make_param(sku_list=skus))
    assert fields(found) == ([] if ok else ["skuList[0].skuSalePrice"])


@pytest.mark.parametrize(
    ("stock", "ok"), [(-1, False), (0, True), (9_999_999, True), (10**7, False)]
)
def test_stock_is_0_to_9_999_999(make_param: MakeParam, stock: int, ok: bool) -> None:
    skus = skus_of(make_param())
    skus[0] = skus[0].model_copy(update={"sku_stock": stock})
    assert fields(violations(make_param(sku_list=skus))) == ([] if ok else ["skuList[0].skuStock"])


@pytest.mark.parametrize(
    ("market", "ok"),
    # the highest sale price of the baseline is 2090 fen
    [(2090, False), (2091, True), (20_900, True), (20_901, False)],
)
def test_market_price_is_above_the_highest_price_and_at_most_10x(
    make_param: MakeParam, market: int, ok: bool
) -> None:
    skus = skus_of(make_param())
    skus[0] = skus[0].model_copy(update={"sku_market_price": market})
    found = violations(make_param(sku_list=skus))
    assert fields(found) == ([] if ok else ["skuList[0].skuMarketPrice"])


# --- service rule and category ------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        ServiceRule(refund_rule="1"),
        ServiceRule(
            refund_rule="1", promise_delivery_time=86_400, deliver_goods_interal_time=4 * 86_400
        ),
    ],
)
def test_service_rule_has_exactly_one_delivery_time(
    make_param: MakeParam, rule: ServiceRule
) -> None:
    assert fields(violations(make_param(service_rule=rule))) == ["serviceRule"]


def test_a_presale_delivery_interval_alone_is_valid(make_param: MakeParam) -> None:
    rule = ServiceRule(refund_rule="1", deliver_goods_interal_time=5 * 86_400)
    assert violations(make_param(service_rule=rule)) == []


def config(*props: PropConfig, refund_rules: tuple[str, ...] = ("1", "4")) -> CategoryConfig:
    return CategoryConfig(
        category_config=CategoryConfigDetail(refund_rule_list=list(refund_rules)),
        prop_configs=list(props),
    )


def test_refund_rule_must_be_one_the_category_allows(make_param: MakeParam) -> None:
    param = make_param(service_rule=ServiceRule(refund_rule="5", promise_delivery_time=86_400))
    assert violations(param) == []
    found = violations(param, category_config=config())
    assert fields(found) == ["serviceRule.refundRule"]
    assert "['1', '4']" in found[0].message


BRAND = PropConfig(
    prop_id=1001, prop_name="品牌", required=True, prop_input_type="TEXT", sort_num=1
)


def brand(value: str = "无品牌") -> ItemPropValue:
    return ItemPropValue(prop_id=1001, sort_num=1, prop_name="品牌", text_prop_value=value)


def test_a_required_category_prop_must_be_present(make_param: MakeParam) -> None:
    found = violations(make_param(), category_config=config(BRAND))
    assert fields(found) == ["itemPropValues"]
    assert "品牌 (propId 1001)" in found[0].message


def test_a_required_category_prop_present_once_is_valid(make_param: MakeParam) -> None:
    assert violations(make_param(item_prop_values=[brand()]), category_config=config(BRAND)) == []


def test_a_category_prop_may_appear_only_once(make_param: MakeParam) -> None:
    param = make_param(item_prop_values=[brand(), brand("另一个")])
    assert fields(violations(param, category_config=config(BRAND))) == ["itemPropValues[1].propId"]


# --- conversion from a draft --------------------------------------------------------------------

SOURCE = "https://img.alicdn.com/"
KWAI = "https://p1.sandbox-kwaixiaodian.local/ufile/"


def draft() -> KuaishouDraft:
    skus = tuple(
        DraftSku(
            rel_sku_id=10 + i,
            props=(
                DraftSkuProp(
                    name="颜色", value=color, is_main=True, image_url=f"{SOURCE}{color}.jpg"
                ),
                DraftSkuProp(name="尺码", value=size),
            ),
            price_fen=1990,
            stock=3,
            market_price_fen=2990,
        )
        for i, (color, size) in enumerate([("红", "M"), ("红", "L"), ("蓝", "M"), ("蓝", "L")])
    )
    return KuaishouDraft(
        migration="demo",
        platform=SourcePlatform.TAOBAO,
        shop_id="shop-1",
        source_item_id="6731",
        rel_item_id=424242,
        category_id=90011,
        category_name="T恤",
        title="纯棉T恤",
        details="纯棉",
        main_images=(f"{SOURCE}main.jpg",),
        detail_images=(f"{SOURCE}detail.jpg",),
        skus=skus,
        origin_url="https://item.taobao.com/item.htm?id=6731",
    )


def test_a_converted_draft_uses_only_kuaishou_urls_and_passes_the_rules() -> None:
    source = draft()
    mapping = {url: url.replace(SOURCE, KWAI) for url in source.image_urls}
    param = build_item_new_param(source, kwai_images=mapping)
    assert violations(param, is_kwai_image=set(mapping.values()).__contains__) == []
    wire = param.model_dump(by_alias=True, exclude_none=True)
    assert wire["imageUrls"] == [f"{KWAI}main.jpg"]
    assert wire["skuList"][0]["skuProps"] == [
        {
            "propName": "颜色",
            "propValueName": "红",
            "isMainProp": 1,
            "imageUrl": f"{KWAI}红.jpg",
            "propVersion": 1,
        },
        {"propName": "尺码", "propValueName": "M", "isMainProp": 0, "propVersion": 1},
    ]
    assert wire["serviceRule"] == {"refundRule": "1", "promiseDeliveryTime": 172_800}


def test_converting_a_draft_with_an_unuploaded_image_names_the_item_and_url() -> None:
    source = draft()
    mapping = {url: url.replace(SOURCE, KWAI) for url in source.image_urls}
    del mapping[f"{SOURCE}蓝.jpg"]
    with pytest.raises(MissingKwaiImageError) as caught:
        build_item_new_param(source, kwai_images=mapping)
    assert isinstance(caught.value, KeyError)
    assert "item 6731 (relItemId 424242)" in str(caught.value)
    assert f"{SOURCE}蓝.jpg" in str(caught.value)


def test_a_supply_report_converts_to_the_wire_item_with_fen_prices() -> None:
    report = SupplyReport(
        scene=ReportScene.DISTRIBUTION,
        item_id="6731",
        kwai_item_id=2004,
        origin_item_url="https://detail.1688.com/offer/6731.html",
        platform=SupplyPlatform.ALIBABA_1688,
        platform_name="1688",
        title="纯棉T恤",
        price_min_fen=1990,
        price_max_fen=2990,
        image_url="https://cbu01.alicdn.com/main.jpg",
        category_id=90011,
        seller_name="义乌某服饰厂",
    )
    assert build_supply_item(report).model_dump(by_alias=True, exclude_none=True) == {
        "scene": 1,
        "itemId": "6731",
        "kwaiItemId": 2004,
        "originItemUrl": "https://detail.1688.com/offer/6731.html",
        "title": "纯棉T恤",
        "priceMin": 1990,
        "priceMax": 2990,
        "imageUrl": "https://cbu01.alicdn.com/main.jpg",
        "categoryId": 90011,
        "seller": {"name": "义乌某服饰厂", "platform": 1, "platformName": "1688"},
    }
