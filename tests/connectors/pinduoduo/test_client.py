"""The PDD client against the strict emulator, in-process (mounted at /pinduoduo like the server).

Also covers what the client stands on: the error envelope classification, and the emulator's
generated catalog and images.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import math
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image

from connectors.http import Redactor
from connectors.pinduoduo import (
    MAX_WINDOW,
    ParseProblem,
    PddGoodsListItem,
    PinduoduoArgumentError,
    PinduoduoBusinessError,
    PinduoduoClient,
    PinduoduoError,
    PinduoduoPermissionError,
    PinduoduoRateLimitError,
    PinduoduoResponseError,
    PinduoduoServiceError,
    PinduoduoSignatureError,
    PinduoduoTokenError,
    created_at_windows,
    error_from_response,
    parse_goods,
)
from connectors.pinduoduo.signing import sign
from listings.model import ListingStatus
from sandbox.media_hosts import PDD_MEDIA_ORIGIN
from sandbox.pdd_catalog import (
    CATALOG_EPOCH,
    CREATED_SPAN,
    CatalogGoods,
    generate_catalog,
)
from sandbox.pdd_open import PinduoduoSandbox

from .conftest import DEMO_SHOP, ORIGIN, ROUTER_URL, MakeClient, load_fixture

pytestmark = pytest.mark.anyio

LIST = "pdd.goods.list.get"
DETAIL = "pdd.goods.detail.get"
SINCE = CATALOG_EPOCH - CREATED_SPAN
UNTIL = CATALOG_EPOCH


def _catalog(sandbox: PinduoduoSandbox) -> list[CatalogGoods]:
    return sandbox.catalog(DEMO_SHOP, base_url=PDD_MEDIA_ORIGIN)  # what the gateway serves


def _listed_ids(sandbox: PinduoduoSandbox) -> set[int]:
    """What the list call can show: every goods but the deleted ones."""
    return {goods.goods_id for goods in _catalog(sandbox) if goods.status != 4}


def _unix(value: datetime) -> int:
    return int(value.timestamp())


# -- listing ---------------------------------------------------------------------------------------


async def test_iter_goods_lists_every_goods_of_the_150_goods_shop_once(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    async with client_for() as client:
        rows = [row async for row in client.iter_goods(since=SINCE, until=UNTIL)]
    ids = [int(row["goods_id"]) for row in rows]
    assert sandbox.shop_sizes[DEMO_SHOP] == 150
    assert len(ids) == len(set(ids))
    assert set(ids) == _listed_ids(sandbox)
    assert len(sandbox.calls_to(LIST)) == math.ceil(60 / 7)  # one page per ≤7-day window


async def test_iter_goods_pages_through_each_window(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    async with client_for() as client:
        rows = [row async for row in client.iter_goods(since=SINCE, until=UNTIL, page_size=5)]
    assert {int(row["goods_id"]) for row in rows} == _listed_ids(sandbox)
    pages = Counter(call.params["created_at_from"] for call in sandbox.calls_to(LIST))
    assert max(pages.values()) > 1
    assert all(call.params["page_size"] == "5" for call in sandbox.calls_to(LIST))


async def test_goods_page_reports_total_count_and_list_rows(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    start, end = UNTIL - MAX_WINDOW, UNTIL
    async with client_for() as client:
        page = await client.goods_page(
            page=1, page_size=10, created_at_from=start, created_at_end=end
        )
    expected = [
        goods
        for goods in _catalog(sandbox)
        if goods.status != 4 and _unix(start) <= goods.created_at <= _unix(end)
    ]
    assert page.total_count == len(expected) > 10
    assert len(page.goods_list) == 10
    for row in page.goods_list:
        item = PddGoodsListItem.model_validate(row)
        assert item.created_at is not None and _unix(start) <= item.created_at <= _unix(end)
        assert "price" not in row  # list rows carry stock, not prices


async def test_a_page_past_the_end_is_empty(client_for: MakeClient) -> None:
    async with client_for() as client:
        page = await client.goods_page(
            page=9, page_size=100, created_at_from=UNTIL - MAX_WINDOW, created_at_end=UNTIL
        )
    assert page.goods_list == ()
    assert page.total_count > 0


async def test_page_size_101_is_rejected_as_an_invalid_argument(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    async with client_for() as client:
        with pytest.raises(PinduoduoArgumentError) as caught:
            await client.goods_page(
                page=1, page_size=101, created_at_from=SINCE, created_at_end=SINCE + MAX_WINDOW
            )
    assert caught.value.error_code == 10000
    assert caught.value.error_msg == "参数错误:page_size"
    assert not caught.value.retryable
    assert len(sandbox.calls_to(LIST)) == 1


async def test_a_20_day_range_is_split_into_3_windows_of_at_most_7_days(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    since = UNTIL - timedelta(days=20)
    async with client_for() as client:
        rows = [row async for row in client.iter_goods(since=since, until=UNTIL)]
    windows = [
        (int(call.params["created_at_from"]), int(call.params["created_at_end"]))
        for call in sandbox.calls_to(LIST)
    ]
    assert len(windows) == 3
    assert windows[0][0] == _unix(since) and windows[-1][1] == _unix(UNTIL)
    assert all(end - start <= MAX_WINDOW.total_seconds() for start, end in windows)
    assert all(nxt[0] == prev[1] + 1 for prev, nxt in itertools.pairwise(windows))
    expected = {
        goods.goods_id
        for goods in _catalog(sandbox)
        if goods.status != 4 and _unix(since) <= goods.created_at <= _unix(UNTIL)
    }
    assert {int(row["goods_id"]) for row in rows} == expected


def test_created_at_windows_cover_the_range_without_gaps_or_overlap() -> None:
    assert created_at_windows(0, 3 * 86_400) == [(0, 3 * 86_400)]
    week = 7 * 86_400
    assert created_at_windows(0, week) == [(0, week)]
    assert created_at_windows(0, week + 1) == [(0, week), (week + 1, week + 1)]
    with pytest.raises(ValueError, match="before"):
        created_at_windows(10, 9)


def test_naive_datetimes_are_taken_as_china_time() -> None:
    naive = datetime(2025, 6, 1, 12, 0, 0)
    assert created_at_windows(naive, naive) == [(_unix(CATALOG_EPOCH), _unix(CATALOG_EPOCH))]


async def test_a_window_longer_than_7_days_is_refused_by_the_gateway(
    client_for: MakeClient,
) -> None:
    async with client_for() as client:
        with pytest.raises(PinduoduoBusinessError) as caught:
            await client.goods_page(
                page=1,
                created_at_from=SINCE,
                created_at_end=SINCE + MAX_WINDOW + timedelta(seconds=1),
            )
    assert caught.value.error_code == 50001
    assert caught.value.sub_msg is not None and "7天" in caught.value.sub_msg


async def test_is_onsale_0_lists_the_goods_off_the_shelf_only(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    async with client_for() as client:
        rows = [row async for row in client.iter_goods(since=SINCE, until=UNTIL, is_onsale=0)]
    off_shelf = {goods.goods_id for goods in _catalog(sandbox) if goods.status == 2}
    assert off_shelf
    assert {int(row["goods_id"]) for row in rows} == off_shelf
    assert all(row["is_onsale"] == 0 for row in rows)


async def test_requests_carry_the_system_params_with_a_unix_seconds_timestamp(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    async with client_for() as client:
        await client.goods_detail(_catalog(sandbox)[0].goods_id)
    params = sandbox.calls[-1].params
    assert set(params) == {
        "type",
        "client_id",
        "access_token",
        "timestamp",
        "data_type",
        "version",
        "sign",
        "goods_id",
    }
    assert (params["type"], params["data_type"], params["version"]) == (DETAIL, "JSON", "V1")
    assert abs(int(params["timestamp"]) - time.time()) < 60


async def test_a_clock_ten_minutes_off_is_refused(client_for: MakeClient) -> None:
    def skewed() -> datetime:
        return datetime.now().astimezone() - timedelta(minutes=11)

    async with client_for(clock=skewed) as client:
        with pytest.raises(PinduoduoArgumentError, match="timestamp"):
            await client.goods_detail(1)


async def test_a_millisecond_timestamp_is_refused(transport: httpx.ASGITransport) -> None:
    form = {
        "type": DETAIL,
        "client_id": "sandbox-pdd-client-id",
        "access_token": "sandbox-pdd-access-token-demo",
        "timestamp": str(int(time.time() * 1000)),
        "goods_id": "1",
    }
    form["sign"] = sign(form, client_secret="sandbox-pdd-client-secret")
    async with httpx.AsyncClient(transport=transport) as http:
        body = (await http.post(ROUTER_URL, data=form)).json()
    assert body["error_response"]["error_msg"] == "参数错误:timestamp"


# -- authentication and secrets --------------------------------------------------------------------


async def test_a_wrong_client_secret_is_a_signature_error(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    async with client_for(client_secret="not-the-client-secret") as client:
        with pytest.raises(PinduoduoSignatureError) as caught:
            await client.goods_detail(_catalog(sandbox)[0].goods_id)
    assert (caught.value.error_code, caught.value.error_msg) == (20004, "签名验证失败")
    assert not caught.value.retryable
    assert len(sandbox.calls_to(DETAIL)) == 1


async def test_an_unknown_access_token_is_a_token_error(client_for: MakeClient) -> None:
    async with client_for(access_token="revoked-access-token-1") as client:
        with pytest.raises(PinduoduoTokenError) as caught:
            await client.goods_page(page=1, created_at_from=SINCE, created_at_end=SINCE)
    assert caught.value.error_code == 10019
    assert not caught.value.retryable


async def test_an_unknown_client_id_is_an_argument_error(client_for: MakeClient) -> None:
    async with client_for(client_id="someone-elses-app") as client:
        with pytest.raises(PinduoduoArgumentError, match="client_id"):
            await client.goods_detail(1)


async def test_secrets_never_appear_in_errors_or_logs(
    client_for: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    token, secret = "leaky-access-token-42", "leaky-client-secret-99"
    caplog.set_level(logging.DEBUG)
    async with client_for(access_token=token, client_secret=secret) as client:
        with pytest.raises(PinduoduoError) as caught:
            await client.goods_detail(1)
        assert secret not in repr(client) and token not in repr(client)
    texts = [str(caught.value), repr(caught.value), caplog.text]
    assert not any(token in text or secret in text for text in texts)


def test_a_token_echoed_in_sub_msg_is_masked() -> None:
    body = {
        "error_response": {"error_code": 10019, "error_msg": "x", "sub_msg": "tok abcd1234 bad"}
    }
    error = error_from_response(body, redact=Redactor(["abcd1234"]))
    assert "abcd1234" not in str(error)
    assert error.sub_msg == "tok *** bad"


# -- detail ----------------------------------------------------------------------------------------


async def test_goods_detail_is_the_detail_verbatim(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    goods = _catalog(sandbox)[3]
    async with client_for() as client:
        assert await client.goods_detail(goods.goods_id) == goods.detail


async def test_goods_details_returns_every_goods_in_order_and_reports_unknown_ids(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    ids = [goods.goods_id for goods in _catalog(sandbox)[:25]]
    async with client_for() as client:
        details = await client.goods_details([*ids[:10], 111, *ids[10:], ids[0]])
    assert [goods["goods_id"] for goods in details.goods] == ids
    assert details.missing_ids == [111]
    assert len(sandbox.calls_to(DETAIL)) == 26


async def test_goods_details_keeps_at_most_detail_concurrency_calls_in_flight(
    transport: httpx.ASGITransport, client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    class Counting(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.now = self.peak = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.now += 1
            self.peak = max(self.peak, self.now)
            try:
                await asyncio.sleep(0.002)
                return await transport.handle_async_request(request)
            finally:
                self.now -= 1

    counting = Counting()
    ids = [goods.goods_id for goods in _catalog(sandbox)[:20]]
    async with client_for(transport=counting, detail_concurrency=3) as client:
        details = await client.goods_details(ids)
    assert len(details.goods) == 20
    assert counting.peak == 3


async def test_goods_details_raises_the_platform_error_not_an_exception_group(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    ids = [goods.goods_id for goods in _catalog(sandbox)[:5]]
    async with client_for(access_token="revoked-access-token-1") as client:
        with pytest.raises(PinduoduoTokenError):
            await client.goods_details(ids)


async def test_a_detail_call_without_goods_id_is_an_argument_error(client_for: MakeClient) -> None:
    async with client_for() as client:
        with pytest.raises(PinduoduoArgumentError, match="goods_id"):
            await client.call(DETAIL, {})


# -- retries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["busy", "throttle", "5xx"])
async def test_a_retryable_fault_is_retried(
    client_for: MakeClient, sandbox: PinduoduoSandbox, kind: Any
) -> None:
    goods = _catalog(sandbox)[0]
    sandbox.fail_next(DETAIL, kind)
    async with client_for() as client:
        assert await client.goods_detail(goods.goods_id) == goods.detail
    assert len(sandbox.calls_to(DETAIL)) == 2


async def test_a_throttled_list_page_is_retried(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    sandbox.fail_next(LIST, "throttle", times=2)
    async with client_for() as client:
        rows = [row async for row in client.iter_goods(since=UNTIL - MAX_WINDOW, until=UNTIL)]
    assert rows
    assert [call.error_code for call in sandbox.calls_to(LIST)] == [52101, 52101, None]


async def test_a_persistent_busy_fault_surfaces_as_a_retryable_service_error(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    sandbox.fail_next(DETAIL, "busy", times=10)
    async with client_for() as client:
        with pytest.raises(PinduoduoServiceError) as caught:
            await client.goods_detail(_catalog(sandbox)[0].goods_id)
    assert caught.value.retryable
    assert caught.value.error_code == 50000
    assert len(sandbox.calls_to(DETAIL)) == 3  # the suite's stamina testing mode: 3 attempts


async def test_a_persistent_5xx_is_a_retryable_response_error(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    sandbox.fail_next(DETAIL, "5xx", times=10)
    async with client_for() as client:
        with pytest.raises(PinduoduoResponseError) as caught:
            await client.goods_detail(_catalog(sandbox)[0].goods_id)
    assert caught.value.retryable


async def test_a_business_refusal_is_not_retried(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    async with client_for() as client:
        with pytest.raises(PinduoduoBusinessError):
            await client.goods_detail(111)
    assert len(sandbox.calls_to(DETAIL)) == 1


async def test_call_without_retry_sends_once(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    sandbox.fail_next(DETAIL, "busy")
    async with client_for() as client:
        with pytest.raises(PinduoduoServiceError):
            await client.call(DETAIL, {"goods_id": 1}, retry=False)
    assert len(sandbox.calls_to(DETAIL)) == 1


def test_an_unknown_fault_kind_is_refused(sandbox: PinduoduoSandbox) -> None:
    with pytest.raises(ValueError, match="fault kind"):
        sandbox.fail_next(DETAIL, "timeout")  # type: ignore[arg-type]


# -- the error envelope ----------------------------------------------------------------------------

ERRORS = load_fixture("error_responses.json")


@pytest.mark.parametrize(
    ("name", "error_class", "retryable"),
    [
        ("signature", PinduoduoSignatureError, False),
        ("arguments", PinduoduoArgumentError, False),
        ("business", PinduoduoBusinessError, False),
        ("token", PinduoduoTokenError, False),
        ("token_expired", PinduoduoTokenError, False),
        ("permission", PinduoduoPermissionError, False),
        ("system", PinduoduoServiceError, True),
        ("throttle", PinduoduoRateLimitError, True),
        ("unknown_throttle", PinduoduoRateLimitError, True),
        ("unknown", PinduoduoError, False),
    ],
)
def test_error_responses_are_classified_by_code_then_text(
    name: str, error_class: type[PinduoduoError], retryable: bool
) -> None:
    error = error_from_response(ERRORS[name])
    assert type(error) is error_class
    assert error.retryable is retryable


def test_an_error_keeps_its_fields_verbatim() -> None:
    error = error_from_response(ERRORS["signature"], method=LIST)
    assert (error.error_code, error.error_msg, error.sub_code, error.sub_msg, error.request_id) == (
        20004,
        "签名验证失败",
        "20004",
        "签名验证失败",
        "15749321782103707",
    )
    assert error.method == LIST
    assert "20004" in str(error) and LIST in str(error)


def test_a_null_sub_code_stays_none() -> None:
    error = error_from_response(ERRORS["business"])
    assert error.sub_code is None
    assert error.sub_msg == "时间跨度不能超过24小时"


async def test_a_non_json_answer_is_a_response_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>"))
    async with PinduoduoClient(
        base_url=ROUTER_URL, client_id="c", client_secret="s", access_token="t", transport=transport
    ) as client:
        with pytest.raises(PinduoduoResponseError, match="non-JSON"):
            await client.goods_detail(1)


# -- the whole shop, end to end --------------------------------------------------------------------


async def test_list_then_detail_then_parse_the_whole_shop(client_for: MakeClient) -> None:
    async with client_for() as client:
        ids = [int(row["goods_id"]) async for row in client.iter_goods(since=SINCE, until=UNTIL)]
        details = await client.goods_details(ids)
    assert details.missing_ids == []
    listings = [parse_goods(goods, shop_id=DEMO_SHOP, price="group") for goods in details.goods]
    assert {listing.status for listing in listings} >= {
        ListingStatus.ONSALE,
        ListingStatus.OFFSHELF,
    }
    assert ListingStatus.DELETED not in {listing.status for listing in listings}


# -- the generated catalog and its images ----------------------------------------------------------


@pytest.mark.parametrize("price", ["single", "group"])
def test_every_generated_goods_parses_or_raises_parse_problem(
    sandbox: PinduoduoSandbox, price: Any
) -> None:
    outcomes: Counter[str] = Counter()
    for goods in _catalog(sandbox):
        try:
            parse_goods(goods.detail, shop_id=DEMO_SHOP, price=price)
            outcomes["parsed"] += 1
        except ParseProblem:
            outcomes["problem"] += 1
    assert sum(outcomes.values()) == 150
    assert outcomes["parsed"] >= 140


def test_the_catalog_is_deterministic() -> None:
    first = generate_catalog(shop_id="s", size=30, seed=3, base_url=ORIGIN)
    assert first == generate_catalog(shop_id="s", size=30, seed=3, base_url=ORIGIN)
    assert first[:10] == generate_catalog(shop_id="s", size=10, seed=3, base_url=ORIGIN)
    assert first != generate_catalog(shop_id="s", size=30, seed=4, base_url=ORIGIN)
    assert first != generate_catalog(shop_id="t", size=30, seed=3, base_url=ORIGIN)


@pytest.mark.parametrize("size", [-1, 100_001])
def test_a_catalog_size_outside_0_to_100000_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="100000"):
        generate_catalog(shop_id="s", size=size, base_url=ORIGIN)


def test_the_catalog_carries_each_documented_quirk() -> None:
    catalog = generate_catalog(shop_id=DEMO_SHOP, size=400, seed=11, base_url=ORIGIN)
    details = [goods.detail for goods in catalog]
    skus = [sku for detail in details for sku in detail["sku_list"]]
    dims = Counter(len(detail["sku_list"][0]["spec"]) for detail in details)
    statuses = Counter(detail["status"] for detail in details)
    assert dims[0] >= 20 and dims[1] > 0 and dims[2] > 0 and dims[3] > 0
    assert all(
        len(detail["sku_list"]) == 1 for detail in details if not detail["sku_list"][0]["spec"]
    )
    assert all(statuses[status] > 0 for status in (1, 2, 3, 4))
    assert 180 <= sum("tiny_name" in detail for detail in details) <= 300
    assert 80 <= sum(bool(detail["video_gallery"]) for detail in details) <= 160
    assert all(sku["multi_price"] < sku["price"] for sku in skus)
    assert any(sku["reserve_quantity"] > sku["quantity"] for sku in skus)
    assert any(0 < sku["reserve_quantity"] < sku["quantity"] for sku in skus)
    assert any(sku["is_onsale"] == 0 for sku in skus)
    assert any(sku["thumb_url"] == "" for sku in skus)
    assert any(detail["image_url"].endswith(".jpg.a.jpeg") for detail in details)
    assert any(detail["image_url"].endswith("-m0.jpeg") for detail in details)
    assert any(len(detail["carousel_gallery_list"]) <= 2 for detail in details)
    assert any("_wb" in detail["image_url"] for detail in details)
    sold_out = [detail for detail in details if detail["status"] == 3]
    assert all(sku["quantity"] == 0 for detail in sold_out for sku in detail["sku_list"])
    missing_combinations = [
        detail
        for detail in details
        if len(detail["sku_list"][0]["spec"]) == 2
        and len(detail["sku_list"])
        < math.prod(
            len({sku["spec"][dim]["spec_name"] for sku in detail["sku_list"]}) for dim in (0, 1)
        )
    ]
    assert missing_combinations


def test_created_at_lies_in_the_60_days_before_the_fixed_epoch() -> None:
    catalog = generate_catalog(shop_id=DEMO_SHOP, size=200, seed=11, base_url=ORIGIN)
    low, high = _unix(CATALOG_EPOCH - CREATED_SPAN), _unix(CATALOG_EPOCH)
    assert all(low <= goods.created_at <= high for goods in catalog)
    assert max(g.created_at for g in catalog) - min(g.created_at for g in catalog) > 50 * 86_400


@pytest.mark.parametrize("suffix", [".jpeg", ".jpg.a.jpeg", ".jpg"])
async def test_catalog_images_are_served_as_jpeg(
    transport: httpx.ASGITransport, suffix: str
) -> None:
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.get(f"{ORIGIN}/pinduoduo/img/bone-1-m0_34{suffix}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("JPEG", (600, 800))


async def test_a_catalog_image_url_is_fetchable(
    transport: httpx.ASGITransport, sandbox: PinduoduoSandbox
) -> None:
    url = _catalog(sandbox)[0].detail["carousel_gallery_list"][0]
    assert url.startswith(f"{PDD_MEDIA_ORIGIN}/pinduoduo/img/")
    async with httpx.AsyncClient(transport=transport) as http:
        assert (await http.get(url)).status_code == 200


async def test_a_name_that_is_not_a_jpeg_is_404(transport: httpx.ASGITransport) -> None:
    async with httpx.AsyncClient(transport=transport) as http:
        assert (await http.get(f"{ORIGIN}/pinduoduo/img/x.png")).status_code == 404


async def test_image_urls_name_pdds_cdn_whatever_port_the_request_came_in_on(
    client_for: MakeClient, sandbox: PinduoduoSandbox
) -> None:
    async with client_for(base_url="http://127.0.0.1:8765/pinduoduo/api/router") as client:
        page = await client.goods_page(
            page=1, page_size=3, created_at_from=UNTIL - MAX_WINDOW, created_at_end=UNTIL
        )
    assert all(
        row["image_url"].startswith("https://img.pddpic.com/pinduoduo/img/")
        for row in page.goods_list
    )


async def test_the_router_answers_post_only(transport: httpx.ASGITransport) -> None:
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.get(ROUTER_URL)
    assert response.json()["error_response"]["error_msg"] == "请求方法不支持"
