"""The TOP client against the strict emulator, in-process (mounted at /taobao like the server does).

Also covers what the client stands on: the error envelope classification, and the emulator's
generated catalog and images.
"""

from __future__ import annotations

import io
import logging
import math
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image

from connectors.http import Redactor
from connectors.taobao import (
    ParseProblem,
    TaobaoArgumentError,
    TaobaoBusinessError,
    TaobaoCallLimitError,
    TaobaoDepthLimitError,
    TaobaoError,
    TaobaoPermissionError,
    TaobaoServiceError,
    TaobaoSessionError,
    TaobaoSignatureError,
    error_from_response,
    parse_item,
)
from connectors.taobao.client import MAX_BATCH
from listings.china_time import CHINA_TZ
from sandbox.taobao_catalog import CATALOG_EPOCH, generate_catalog
from sandbox.taobao_images import render_image
from sandbox.taobao_top import TaobaoSandbox

from .conftest import DEMO_SHOP, ORIGIN, TMALL_SESSION, MakeClient, load_fixture

pytestmark = pytest.mark.anyio

ONSALE = "taobao.items.onsale.get"
LIST_GET = "taobao.items.seller.list.get"
ITEM_GET = "taobao.item.seller.get"


def _onsale_ids(sandbox: TaobaoSandbox, shop_id: str = DEMO_SHOP) -> list[int]:
    catalog = sandbox.catalog(shop_id, base_url=ORIGIN)
    return [item["num_iid"] for item in catalog if item["approve_status"] == "onsale"]


# -- listing ---------------------------------------------------------------------------------------


