"""The double envelope and the error hierarchy, against canned vv-tool answers (httpx.MockTransport).

Success needs outer `code == 0` and inner `data.result == 1`; each layer failing alone is an error
of its own kind, with Kuaishou's fields kept verbatim and secrets masked everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from connectors.vvtool import (
    VvtoolAbnormalError,
    VvtoolAuthError,
    VvtoolClient,
    VvtoolError,
    VvtoolKuaishouDuplicateError,
    VvtoolKuaishouError,
    VvtoolKuaishouQuotaError,
    VvtoolKuaishouThrottledError,
    VvtoolParamsError,
    VvtoolShopNotAuthorizedError,
    VvtoolSystemError,
    VvtoolTimeoutError,
    VvtoolUnsupportedError,
)
from tests.connectors.vvtool.conftest import item_request

anyio = pytest.mark.anyio

TOKEN = "tok-4f1c0d9e8b7a6c5d4e3f"
SECRET = "vv-secret-9a8b7c6d5e4f"
SUCCESS_DATA = {
    "kwaiItemId": 234225423,
    "relItemId": 7000001,
    "skuIdMapping": [{"kwaiSkuId": 1232141, "relSkuId": 100, "skuNick": "123422"}],
}


def envelope(code: int = 0, data: Any = None, *, msg: str = "操作成功", money: Any = 4) -> dict:
    return {
        "code": code,
        "msg": msg,
        "msec": 1469,
        "time": 1617270403,
        "data": data if data is not None else [],
        "withholding_money": money,
    }


def canned(body: dict[str, Any], *, status: int = 200) -> Callable[..., VvtoolClient]:
    """A client whose token endpoint works and whose every other call answers `body`."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            return httpx.Response(200, json={"access_token": TOKEN, "expires_in": 7200})
        return httpx.Response(status, json=body)

    def make() -> VvtoolClient:
        return VvtoolClient(
            base_url="http://vv.test",
            token_url="/api/proxy/oauth/token",
            client_id="acct",
            client_secret=SECRET,
            shop_id="880001",
            transport=httpx.MockTransport(handler),
            rate_per_second=None,
        )

    return make


@anyio
async def test_both_layers_ok_is_success() -> None:
    body = envelope(0, {"result": 1, "error_msg": "success", "data": SUCCESS_DATA})
    async with canned(body)() as client:
        result = await client.create_item(item_request())
    assert result.kwai_item_id == 234225423
    assert result.sku_id_mapping[0].kwai_sku_id == 1232141
    assert client.total_charged == 4


@anyio
async def test_outer_ok_inner_failure_is_a_kuaishou_error_with_fields_verbatim() -> None:
    inner = {
        "result": 22,
        "error_msg": "商品来源不可售卖",
        "sub_code": "ITEM_CATEGORY",
        "sub_msg": "类目未开通",
    }
    async with canned(envelope(0, inner))() as client:
        with pytest.raises(VvtoolKuaishouError) as caught:
            await client.create_item(item_request())
    error = caught.value
    assert (error.result, error.error_msg, error.sub_code, error.sub_msg) == (
        22,
        "商品来源不可售卖",
        "ITEM_CATEGORY",
        "类目未开通",
    )
    assert error.code == 0 and not error.retryable
    assert type(error.kuaishou).__name__ == "KuaishouCategoryError"


@pytest.mark.parametrize(
    ("inner", "expected", "retryable"),
    [
        (
            {"result": 27, "error_msg": "exceed quota limit: 每天最多新增500个商品，超过请勿重试"},
            VvtoolKuaishouQuotaError,
            False,
        ),
        (
            {"result": 28, "error_msg": "Exceed qps limit, KEY [appkey:vv] MAX_QPS 50"},
            VvtoolKuaishouThrottledError,
            True,
        ),
        ({"result": 29, "error_msg": "relItemId已存在"}, VvtoolKuaishouDuplicateError, False),
        ({"result": 99, "error_msg": "系统错误"}, VvtoolKuaishouError, True),
        ({"result": 98, "error_msg": "something new"}, VvtoolKuaishouError, False),
    ],
)
@anyio
async def test_inner_failures_are_classified_like_kuaishou(
    inner: dict[str, Any], expected: type[VvtoolError], retryable: bool
) -> None:
    async with canned(envelope(0, inner))() as client:
        with pytest.raises(expected) as caught:
            await client.create_item(item_request())
    assert type(caught.value) is expected
    assert caught.value.retryable is retryable


@pytest.mark.parametrize(
    ("code", "expected", "retryable"),
    [
        (100, VvtoolParamsError, False),
        (101, VvtoolTimeoutError, True),
        (200, VvtoolSystemError, True),
        (203, VvtoolUnsupportedError, False),
        (204, VvtoolAbnormalError, False),
        (302, VvtoolShopNotAuthorizedError, False),
        (103, VvtoolError, False),
    ],
)
@anyio
async def test_outer_failure_is_an_error_even_if_data_looks_fine(
    code: int, expected: type[VvtoolError], retryable: bool
) -> None:
    # A failing outer code wins even over an inner "result: 1".
    body = envelope(code, {"result": 1, "data": SUCCESS_DATA}, msg="请求异常")
    async with canned(body)() as client:
        with pytest.raises(expected) as caught:
            await client.create_item(item_request())
    assert type(caught.value) is expected
    assert caught.value.code == code
    assert caught.value.retryable is retryable
    assert caught.value.withholding_money == 4
    assert client.total_charged == 4


@anyio
async def test_http_5xx_and_non_json_are_system_errors() -> None:
    async with canned({"oops": True}, status=502)() as client:
        with pytest.raises(VvtoolSystemError):
            await client.create_item(item_request())


@anyio
async def test_code_zero_without_inner_envelope_is_not_success() -> None:
    async with canned(envelope(0, None))() as client:
        with pytest.raises(VvtoolSystemError, match="without Kuaishou's envelope"):
            await client.create_item(item_request())


@anyio
async def test_secrets_echoed_by_the_vendor_are_masked() -> None:
    echo = f"bad token {TOKEN} for client_secret={SECRET}"
    make = canned(envelope(100, msg=echo))
    async with make() as client:
        with pytest.raises(VvtoolParamsError) as outer:
            await client.create_item(item_request())
    inner_echo = envelope(0, {"result": 24, "error_msg": echo, "sub_msg": f"Bearer {TOKEN}"})
    async with canned(inner_echo)() as client:
        with pytest.raises(VvtoolKuaishouError) as inner:
            await client.create_item(item_request())
    for error in (outer.value, inner.value):
        text = " ".join(str(v) for v in (error, error.msg, getattr(error, "sub_msg", "")))
        assert TOKEN not in text and SECRET not in text
        assert "***" in str(error)


@anyio
async def test_token_endpoint_failure_does_not_leak_the_secret() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client", "echo": SECRET})

    async with VvtoolClient(
        base_url="http://vv.test",
        client_id="acct",
        client_secret=SECRET,
        shop_id="880001",
        transport=httpx.MockTransport(handler),
        rate_per_second=None,
    ) as client:
        with pytest.raises(VvtoolAuthError) as caught:
            await client.create_item(item_request())
    assert SECRET not in str(caught.value)
