"""The Kuaishou client against the strict sandbox, in-process over `httpx.ASGITransport`.

The first part classifies error envelopes. The second covers each method's success path, then the
failures a publish run must survive: auth, category, duplicate relItemId, quota, throttling, lost
responses, and secrets kept out of every message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from connectors.kuaishou import (
    AuditStatus,
    ItemNewParam,
    KuaishouAuthError,
    KuaishouCategoryError,
    KuaishouClient,
    KuaishouDuplicateItemError,
    KuaishouError,
    KuaishouQuotaExceededError,
    KuaishouServerError,
    KuaishouThrottledError,
    KuaishouTransportError,
    KuaishouValidationError,
    SupplyItem,
    SupplyItemSeller,
    error_from_envelope,
    sign,
)
from connectors.kuaishou.models import CategoryConfig, CategoryConfigDetail, PropConfig
from listings.china_time import CHINA_TZ
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_SELLER_ID,
    KUAISHOU_SIGN_SECRET,
)
from sandbox.kuaishou_open import KuaishouSandbox, build_kuaishou_app

BASE_URL = "http://kuaishou.sandbox"
LEAF, ROOT = 90011, 90001

MakeClient = Callable[..., KuaishouClient]
MakeParam = Callable[..., ItemNewParam]

anyio = pytest.mark.anyio


def calls_of(sandbox: KuaishouSandbox, method: str) -> int:
    return sum(1 for called, _ in sandbox.calls if called == method)


# --- classifying error envelopes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("envelope", "expected", "retryable"),
    [
        ({"result": 24, "error_msg": "AUTHORIZATION_REVOKED"}, KuaishouAuthError, False),
        ({"result": 25, "error_msg": "验签失败"}, KuaishouAuthError, False),
        ({"result": 17, "error_msg": "token中无scope权限"}, KuaishouAuthError, False),
        (
            {"result": 8, "error_msg": "Exceed qps limit, KEY [appkey:ks1] MAX_QPS 50"},
            KuaishouThrottledError,
            True,
        ),
        (
            {"result": 9, "error_msg": "[1017] exceed quota limit,[apiId:1;primaryUserId:2]"},
            KuaishouQuotaExceededError,
            False,
        ),
        ({"result": 22, "error_msg": "商品来源不可售卖"}, KuaishouCategoryError, False),
        (
            {"result": 10, "error_msg": "参数错误", "sub_msg": "title"},
            KuaishouValidationError,
            False,
        ),
        ({"result": 77, "error_msg": "品牌资质未关联"}, KuaishouError, False),
    ],
)
def test_error_envelopes_are_classified_by_their_documented_phrases(
    envelope: dict[str, Any], expected: type[KuaishouError], retryable: bool
) -> None:
    error = error_from_envelope(envelope, method="open.item.new")
    assert type(error) is expected
    assert error.retryable is retryable


def test_an_error_keeps_the_platform_fields_verbatim() -> None:
    envelope = {
        "result": 22,
        "error_msg": "商品来源不可售卖",
        "code": "400",
        "sub_code": "ITEM_CATEGORY",
        "sub_msg": "类目未开通",
    }
    error = error_from_envelope(envelope, method="open.item.new")
    assert (error.result, error.error_msg, error.sub_code, error.sub_msg) == (
        22,
        "商品来源不可售卖",
        "ITEM_CATEGORY",
        "类目未开通",
    )
    assert error.method == "open.item.new"


# --- success paths ------------------------------------------------------------------------------


@anyio
async def test_categories_lists_the_sandbox_tree(client: KuaishouClient) -> None:
    categories = {c.category_id: c for c in await client.categories()}
    assert len(categories) == 684
    assert categories[LEAF].category_name == "T恤"
    assert categories[LEAF].category_pid == ROOT


@anyio
async def test_category_config_of_a_leaf_lists_refund_rules_and_props(
    client: KuaishouClient,
) -> None:
    config = await client.category_config(LEAF)
    assert config.category_config.refund_rule_list == ["1", "4"]
    assert [p.prop_name for p in config.prop_configs] == ["品牌", "产地", "材质"]


@anyio
async def test_category_config_of_a_non_leaf_is_a_category_error(client: KuaishouClient) -> None:
    with pytest.raises(KuaishouCategoryError):
        await client.category_config(ROOT)


@anyio
async def test_upload_image_returns_a_kuaishou_hosted_url(
    client: KuaishouClient, sandbox: KuaishouSandbox, make_png: Callable[..., bytes]
) -> None:
    result = await client.upload_image(make_png(), filename="a.png")
    assert result.kwai_img_url.startswith("https://p1.sandbox-kwaixiaodian.local/ufile/")
    assert result.kwai_img_url.endswith(".png")
    assert sandbox.is_kwai_image(result.kwai_img_url)


@anyio
async def test_upload_rejects_bytes_that_are_not_an_image(client: KuaishouClient) -> None:
    with pytest.raises(KuaishouValidationError, match="imgBytes"):
        await client.upload_image(b"GIF89a not really", filename="x.gif")


@anyio
async def test_upload_rejects_images_over_2_mb(
    client: KuaishouClient, make_png: Callable[..., bytes]
) -> None:
    padded = make_png() + b"\0" * (2 * 1024 * 1024)
    with pytest.raises(KuaishouValidationError, match="2 MB"):
        await client.upload_image(padded, filename="big.png")


@anyio
async def test_create_item_returns_the_item_id_and_every_sku_id(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    param = make_param(kwai_urls)
    result = await client.create_item(param)
    assert result.rel_item_id == param.rel_item_id
    assert sorted(m.rel_sku_id for m in result.sku_id_mapping) == [100, 101, 102, 103]
    assert len({m.kwai_sku_id for m in result.sku_id_mapping}) == 4


@anyio
async def test_get_item_shows_review_pending_then_approved(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await client.create_item(make_param(kwai_urls))
    first = await client.get_item(created.kwai_item_id)
    second = await client.get_item(created.kwai_item_id)
    assert first.kwai_item_id == created.kwai_item_id
    assert first.title == "纯棉圆领T恤"
    assert len(first.sku_infos) == 4
    assert (first.audit_status, second.audit_status) == (AuditStatus.PENDING, AuditStatus.APPROVED)


@anyio
async def test_find_item_by_rel_item_id_finds_the_created_item(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    created = await client.create_item(make_param(kwai_urls, rel_item_id=555))
    found = await client.find_item_by_rel_item_id(555)
    assert found is not None
    assert found.kwai_item_id == created.kwai_item_id


@anyio
async def test_find_item_by_an_unknown_rel_item_id_is_none(client: KuaishouClient) -> None:
    assert await client.find_item_by_rel_item_id(999_999) is None


@anyio
async def test_find_item_accepts_the_single_item_shape_of_the_official_schema(
    client_for: MakeClient,
) -> None:
    item = {"kwaiItemId": 2004, "relItemId": 555, "title": "T", "skuList": []}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"result": 1, "data": item})

    async with client_for(transport=httpx.MockTransport(answer)) as kuaishou:
        found = await kuaishou.find_item_by_rel_item_id(555)
    assert found is not None
    assert found.kwai_item_id == 2004


# --- supply reports -----------------------------------------------------------------------------


async def published(client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam) -> int:
    return (await client.create_item(make_param(kwai_urls))).kwai_item_id


def move_report(kwai_item_id: int, **overrides: Any) -> SupplyItem:
    fields: dict[str, Any] = {
        "scene": 2,
        "item_id": "6731",
        "kwai_item_id": kwai_item_id,
        "origin_item_url": "https://item.taobao.com/item.htm?id=6731",
        "seller": SupplyItemSeller(platform=3, platform_name="淘宝"),
    }
    return SupplyItem(**(fields | overrides))


@anyio
async def test_a_scene_2_report_is_recorded_with_its_arrival_time(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    kwai_item_id = await published(client, kwai_urls, make_param)
    await client.sync_supply_item(move_report(kwai_item_id))
    (report,) = sandbox.reports
    assert report.item["seller"] == {"platform": 3, "platformName": "淘宝"}
    assert report.seller == KUAISHOU_SELLER_ID
    assert report.received_at.tzinfo is not None


@anyio
async def test_a_scene_2_report_must_name_platform_3(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    kwai_item_id = await published(client, kwai_urls, make_param)
    report = move_report(kwai_item_id, seller=SupplyItemSeller(platform=1, platform_name="淘宝"))
    with pytest.raises(KuaishouValidationError, match=r"seller\.platform"):
        await client.sync_supply_item(report)


@anyio
async def test_a_scene_1_report_needs_title_prices_https_image_category_and_seller_name(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    kwai_item_id = await published(client, kwai_urls, make_param)
    report = move_report(
        kwai_item_id,
        scene=1,
        image_url="http://cbu01.alicdn.com/main.jpg",
        seller=SupplyItemSeller(platform=1, platform_name="1688"),
    )
    with pytest.raises(KuaishouValidationError) as caught:
        await client.sync_supply_item(report)
    for field in ("seller.name", "title", "priceMin/priceMax", "imageUrl", "categoryId"):
        assert f"item.{field}" in str(caught.value)


@anyio
async def test_a_complete_scene_1_report_is_accepted(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    kwai_item_id = await published(client, kwai_urls, make_param)
    report = move_report(
        kwai_item_id,
        scene=1,
        title="纯棉T恤",
        price_min=1990,
        price_max=2090,
        image_url="https://cbu01.alicdn.com/main.jpg",
        category_id=LEAF,
        seller=SupplyItemSeller(name="义乌某服饰厂", platform=1, platform_name="1688"),
    )
    await client.sync_supply_item(report)
    assert [r.item["scene"] for r in sandbox.reports] == [1]


@anyio
async def test_a_report_for_an_item_this_merchant_did_not_create_is_rejected(
    client: KuaishouClient,
) -> None:
    with pytest.raises(KuaishouValidationError, match="kwaiItemId"):
        await client.sync_supply_item(move_report(123))


# --- auth ---------------------------------------------------------------------------------------


@anyio
async def test_a_wrong_sign_secret_is_an_auth_error(client_for: MakeClient) -> None:
    async with client_for(sign_secret="not-the-sign-secret") as kuaishou:
        with pytest.raises(KuaishouAuthError, match="验签失败"):
            await kuaishou.categories()


@anyio
async def test_md5_signed_requests_are_accepted(client_for: MakeClient) -> None:
    async with client_for(sign_method="MD5") as kuaishou:
        assert await kuaishou.categories()


@anyio
async def test_an_unknown_access_token_is_an_auth_error(client_for: MakeClient) -> None:
    async with client_for(access_token="expired-token-0000") as kuaishou:
        with pytest.raises(KuaishouAuthError) as caught:
            await kuaishou.categories()
    assert caught.value.result == 24


@anyio
async def test_auth_errors_are_not_retried(
    client_for: MakeClient, sandbox: KuaishouSandbox
) -> None:
    async with client_for(access_token="expired-token-0000") as kuaishou:
        with pytest.raises(KuaishouAuthError):
            await kuaishou.categories()
    assert calls_of(sandbox, "open.item.category") == 1


# --- publishing failures ------------------------------------------------------------------------


@anyio
async def test_a_duplicate_rel_item_id_is_rejected(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    await client.create_item(make_param(kwai_urls))
    with pytest.raises(KuaishouDuplicateItemError, match="relItemId"):
        await client.create_item(make_param(kwai_urls, title="另一个标题"))


@anyio
async def test_a_non_leaf_category_is_a_category_error(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    with pytest.raises(KuaishouCategoryError, match="商品来源不可售卖"):
        await client.create_item(make_param(kwai_urls, category_id=ROOT))


@anyio
async def test_the_daily_quota_stops_creation_and_is_not_retried(
    client_for: MakeClient, kwai_urls: list[str], make_param: MakeParam, sandbox: KuaishouSandbox
) -> None:
    sandbox.daily_quota = 1
    async with client_for() as kuaishou:
        await kuaishou.create_item(make_param(kwai_urls, rel_item_id=1))
        with pytest.raises(KuaishouQuotaExceededError) as caught:
            await kuaishou.create_item(make_param(kwai_urls, rel_item_id=2))
    assert caught.value.retryable is False
    assert calls_of(sandbox, "open.item.new") == 2


@anyio
async def test_the_daily_quota_resets_the_next_day_in_china_time(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam, sandbox: KuaishouSandbox
) -> None:
    today = datetime(2025, 7, 25, 23, 0, tzinfo=CHINA_TZ)
    sandbox.daily_quota, sandbox.now = 1, lambda: today
    await client.create_item(make_param(kwai_urls, rel_item_id=1))
    sandbox.now = lambda: today + timedelta(hours=1)
    await client.create_item(make_param(kwai_urls, rel_item_id=2))
    assert len(sandbox.items) == 2


@anyio
async def test_a_rule_violation_is_raised_before_sending(
    client: KuaishouClient, sandbox: KuaishouSandbox, make_param: MakeParam
) -> None:
    param = make_param(title="", short_title="太短")
    with pytest.raises(KuaishouValidationError) as caught:
        await client.create_item(param)
    assert [v.field for v in caught.value.violations] == ["title", "shortTitle"]
    assert calls_of(sandbox, "open.item.new") == 0


@anyio
async def test_the_sandbox_rejects_image_urls_it_did_not_host(
    client: KuaishouClient, make_param: MakeParam
) -> None:
    with pytest.raises(KuaishouValidationError, match=r"imageUrls\[0\].*open.item.image.upload"):
        await client.create_item(make_param(["https://img.alicdn.com/a.jpg"] * 2))


@anyio
async def test_the_sandbox_enforces_a_required_category_prop(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    sandbox.category_configs[LEAF] = CategoryConfig(
        category_config=CategoryConfigDetail(refund_rule_list=["1"]),
        prop_configs=[PropConfig(prop_id=1001, prop_name="品牌", required=True)],
    )
    with pytest.raises(KuaishouValidationError, match="品牌"):
        await client.create_item(make_param(kwai_urls))


# --- faults and retries -------------------------------------------------------------------------


@anyio
async def test_a_read_is_retried_after_a_throttle(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    sandbox.fail_next("open.item.category", "throttle")
    assert await client.categories()
    assert calls_of(sandbox, "open.item.category") == 2


@anyio
async def test_a_read_is_retried_after_a_5xx_and_a_gateway_timeout(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    sandbox.fail_next("open.item.category.config", "5xx")
    sandbox.fail_next("open.item.category.config", "timeout")
    assert await client.category_config(LEAF)
    assert calls_of(sandbox, "open.item.category.config") == 3


@anyio
async def test_a_read_gives_up_with_the_last_retryable_error(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    sandbox.fail_next("open.item.category", "throttle", times=10)
    with pytest.raises(KuaishouThrottledError):
        await client.categories()


@anyio
async def test_a_create_is_never_retried_after_a_5xx(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    sandbox.fail_next("open.item.new", "5xx")
    with pytest.raises(KuaishouServerError):
        await client.create_item(make_param(kwai_urls))
    assert calls_of(sandbox, "open.item.new") == 1
    assert sandbox.items == {}


@anyio
async def test_a_lost_create_response_is_resolved_by_rel_item_id(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    sandbox.fail_next("open.item.new", "lose_response")
    with pytest.raises(KuaishouServerError):
        await client.create_item(make_param(kwai_urls, rel_item_id=777))
    found = await client.find_item_by_rel_item_id(777)
    assert found is not None
    assert found.kwai_item_id in sandbox.items


@anyio
async def test_a_supply_report_is_retried_after_a_5xx(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    kwai_item_id = await published(client, kwai_urls, make_param)
    sandbox.fail_next("open.supply.item.sync", "5xx")
    await client.sync_supply_item(move_report(kwai_item_id))
    assert len(sandbox.reports) == 1


@anyio
async def test_no_response_becomes_a_retryable_transport_error(client_for: MakeClient) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with client_for(transport=httpx.MockTransport(refuse)) as kuaishou:
        with pytest.raises(KuaishouTransportError) as caught:
            await kuaishou.categories()
    assert caught.value.retryable is True


# --- the wire -----------------------------------------------------------------------------------


@anyio
async def test_a_documented_get_is_signed_with_its_params_in_the_query(
    client_for: MakeClient,
) -> None:
    seen: list[httpx.Request] = []

    def capture(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"result": 1, "data": {"categoryConfig": {}}})

    async with client_for(
        transport=httpx.MockTransport(capture), clock=lambda: 1_700_000_000_000
    ) as kuaishou:
        await kuaishou.category_config(LEAF)
    (request,) = seen
    form = dict(parse_qsl(request.url.query.decode()))
    assert (request.method, request.url.path) == ("GET", "/open/item/category/config")
    assert request.content == b""
    assert form["param"] == '{"categoryId":90011}'
    assert form["sign"] == sign(form, sign_secret=KUAISHOU_SIGN_SECRET, sign_method="HMAC_SHA256")
    assert form["timestamp"] == "1700000000000"
    assert (form["version"], form["signMethod"]) == ("1", "HMAC_SHA256")
    assert set(form) == {
        "appkey",
        "method",
        "version",
        "param",
        "access_token",
        "timestamp",
        "signMethod",
        "sign",
    }


@anyio
async def test_an_image_upload_is_multipart_with_the_bytes_as_imgbytes(
    client_for: MakeClient, make_png: Callable[..., bytes]
) -> None:
    seen: list[httpx.Request] = []

    def capture(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"result": 1, "data": {"kwaiImgUrl": "https://k/1.png"}})

    async with client_for(transport=httpx.MockTransport(capture)) as kuaishou:
        await kuaishou.upload_image(make_png(), filename="a.png")
    body = seen[0].read()
    assert seen[0].headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="imgBytes"; filename="a.png"' in body
    assert make_png() in body
    assert b'{"uploadType":1}' in body


# --- secrets ------------------------------------------------------------------------------------


@anyio
async def test_secrets_are_absent_from_error_messages(
    client_for: MakeClient, sandbox: KuaishouSandbox, make_param: MakeParam
) -> None:
    errors: list[KuaishouError] = []
    async with client_for(sign_secret="wrong-secret-value") as kuaishou:
        with pytest.raises(KuaishouAuthError) as caught:
            await kuaishou.categories()
        errors.append(caught.value)
    async with client_for() as kuaishou:
        with pytest.raises(KuaishouValidationError) as invalid:
            await kuaishou.create_item(make_param(["https://img.alicdn.com/a.jpg"] * 2))
        errors.append(invalid.value)
    for error in errors:
        for secret in ("wrong-secret-value", KUAISHOU_SIGN_SECRET, KUAISHOU_ACCESS_TOKEN):
            assert secret not in str(error)
            assert secret not in repr(error.__dict__)


@anyio
async def test_a_token_echoed_by_the_platform_is_masked(client_for: MakeClient) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.url.query.decode()))  # a documented GET
        message = f"鉴权失败/TOKEN过期 access_token={form['access_token']}"
        return httpx.Response(200, json={"result": 24, "error_msg": message})

    async with client_for(transport=httpx.MockTransport(echo)) as kuaishou:
        with pytest.raises(KuaishouAuthError) as caught:
            await kuaishou.categories()
    assert KUAISHOU_ACCESS_TOKEN not in str(caught.value)
    assert KUAISHOU_ACCESS_TOKEN not in (caught.value.error_msg or "")
    assert "***" in str(caught.value)


# --- the sandbox gateway itself -----------------------------------------------------------------


@anyio
async def test_the_sandbox_throttles_a_merchant_above_its_qps_limit(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    sandbox.qps_limit = 1
    await client.categories()
    with pytest.raises(KuaishouThrottledError, match="Exceed qps limit"):
        await client.categories()


@anyio
async def test_the_sandbox_rejects_a_param_changed_after_signing(sandbox: KuaishouSandbox) -> None:
    form = {
        "appkey": sandbox.app_key,
        "method": "open.item.category.config",
        "version": "1",
        "param": '{"categoryId":90011}',
        "access_token": KUAISHOU_ACCESS_TOKEN,
        "timestamp": "1700000000000",
        "signMethod": "MD5",
    }
    form["sign"] = sign(form, sign_secret=KUAISHOU_SIGN_SECRET, sign_method="MD5")
    form["param"] = '{"categoryId": 90011}'
    transport = httpx.ASGITransport(app=build_kuaishou_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        response = await http.post("/open/item/category/config", data=form)
    assert response.status_code == 200
    assert response.json()["error_msg"] == "验签失败"