async def test_iter_onsale_pages_through_every_on_sale_item_of_a_200_item_shop(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    async with client_for() as client:
        rows = [row async for row in client.iter_onsale(page_size=50)]
    expected = _onsale_ids(sandbox)
    assert sandbox.shop_sizes[DEMO_SHOP] == 200
    assert sorted(int(row["num_iid"]) for row in rows) == sorted(expected)
    assert len(sandbox.calls_to(ONSALE)) == math.ceil(len(expected) / 50)


async def test_onsale_page_reports_total_results_and_list_columns_only(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    async with client_for() as client:
        page = await client.onsale_page(page_no=1, page_size=10, fields="num_iid,title,desc,sku")
    assert page.total_results == len(_onsale_ids(sandbox))
    assert len(page.items) == 10
    assert all(set(row) == {"num_iid", "title"} for row in page.items)


async def test_a_page_past_the_end_is_empty(client_for: MakeClient) -> None:
    async with client_for() as client:
        page = await client.onsale_page(page_no=5, page_size=200)
    assert page.items == ()


async def test_page_size_201_is_rejected_as_an_invalid_argument(client_for: MakeClient) -> None:
    async with client_for() as client:
        with pytest.raises(TaobaoArgumentError) as caught:
            await client.onsale_page(page_no=1, page_size=201)
    assert caught.value.code == 41
    assert not caught.value.retryable


async def test_paging_deeper_than_20000_rows_is_rejected(client_for: MakeClient) -> None:
    async with client_for() as client:
        with pytest.raises(TaobaoArgumentError, match="20000"):
            await client.onsale_page(page_no=101, page_size=200)


async def test_a_window_deeper_than_the_paging_cap_fails_up_front(
    client_for: MakeClient, sandbox: TaobaoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("connectors.taobao.client.MAX_DEPTH", 100)
    async with client_for() as client:
        with pytest.raises(TaobaoDepthLimitError, match="start_modified"):
            _ = [row async for row in client.iter_onsale()]
    assert len(sandbox.calls_to(ONSALE)) == 1


async def test_modified_window_narrows_the_listing(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    start = CATALOG_EPOCH - timedelta(days=30)
    async with client_for() as client:
        rows = [row async for row in client.iter_onsale(start_modified=start)]
    catalog = sandbox.catalog(DEMO_SHOP, base_url=ORIGIN)
    expected = {
        item["num_iid"]
        for item in catalog
        if item["approve_status"] == "onsale"
        and item["modified"] >= start.strftime("%Y-%m-%d %H:%M:%S")
    }
    assert {int(row["num_iid"]) for row in rows} == expected
    assert 0 < len(expected) < len(_onsale_ids(sandbox))


async def test_requests_carry_the_system_params_with_a_gmt8_timestamp(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    async with client_for() as client:
        await client.onsale_page(page_no=1, page_size=1)
    params = sandbox.calls[-1].params
    assert {
        "method",
        "app_key",
        "session",
        "timestamp",
        "format",
        "v",
        "sign_method",
        "sign",
    } <= set(params)
    assert (params["format"], params["v"], params["sign_method"]) == ("json", "2.0", "hmac-sha256")
    sent = datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S")
    china_now = datetime.now(CHINA_TZ).replace(tzinfo=None)
    assert abs(sent - china_now) < timedelta(minutes=1)


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
async def test_every_sign_method_is_accepted(client_for: MakeClient, sign_method: str) -> None:
    async with client_for(sign_method=sign_method) as client:
        page = await client.onsale_page(page_no=1, page_size=1)
    assert page.total_results > 0


async def test_the_tmall_session_reads_the_tmall_shop(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    async with client_for(session=TMALL_SESSION) as client:
        rows = [row async for row in client.iter_onsale(fields="num_iid,nick")]
    assert len(rows) == len(_onsale_ids(sandbox, "demo-tmall-shop"))
    assert all(row["nick"].endswith("旗舰店") for row in rows)


# -- authentication and secrets --------------------------------------------------------------------


async def test_a_wrong_app_secret_is_a_signature_error(client_for: MakeClient) -> None:
    async with client_for(app_secret="not-the-app-secret") as client:
        with pytest.raises(TaobaoSignatureError) as caught:
            await client.onsale_page(page_no=1)
    assert caught.value.code == 25
    assert not caught.value.retryable


async def test_an_unknown_session_is_a_session_error(client_for: MakeClient) -> None:
    async with client_for(session="expired-session-key-123") as client:
        with pytest.raises(TaobaoSessionError) as caught:
            await client.onsale_page(page_no=1)
    assert caught.value.code == 27


async def test_secrets_never_appear_in_errors_or_logs(
    client_for: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    session, secret = "leaky-session-value-42", "leaky-app-secret-99"
    caplog.set_level(logging.DEBUG)
    async with client_for(session=session, app_secret=secret) as client:
        with pytest.raises(TaobaoError) as caught:
            await client.onsale_page(page_no=1)
        assert secret not in repr(client)
    texts = [str(caught.value), repr(caught.value), caplog.text]
    assert not any(session in text or secret in text for text in texts)


async def test_a_session_echoed_in_sub_msg_is_masked() -> None:
    body = {"error_response": {"code": 27, "msg": "Invalid session", "sub_msg": "key abcd1234 bad"}}
    error = error_from_response(body, redact=Redactor(["abcd1234"]))
    assert "abcd1234" not in str(error)
    assert error.sub_msg == "key *** bad"


# -- detail ----------------------------------------------------------------------------------------


async def test_item_details_returns_every_item_in_the_order_asked(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    ids = _onsale_ids(sandbox)
    async with client_for() as client:
        details = await client.item_details(ids)
    assert [item["num_iid"] for item in details.items] == ids
    assert details.missing_ids == []
    assert all("skus" in item or "price" in item for item in details.items)


async def test_detail_batches_hold_at_most_20_ids(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    ids = _onsale_ids(sandbox)[:45]
    async with client_for() as client:
        await client.item_details(ids)
    sizes = [len(call.params["num_iids"].split(",")) for call in sandbox.calls_to(LIST_GET)]
    assert sizes == [20, 20, 5]
    assert MAX_BATCH == 20


async def test_silent_omissions_are_recovered_one_by_one(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    ids = _onsale_ids(sandbox)
    omitted = [num_iid for num_iid in ids if sandbox.is_silently_omitted(num_iid)]
    assert omitted, "the 200-item demo shop should have a silently omitted id"
    async with client_for() as client:
        details = await client.item_details(ids)
    singles = [int(call.params["num_iid"]) for call in sandbox.calls_to(ITEM_GET)]
    assert singles == omitted
    assert {item["num_iid"] for item in details.items} == set(ids)


async def test_an_id_still_missing_alone_is_reported_not_dropped(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    ids = [*_onsale_ids(sandbox)[:3], 111111111111]
    async with client_for() as client:
        details = await client.item_details(ids)
    assert details.missing_ids == [111111111111]
    assert len(details.items) == 3


async def test_21_ids_in_one_batch_call_are_rejected(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    ids = ",".join(str(num_iid) for num_iid in _onsale_ids(sandbox)[:21])
    async with client_for() as client:
        with pytest.raises(TaobaoArgumentError):
            await client.call(LIST_GET, {"num_iids": ids, "fields": "num_iid"})


async def test_detail_fields_name_arrays_singular_and_get_them_plural(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    num_iid = next(
        item["num_iid"]
        for item in sandbox.catalog(DEMO_SHOP, base_url=ORIGIN)
        if "skus" in item and "prop_imgs" in item
    )
    async with client_for() as client:
        item = await client.item(num_iid, fields="num_iid,sku,prop_img")
    assert set(item) == {"num_iid", "skus", "prop_imgs"}


# -- retries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["isp", "throttle", "5xx"])
async def test_a_retryable_fault_is_retried(
    client_for: MakeClient, sandbox: TaobaoSandbox, kind: Any
) -> None:
    sandbox.fail_next(ONSALE, kind)
    async with client_for() as client:
        page = await client.onsale_page(page_no=1, page_size=5)
    assert len(page.items) == 5
    assert len(sandbox.calls_to(ONSALE)) == 2


async def test_a_persistent_isp_fault_surfaces_as_a_retryable_service_error(
    client_for: MakeClient, sandbox: TaobaoSandbox
) -> None:
    sandbox.fail_next(ONSALE, "isp", times=10)
    async with client_for() as client:
        with pytest.raises(TaobaoServiceError) as caught:
            await client.onsale_page(page_no=1)
    assert caught.value.retryable
    assert caught.value.sub_code == "isp.top-remote-connection-timeout"


async def test_an_isv_error_is_not_retried(client_for: MakeClient, sandbox: TaobaoSandbox) -> None:
    async with client_for() as client:
        with pytest.raises(TaobaoBusinessError):
            await client.item(111111111111)
    assert len(sandbox.calls_to(ITEM_GET)) == 1


# -- the error envelope ----------------------------------------------------------------------------

ERRORS = load_fixture("error_responses.json")


@pytest.mark.parametrize(
    ("name", "error_class", "retryable"),
    [
        ("call_limit", TaobaoCallLimitError, True),
        ("isp_remote", TaobaoServiceError, True),
        ("isv_invalid", TaobaoBusinessError, False),
        ("signature", TaobaoSignatureError, False),
        ("session", TaobaoSessionError, False),
        ("missing_session", TaobaoSessionError, False),
        ("permission", TaobaoPermissionError, False),
        ("arguments", TaobaoArgumentError, False),
    ],
)
def test_error_responses_are_classified_by_code_then_sub_code(
    name: str, error_class: type[TaobaoError], retryable: bool
) -> None:
    error = error_from_response(ERRORS[name])
    assert type(error) is error_class
    assert error.retryable is retryable


def test_an_error_keeps_code_msg_sub_code_and_sub_msg_verbatim() -> None:
    error = error_from_response(ERRORS["call_limit"], method=ONSALE)
    assert (error.code, error.msg, error.sub_code, error.sub_msg) == (
        7,
        "App Call Limited",
        "accesscontrol.limited-by-api-access-count",
        "This ban will last for 1 more seconds",
    )
    assert error.method == ONSALE
    assert "accesscontrol.limited-by-api-access-count" in str(error)


# -- the generated catalog and its images ----------------------------------------------------------


def test_every_generated_item_parses_or_raises_parse_problem(sandbox: TaobaoSandbox) -> None:
    outcomes: Counter[str] = Counter()
    for item in sandbox.catalog(DEMO_SHOP, base_url=ORIGIN):
        try:
            parse_item(item, shop_id=DEMO_SHOP)
            outcomes["parsed"] += 1
        except ParseProblem:
            outcomes["problem"] += 1
    assert sum(outcomes.values()) == 200
    assert outcomes["parsed"] >= 190


def test_the_catalog_is_deterministic() -> None:
    first = generate_catalog(shop_id="s", size=30, seed=3, base_url=ORIGIN)
    assert first == generate_catalog(shop_id="s", size=30, seed=3, base_url=ORIGIN)
    assert first[:10] == generate_catalog(shop_id="s", size=10, seed=3, base_url=ORIGIN)
    assert first != generate_catalog(shop_id="s", size=30, seed=4, base_url=ORIGIN)


def test_the_catalog_carries_each_documented_quirk() -> None:
    items = generate_catalog(shop_id=DEMO_SHOP, size=400, seed=7, base_url=ORIGIN)
    skus = [sku for item in items for sku in item.get("skus", {}).get("sku", [])]
    text = "".join(item["props_name"] for item in items)
    share = Counter[str]()
    share["no_skus"] = sum("skus" not in item for item in items)
    share["instock"] = sum(item["approve_status"] == "instock" for item in items)
    share["video"] = sum("videos" in item for item in items)
    share["few_images"] = sum(len(item["item_imgs"]["item_img"]) <= 2 for item in items)
    assert 20 <= share["no_skus"] <= 70
    assert 3 <= share["instock"] <= 25
    assert 80 <= share["video"] <= 160
    assert share["few_images"] > 0
    assert "#cln#" in text and "#scln#" in text and ":-1" in text
    assert any("property_alias" in item for item in items)
    assert any(sku["status"] == "delete" for sku in skus)
    assert any(sku.get("with_hold_quantity") for sku in skus)
    assert any(sku["quantity"] == 0 for sku in skus)
    https_items = generate_catalog(
        shop_id=DEMO_SHOP, size=40, seed=7, base_url="https://img.sandbox.example"
    )
    assert any('src="//' in item["desc"] for item in https_items)
    assert any('src="http://' in item["desc"] for item in items)
    assert any("_wb.jpg" in item["pic_url"] for item in items)


def test_modified_times_lie_in_the_90_days_before_the_fixed_epoch() -> None:
    items = generate_catalog(shop_id=DEMO_SHOP, size=100, seed=7, base_url=ORIGIN)
    times = [datetime.strptime(item["modified"], "%Y-%m-%d %H:%M:%S") for item in items]
    epoch = CATALOG_EPOCH.replace(tzinfo=None)
    assert all(epoch - timedelta(days=90) <= t <= epoch for t in times)


def test_titles_fit_taobaos_60_byte_limit() -> None:
    items = generate_catalog(shop_id=DEMO_SHOP, size=200, seed=7, base_url=ORIGIN)
    assert all(len(item["title"].encode("gbk")) <= 60 for item in items)


async def test_catalog_image_urls_are_served_by_the_emulator_as_jpeg(
    transport: httpx.ASGITransport, sandbox: TaobaoSandbox
) -> None:
    item = sandbox.catalog(DEMO_SHOP, base_url=ORIGIN)[0]
    assert item["pic_url"].startswith(f"{ORIGIN}/taobao/img/")
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.get(item["pic_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"


async def test_image_urls_name_taobaos_cdn_whatever_port_the_request_came_in_on(
    client_for: MakeClient,
) -> None:
    async with client_for(base_url="http://127.0.0.1:8765/taobao/router/rest") as client:
        page = await client.onsale_page(page_no=1, page_size=3, fields="num_iid,pic_url")
    assert all(
        row["pic_url"].startswith("https://img.alicdn.com/taobao/img/") for row in page.items
    )


async def test_a_broken_image_name_is_404(transport: httpx.ASGITransport) -> None:
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.get(f"{ORIGIN}/taobao/img/tee-1-d0-broken.jpg")
    assert response.status_code == 404


def test_image_names_choose_border_and_ratio() -> None:
    square = Image.open(io.BytesIO(render_image("tee-1-m0.jpg")))
    portrait = Image.open(io.BytesIO(render_image("tee-1-m4_34.jpg")))
    bordered = Image.open(io.BytesIO(render_image("tee-1-m0_wb.jpg"))).convert("RGB")
    assert square.size == (800, 800)
    assert portrait.size == (600, 800)
    assert all(channel > 245 for channel in bordered.getpixel((10, 10)))  # type: ignore[union-attr]
    assert render_image("tee-1-m0.jpg") == render_image("tee-1-m0.jpg")
    assert len(render_image("blocks-1-m0_wb.jpg")) < 100_000
