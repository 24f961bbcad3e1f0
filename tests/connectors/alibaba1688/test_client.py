"""The 1688 AOP client against the strict emulator, in-process (mounted at /alibaba1688 like the
server does).

Also covers what the client stands on: the error classification of both AOP error shapes, and the
emulator's generated catalog and image bank.
"""

from __future__ import annotations

import io
import logging
import math
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image

from connectors.alibaba1688 import (
    PRODUCT_GET_API,
    PRODUCT_LIST_API,
    PRODUCT_NAMESPACE,
    Alibaba1688ArgumentError,
    Alibaba1688BusinessError,
    Alibaba1688Error,
    Alibaba1688PermissionError,
    Alibaba1688RateLimitError,
    Alibaba1688ServiceError,
    Alibaba1688SignatureError,
    Alibaba1688TokenError,
    ParseProblem,
    error_from_response,
    parse_product,
)
from connectors.alibaba1688.client import CROSS_PRODUCT_API, MAX_PAGE_SIZE
from connectors.http import Redactor
from connectors.media_routes import HostRoutingTransport
from sandbox.alibaba_aop import Alibaba1688Sandbox
from sandbox.alibaba_catalog import CATALOG_EPOCH, generate_catalog, shop_profile
from sandbox.alibaba_credentials import (
    ALIBABA1688_DISTRIBUTOR_TOKEN,
    ALIBABA1688_SUPPLIER_TOKEN,
)
from sandbox.media_hosts import ALIBABA1688_IMAGE_BASE

from .conftest import IMAGE_BASE, ORIGIN, OWN_SHOP, SUPPLIER_SHOP, MakeClient, load_fixture

pytestmark = pytest.mark.anyio


def _offers(sandbox: Alibaba1688Sandbox, shop_id: str = OWN_SHOP) -> list[dict[str, Any]]:
    return sandbox.catalog(shop_id, image_base=ALIBABA1688_IMAGE_BASE)  # what the gateway serves


def _published_ids(sandbox: Alibaba1688Sandbox, shop_id: str = OWN_SHOP) -> list[int]:
    return sorted(o["productID"] for o in _offers(sandbox, shop_id) if o["status"] == "published")


# -- listing (mode move) ---------------------------------------------------------------------------


