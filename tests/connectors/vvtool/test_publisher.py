"""`VvtoolPublisher`: the official param in, the official results out, every dropped field counted."""

from __future__ import annotations

import pytest

from connectors.kuaishou import ItemInfo, ItemNewParam, ItemNewResult, KuaishouClient
from connectors.publisher import Publisher, supports_image_upload, supports_supply_report
from connectors.vvtool import (
    VvtoolClient,
    VvtoolKuaishouDuplicateError,
    VvtoolPublisher,
    VvtoolUnsupportedError,
    to_vvtool_request,
)
from sandbox.vvtool import VvtoolSandbox
from sandbox.vvtool_credentials import VVTOOL_SHOP_ID
from tests.connectors.vvtool.conftest import item_param

anyio = pytest.mark.anyio

URLS = ("https://img.example.com/red.png", "https://img.example.com/blue.png")


def rich_param(rel_item_id: int = 7_000_001) -> ItemNewParam:
    """An official param using fields the 2022 variant lacks."""
    param = item_param(
        rel_item_id=rel_item_id,
        three_quarters_image_urls=[
            "https://img.example.com/34a.png",
            "https://img.example.com/34b.png",
        ],
        short_title="纯棉T恤男款",
        selling_point="百分百纯棉透气不闷汗",
        detail_image_urls=[URLS[0], URLS[1], URLS[0]],
    )
    for sku in param.sku_list:
        for n, prop in enumerate(sku.sku_props):
            prop.prop_sort_num = n
    return param


def test_conversion_keeps_the_shared_fields_and_counts_the_rest() -> None:
    param = rich_param()
    conversion = to_vvtool_request(param, shop_id=VVTOOL_SHOP_ID, vvtype=2)
    body = conversion.request.wire()
    assert body["shop_id"] == VVTOOL_SHOP_ID and body["vvtype"] == 2
    assert body["relItemId"] == 7_000_001 and body["imageUrls"] == list(URLS)
    assert body["serviceRule"] == {"refundRule": "1", "promiseDeliveryTime": 172_800}
    assert body["skuList"][0]["skuProps"][0] == {
        "propName": "颜色",
        "propValueName": "红色",
        "imageUrl": URLS[0],
        "isMainProp": 1,
        "propVersion": 1,
    }
    for absent in ("threeQuartersImageUrls", "shortTitle", "sellingPoint", "detailImageUrls"):
        assert absent not in body
    assert dict(conversion.dropped) == {
        "threeQuartersImageUrls": 2,
        "shortTitle": 1,
        "sellingPoint": 1,
        "detailImageUrls": 3,
        "skuList[].skuProps[].propSortNum": 8,
    }


@pytest.mark.parametrize(
    ("video", "kept", "dropped"),
    [
        ({"videoId": "5201314", "videoType": 2}, 5201314, 0),  # a Kuaishou short video
        ({"videoId": "mat-77", "videoType": 1}, None, 1),  # an uploaded material
    ],
)
def test_item_video_becomes_item_video_id_or_is_counted(
    video: dict[str, object], kept: int | None, dropped: int
) -> None:
    param = ItemNewParam.model_validate(
        {**item_param().model_dump(by_alias=True), "itemVideo": video}
    )
    conversion = to_vvtool_request(param, shop_id=VVTOOL_SHOP_ID)
    assert conversion.request.item_video_id == kept
    assert conversion.dropped["itemVideo"] == dropped


def test_a_field_the_variant_lacks_is_dropped_even_if_unknown_to_the_adapter() -> None:
    class FutureParam(ItemNewParam):
        white_base_image_url: str | None = None

    param = FutureParam(
        **item_param().model_dump(), white_base_image_url="https://img.example.com/w.png"
    )
    conversion = to_vvtool_request(param, shop_id=VVTOOL_SHOP_ID)
    assert conversion.dropped["whiteBaseImageUrl"] == 1
    assert "whiteBaseImageUrl" not in conversion.request.wire()


@anyio
async def test_the_publisher_creates_and_maps_the_result(
    sandbox: VvtoolSandbox, client: VvtoolClient
) -> None:
    publisher = VvtoolPublisher(client)
    result = await publisher.create_item(rich_param(1))
    await publisher.create_item(item_param(rel_item_id=2))
    assert isinstance(result, ItemNewResult)
    stored = sandbox.items[result.kwai_item_id]
    assert result.rel_item_id == 1 and stored.shop_id == VVTOOL_SHOP_ID
    assert [(m.kwai_sku_id, m.rel_sku_id) for m in result.sku_id_mapping] == [
        (kwai, rel) for kwai, rel, _ in stored.sku_ids
    ]
    assert "threeQuartersImageUrls" not in stored.request
    # Both items dropped their detail image; only the first had 3:4 images.
    assert publisher.dropped["detailImageUrls"] == 4
    assert publisher.items_with_drops["detailImageUrls"] == 2
    assert publisher.items_with_drops["threeQuartersImageUrls"] == 1
    assert publisher.total_charged == 8


@anyio
async def test_the_publisher_finds_items_as_item_info(client: VvtoolClient) -> None:
    publisher = VvtoolPublisher(client)
    created = await publisher.create_item(item_param(rel_item_id=5))
    found = await publisher.find_item_by_rel_item_id(5)
    assert isinstance(found, ItemInfo)
    assert found.kwai_item_id == created.kwai_item_id and found.rel_item_id == 5
    assert {s.rel_sku_id: s.kwai_sku_id for s in found.sku_infos} == {
        m.rel_sku_id: m.kwai_sku_id for m in created.sku_id_mapping
    }
    assert await publisher.find_item_by_rel_item_id(6) is None
    assert (await publisher.get_item(created.kwai_item_id)).title == "纯棉圆领T恤"


@anyio
async def test_publisher_errors_stay_typed(client: VvtoolClient) -> None:
    publisher = VvtoolPublisher(client)
    await publisher.create_item(item_param(rel_item_id=9))
    with pytest.raises(VvtoolKuaishouDuplicateError):
        await publisher.create_item(item_param(rel_item_id=9))


@anyio
async def test_capabilities_are_explicit(client: VvtoolClient) -> None:
    publisher = VvtoolPublisher(client)
    kuaishou = KuaishouClient(app_key="k", sign_secret="s" * 8, access_token="t" * 8)
    try:
        assert isinstance(publisher, Publisher) and isinstance(kuaishou, Publisher)
        assert not supports_supply_report(publisher) and supports_supply_report(kuaishou)
        assert not supports_image_upload(publisher) and supports_image_upload(kuaishou)
        with pytest.raises(VvtoolUnsupportedError):
            await publisher.upload_image(b"\x89PNG\r\n\x1a\n")
    finally:
        await kuaishou.aclose()