async def test_iter_product_ids_pages_20_at_a_time_through_every_published_own_offer(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    async with client_for() as client:
        ids = [product_id async for product_id in client.iter_product_ids()]
    expected = _published_ids(sandbox)
    assert sandbox.shop_sizes[OWN_SHOP] == 60
    assert ids == expected  # ascending ID order: the only order that traverses a whole shop
    calls = sandbox.calls_to(PRODUCT_LIST_API)
    assert len(calls) == math.ceil(len(expected) / MAX_PAGE_SIZE)
    assert all(int(call.params["pageSize"]) <= 20 for call in calls)


async def test_a_smaller_page_size_pages_further(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    async with client_for() as client:
        ids = [product_id async for product_id in client.iter_product_ids(page_size=7)]
    assert ids == _published_ids(sandbox)
    assert len(sandbox.calls_to(PRODUCT_LIST_API)) == math.ceil(len(ids) / 7)


async def test_without_a_status_filter_every_own_offer_is_listed(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    async with client_for() as client:
        page = await client.product_ids_page(page=1, page_size=5, statuses=None)
    assert page.total_records == len(_offers(sandbox))
    assert "statusList" not in sandbox.calls[-1].params  # a falsy value is not sent at all


async def test_a_page_past_the_end_is_empty(client_for: MakeClient) -> None:
    async with client_for() as client:
        page = await client.product_ids_page(page=10)
    assert page.product_ids == ()
    assert page.total_records > 0


async def test_the_client_refuses_a_page_size_above_20(client_for: MakeClient) -> None:
    async with client_for() as client:
        with pytest.raises(ValueError, match="20"):
            await client.product_ids_page(page=1, page_size=21)


async def test_page_size_21_is_rejected_by_the_gateway_as_an_argument_error(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    async with client_for() as client:
        with pytest.raises(Alibaba1688ArgumentError) as caught:
            await client.call(PRODUCT_NAMESPACE, PRODUCT_LIST_API, {"pageNo": 1, "pageSize": 21})
    assert caught.value.error_code == "gw.ParamInvalid"
    assert caught.value.http_status == 400
    assert not caught.value.retryable
    assert len(sandbox.calls_to(PRODUCT_LIST_API)) == 1


async def test_requests_carry_token_millisecond_timestamp_and_signature(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    async with client_for() as client:
        await client.product_ids_page(page=1, page_size=1)
    params = sandbox.calls[-1].params
    assert {"access_token", "_aop_timestamp", "_aop_signature", "pageNo", "pageSize"} <= set(params)
    assert abs(int(params["_aop_timestamp"]) - time.time() * 1000) < 60_000
    assert params["statusList"] == '["published"]'
    assert (params["orderByCondition"], params["orderByType"]) == ("ID", "ASC")


# -- detail ----------------------------------------------------------------------------------------


async def test_own_product_returns_the_product_info_verbatim(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    offer = _offers(sandbox)[0]
    async with client_for() as client:
        info = await client.own_product(offer["productID"])
    assert info == offer
    assert sandbox.calls[-1].params["webSite"] == "1688"


async def test_own_product_refuses_another_members_offer(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    foreign = _offers(sandbox, SUPPLIER_SHOP)[0]["productID"]
    async with client_for() as client:
        with pytest.raises(Alibaba1688PermissionError) as caught:
            await client.own_product(foreign)
    assert "只能查询自己所有的产品" in (caught.value.error_message or "")
    assert not caught.value.retryable
    assert len(sandbox.calls_to(PRODUCT_GET_API)) == 1


async def test_an_unknown_product_is_a_business_error_not_retried(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    async with client_for() as client:
        with pytest.raises(Alibaba1688BusinessError, match="不存在"):
            await client.distribution_product(123)
    assert len(sandbox.calls_to(CROSS_PRODUCT_API)) == 1


async def test_distribution_product_reads_a_suppliers_offer_ready_for_scene_1(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    offer = next(
        o
        for o in _offers(sandbox, SUPPLIER_SHOP)
        if o["status"] == "published" and any("consignPrice" in s for s in o.get("skuInfos", []))
    )
    async with client_for(access_token=ALIBABA1688_DISTRIBUTOR_TOKEN) as client:
        info = await client.distribution_product(offer["productID"])
    assert info == offer
    listing = parse_product(
        info,
        shop_id=SUPPLIER_SHOP,
        mode="distribute",
        supplier_name=sandbox.supplier_names[SUPPLIER_SHOP],
        image_base=IMAGE_BASE,
    )
    assert listing.seller_name == "义乌市优品日用百货有限公司"
    consign = [round(sku["consignPrice"] * 100) for sku in offer["skuInfos"]]
    assert [sku.price_fen for sku in listing.skus] == consign
    assert listing.main_images and listing.title and listing.category.ids


async def test_the_supplier_reads_its_own_offers_with_its_own_token(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    async with client_for(access_token=ALIBABA1688_SUPPLIER_TOKEN) as client:
        ids = [product_id async for product_id in client.iter_product_ids()]
        info = await client.own_product(ids[0])
    assert ids == _published_ids(sandbox, SUPPLIER_SHOP)
    assert info["supplierLoginId"] == shop_profile(SUPPLIER_SHOP).login_id


# -- authentication and secrets --------------------------------------------------------------------


async def test_a_wrong_app_secret_is_a_signature_error(client_for: MakeClient) -> None:
    async with client_for(app_secret="not-the-app-secret") as client:
        with pytest.raises(Alibaba1688SignatureError) as caught:
            await client.product_ids_page(page=1)
    assert caught.value.error_code == "gw.SignatureInvalid"
    assert not caught.value.retryable


async def test_an_unknown_app_key_is_a_signature_error(client_for: MakeClient) -> None:
    async with client_for(app_key="1234567") as client:
        with pytest.raises(Alibaba1688SignatureError) as caught:
            await client.product_ids_page(page=1)
    assert caught.value.error_code == "gw.AppKeyNotFound"


async def test_an_unknown_access_token_is_a_token_error(client_for: MakeClient) -> None:
    async with client_for(access_token="expired-token-123") as client:
        with pytest.raises(Alibaba1688TokenError) as caught:
            await client.product_ids_page(page=1)
    assert (caught.value.error_code, caught.value.http_status) == ("401", 401)
    assert caught.value.error_message == "Request need user authorized"


async def test_a_stale_timestamp_is_refused(client_for: MakeClient) -> None:
    stale = datetime.now(UTC) - timedelta(minutes=11)
    async with client_for(clock=lambda: stale) as client:
        with pytest.raises(Alibaba1688ArgumentError) as caught:
            await client.product_ids_page(page=1)
    assert caught.value.error_code == "gw.TimestampExpired"


async def test_secrets_never_appear_in_errors_or_logs(
    client_for: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    token, secret = "leaky-access-token-42", "leaky-app-secret-99"
    caplog.set_level(logging.DEBUG)
    async with client_for(access_token=token, app_secret=secret) as client:
        with pytest.raises(Alibaba1688Error) as caught:
            await client.product_ids_page(page=1)
        assert secret not in repr(client) and token not in repr(client)
    texts = [str(caught.value), repr(caught.value), caplog.text]
    assert not any(token in text or secret in text for text in texts)


def test_a_token_echoed_in_an_error_message_is_masked() -> None:
    body = {"error_code": "401", "error_message": "token abcd1234-ef is expired"}
    error = error_from_response(body, redact=Redactor(["abcd1234-ef"]))
    assert "abcd1234-ef" not in str(error)
    assert error.error_message == "token *** is expired"


# -- retries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["throttle", "service", "5xx"])
async def test_a_retryable_fault_is_retried(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox, kind: Any
) -> None:
    sandbox.fail_next(PRODUCT_LIST_API, kind)
    async with client_for() as client:
        page = await client.product_ids_page(page=1, page_size=5)
    assert len(page.product_ids) == 5
    assert len(sandbox.calls_to(PRODUCT_LIST_API)) == 2


async def test_a_persistent_rate_limit_surfaces_as_a_retryable_rate_limit_error(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    sandbox.fail_next(PRODUCT_GET_API, "throttle", times=10)
    async with client_for() as client:
        with pytest.raises(Alibaba1688RateLimitError) as caught:
            await client.own_product(_offers(sandbox)[0]["productID"])
    assert caught.value.retryable
    assert caught.value.error_code == "gw.QosAppFrequencyLimit"
    assert len(sandbox.calls_to(PRODUCT_GET_API)) == 3  # the suite's stamina testing attempts


async def test_a_signature_error_is_not_retried(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    async with client_for(app_secret="wrong-secret-000") as client:
        with pytest.raises(Alibaba1688SignatureError):
            await client.own_product(1)
    assert len(sandbox.calls_to(PRODUCT_GET_API)) == 1


# -- the error shapes ------------------------------------------------------------------------------

ERRORS = load_fixture("error_responses.json")


@pytest.mark.parametrize(
    ("name", "error_class", "retryable"),
    [
        ("rate_limit", Alibaba1688RateLimitError, True),
        ("service", Alibaba1688ServiceError, True),
        ("signature", Alibaba1688SignatureError, False),
        ("app_key", Alibaba1688SignatureError, False),
        ("token", Alibaba1688TokenError, False),
        ("acl", Alibaba1688PermissionError, False),
        ("param_missing", Alibaba1688ArgumentError, False),
        ("unsupported", Alibaba1688ArgumentError, False),
        ("no_relation", Alibaba1688PermissionError, False),
        ("not_found", Alibaba1688BusinessError, False),
        ("business_camel", Alibaba1688BusinessError, False),
    ],
)
def test_error_bodies_of_both_shapes_are_classified(
    name: str, error_class: type[Alibaba1688Error], retryable: bool
) -> None:
    error = error_from_response(ERRORS[name])
    assert type(error) is error_class
    assert error.retryable is retryable


def test_an_error_keeps_code_message_and_request_id_verbatim() -> None:
    error = error_from_response(ERRORS["rate_limit"], http_status=400, api="x:y")
    assert (error.error_code, error.error_message, error.request_id, error.http_status) == (
        "gw.QosAppFrequencyLimit",
        "App call exceeds limited frequency",
        "0bb3c1e716989327871751e9e1",
        400,
    )
    camel = error_from_response(ERRORS["business_camel"])
    assert (camel.error_code, camel.error_message) == (
        "ISV_PRODUCT_STATUS_ERROR",
        "商品状态不允许此操作",
    )


# -- the generated catalog and its images ----------------------------------------------------------


@pytest.mark.parametrize("mode", ["move", "distribute"])
def test_every_generated_offer_parses_or_raises_parse_problem(
    sandbox: Alibaba1688Sandbox, mode: Any
) -> None:
    outcomes: Counter[str] = Counter()
    for shop_id in (SUPPLIER_SHOP, OWN_SHOP):
        for offer in _offers(sandbox, shop_id):
            try:
                parse_product(
                    offer,
                    shop_id=shop_id,
                    mode=mode,
                    supplier_name=sandbox.supplier_names[shop_id],
                    image_base=IMAGE_BASE,
                )
                outcomes["parsed"] += 1
            except ParseProblem:
                outcomes["problem"] += 1
    assert sum(outcomes.values()) == 180
    assert outcomes["parsed"] >= 175


def test_the_catalog_is_deterministic() -> None:
    first = generate_catalog(shop_id="s", size=30, seed=3, image_base=IMAGE_BASE)
    assert first == generate_catalog(shop_id="s", size=30, seed=3, image_base=IMAGE_BASE)
    assert first[:10] == generate_catalog(shop_id="s", size=10, seed=3, image_base=IMAGE_BASE)
    assert first != generate_catalog(shop_id="s", size=30, seed=4, image_base=IMAGE_BASE)


def test_the_demo_shops_product_ids_do_not_overlap(sandbox: Alibaba1688Sandbox) -> None:
    own = {o["productID"] for o in _offers(sandbox, OWN_SHOP)}
    supplier = {o["productID"] for o in _offers(sandbox, SUPPLIER_SHOP)}
    assert len(own) == 60 and len(supplier) == 120 and not own & supplier


def test_the_catalog_carries_each_documented_quirk() -> None:
    offers = generate_catalog(shop_id=SUPPLIER_SHOP, size=400, seed=7, image_base=IMAGE_BASE)
    skus = [sku for offer in offers for sku in offer.get("skuInfos", [])]
    attributes = [attr for sku in skus for attr in sku["attributes"]]
    quotes = Counter(offer["saleInfo"]["quoteType"] for offer in offers)
    statuses = Counter(offer["status"] for offer in offers)
    assert {0, 1, 2} <= set(quotes) and min(quotes[0], quotes[1], quotes[2]) >= 40
    tiered = [offer for offer in offers if offer["saleInfo"]["quoteType"] in (0, 2)]
    assert all(offer["saleInfo"]["priceRanges"] for offer in tiered)
    assert any(offer["saleInfo"]["minOrderQuantity"] > 1 for offer in offers)
    assert any("consignPrice" in sku for sku in skus)
    assert any("consignPrice" in offer["saleInfo"] for offer in offers)
    assert {len(sku["attributes"]) for sku in skus} == {1, 2, 3}
    assert any(attr.get("skuImageUrl") for attr in attributes)
    assert all(
        not attr.get("skuImageUrl") for sku in skus for attr in sku["attributes"][1:]
    )  # SKU images on one (the first) attribute only
    assert any(sku["amountOnSale"] == 0 for sku in skus)
    assert all(path.startswith("img/ibank/") for o in offers for path in o["image"]["images"])
    descriptions = "".join(offer["description"] for offer in offers)
    assert "?__r__=" in descriptions and ".jpg_.webp" in descriptions
    assert "<map " in descriptions and "<area " in descriptions
    assert 60 <= sum(bool(offer["mainVedio"]) for offer in offers) <= 140
    assert {"expired", "member deleted", "deleted", "auditing"} <= set(statuses)
    assert statuses["published"] >= 340
    assert all(len(offer["subject"]) <= 128 for offer in offers)
    assert any(attr["attributeID"] == 3216 and len(attr) == 2 for attr in attributes)  # no name


def test_missing_sku_combinations_exist() -> None:
    offers = generate_catalog(shop_id=SUPPLIER_SHOP, size=200, seed=7, image_base=IMAGE_BASE)
    incomplete = 0
    for offer in offers:
        skus = offer.get("skuInfos", [])
        if skus and len(skus[0]["attributes"]) > 1:
            per_dimension = [
                {sku["attributes"][level]["attributeValue"] for sku in skus}
                for level in range(len(skus[0]["attributes"]))
            ]
            incomplete += math.prod(len(values) for values in per_dimension) > len(skus)
    assert incomplete > 0


def test_update_times_lie_in_the_90_days_before_the_fixed_epoch() -> None:
    offers = generate_catalog(shop_id=OWN_SHOP, size=100, seed=7, image_base=IMAGE_BASE)
    times = [datetime.strptime(o["lastUpdateTime"], "%Y%m%d%H%M%S%f%z") for o in offers]
    assert all(CATALOG_EPOCH - timedelta(days=90) <= t <= CATALOG_EPOCH for t in times)


async def test_every_parsed_image_url_is_served_by_the_emulator_as_jpeg(
    transport: httpx.ASGITransport, sandbox: Alibaba1688Sandbox
) -> None:
    offer = next(
        o
        for o in _offers(sandbox)
        if o.get("skuInfos") and o["skuInfos"][0]["attributes"][0].get("skuImageUrl")
    )
    listing = parse_product(offer, shop_id=OWN_SHOP, mode="move", image_base=ALIBABA1688_IMAGE_BASE)
    sku_images = {spec.image_url for sku in listing.skus for spec in sku.specs if spec.image_url}
    urls = [*listing.main_images, *sku_images, *listing.detail_images]
    assert all(url.startswith("https://cbu01.alicdn.com/img/ibank/") for url in urls)
    routed = HostRoutingTransport(transport, [("cbu01.alicdn.com", f"{ORIGIN}/alibaba1688")])
    async with httpx.AsyncClient(transport=routed) as http:
        for url in urls:
            response = await http.get(url)
            if "broken" in url:
                assert response.status_code == 404
                continue
            assert response.status_code == 200, url
            assert response.headers["content-type"] == "image/jpeg"
            assert Image.open(io.BytesIO(response.content)).format == "JPEG"


async def test_raw_description_urls_with_cache_busters_and_webp_suffixes_are_served(
    transport: httpx.ASGITransport,
) -> None:
    base = f"{ORIGIN}/alibaba1688/img/ibank/2024/1/1/box-1-d0.jpg"
    async with httpx.AsyncClient(transport=transport) as http:
        for url in (f"{base}?__r__=1661332241887", f"{base}_.webp", base):
            assert (await http.get(url)).status_code == 200
        broken = await http.get(f"{ORIGIN}/alibaba1688/img/ibank/x/box-1-d0-broken.jpg")
    assert broken.status_code == 404


async def test_description_images_name_1688s_cdn_whatever_port_the_request_came_in_on(
    client_for: MakeClient, sandbox: Alibaba1688Sandbox
) -> None:
    offer = next(o for o in _offers(sandbox) if o["description"])
    async with client_for(base_url="http://127.0.0.1:8765/alibaba1688/openapi") as client:
        info = await client.own_product(offer["productID"])
    assert "https://cbu01.alicdn.com/img/ibank/" in info["description"]
    assert "127.0.0.1" not in info["description"]
    assert info["image"] == offer["image"]  # main images stay relative, whatever the host
