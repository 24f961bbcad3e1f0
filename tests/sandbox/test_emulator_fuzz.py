"""No input makes an emulator answer 5xx or something other than its JSON envelope.

Property-based: random HTTP methods, content types and bodies on every gateway path, and, past
authentication, signed requests whose business params are random JSON, on every method each
emulator serves. Example counts are bounded so the suite stays quick on a shared machine.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.app import Sandbox, build_sandbox_app
from sandbox.kuaishou_open import KuaishouSandbox
from tests.sandbox import wire

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

PATHS = [
    "/taobao/router/rest",
    "/pinduoduo/api/router",
    "/alibaba1688/openapi/param2/1/com.alibaba.product/alibaba.product.get/8868001",
    "/kuaishou/open/item/new",
    "/kuaishou/open/item/image/upload",
    "/kuaishou/oauth2/access_token",
    "/kuaishou/oauth2/refresh_token",
    "/kuaishou/material/upload",
    "/kuaishou/open/item/get",
    "/vvtool/tool/erps/ks-item-new",
    "/vvtool/api/proxy/oauth/token",
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "application/json",
    "text/plain",
    "",
    "application/x-www-form-urlencoded; charset=latin-1",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)

KUAISHOU_KEYS = [
    "kwaiItemId",
    "relItemId",
    "categoryId",
    "item",
    "imgUrl",
    "uploadType",
    "pageNumber",
    "pageSize",
    "title",
    "skuList",
    "serviceRule",
    "imageUrls",
    "itemId",
    "token",
    "materialUploadType",
    "materialId",
    "itemTitle",
]
kuaishou_params = st.dictionaries(
    st.sampled_from(KUAISHOU_KEYS) | st.text(max_size=8), json_values, max_size=6
)


def fuzz_sandbox() -> Sandbox:
    """All five emulators with the rate limits off, so every example reaches the handlers."""
    state = Sandbox(kuaishou=KuaishouSandbox())
    state.kuaishou.app_qps = state.kuaishou.user_qps = None
    state.vvtool.rate_limit = 10**9
    return state


APP = build_sandbox_app(fuzz_sandbox())


def exchange(request: httpx.Request) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url=wire.BASE) as http:
            return await http.send(request)

    return asyncio.run(send())


def assert_envelope(response: httpx.Response) -> Any:
    """A platform answer: below 500, JSON, and not the guard's net for a handler that crashed."""
    assert response.status_code < 500, response.text[:300]
    assert "could not be processed" not in response.text, response.text[:300]
    return response.json()


@FUZZ
@given(
    path=st.sampled_from(PATHS),
    verb=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    content_type=st.sampled_from(CONTENT_TYPES),
    body=st.binary(max_size=400),
)
def test_raw_requests_get_an_envelope(path: str, verb: str, content_type: str, body: bytes) -> None:
    headers = {"content-type": content_type} if content_type else {}
    request = httpx.Request(verb, wire.BASE + path, content=body, headers=headers)
    response = exchange(request)
    if verb in ("GET", "POST") and "/oauth2/" in path:  # OAuth answers in its own shape
        assert response.status_code < 500
        return
    assert_envelope(response)


@FUZZ
@given(
    method=st.sampled_from(
        [
            "open.item.new",
            "open.item.edit",
            "open.item.autopass.edit",
            "open.item.get",
            "open.item.list.get",
            "open.item.category",
            "open.item.category.config",
            "open.item.category.suggested.get",
            "open.item.image.upload",
            "open.supply.item.sync",
            "open.item.material.upload.token.issue",
            "open.item.material.upload.token.verify",
            "open.item.material.detail.get",
        ]
    ),
    param=kuaishou_params,
    as_get=st.booleans(),
)
def test_signed_kuaishou_calls_with_any_param_get_an_envelope(
    method: str, param: dict[str, Any], as_get: bool
) -> None:
    form = wire.kuaishou_form(method, json.dumps(param, ensure_ascii=False))
    path = wire.BASE + "/kuaishou/" + method.replace(".", "/")
    if as_get:
        request = httpx.Request("GET", path, params=form)
    elif method == "open.item.image.upload":
        files = {"imgBytes": ("a.png", json.dumps(param).encode(), "image/png")}
        request = httpx.Request("POST", path, data=form, files=files)
    else:
        request = httpx.Request("POST", path, data=form)
    body = assert_envelope(exchange(request))
    assert isinstance(body.get("result"), int)


source_values = st.text(max_size=40) | st.integers().map(str) | json_values.map(json.dumps)


@FUZZ
@given(
    method=st.sampled_from(
        [
            "taobao.items.onsale.get",
            "taobao.items.inventory.get",
            "taobao.item.seller.get",
            "taobao.items.seller.list.get",
        ]
    ),
    business=st.dictionaries(
        st.sampled_from(["fields", "num_iid", "num_iids", "page_no", "page_size", "order_by"]),
        source_values,
        max_size=5,
    ),
)
def test_signed_top_calls_with_any_params_get_an_envelope(
    method: str, business: dict[str, str]
) -> None:
    request = httpx.Request(
        "POST", wire.BASE + "/taobao/router/rest", data=wire.top_form(method, **business)
    )
    body = assert_envelope(exchange(request))
    assert isinstance(body, dict)


@FUZZ
@given(
    type_=st.sampled_from(["pdd.goods.list.get", "pdd.goods.detail.get"]),
    business=st.dictionaries(
        st.sampled_from(["goods_id", "page", "page_size", "created_at_from", "created_at_end"]),
        source_values,
        max_size=5,
    ),
)
def test_signed_pdd_calls_with_any_params_get_an_envelope(
    type_: str, business: dict[str, str]
) -> None:
    request = httpx.Request(
        "POST", wire.BASE + "/pinduoduo/api/router", data=wire.pdd_form(type_, **business)
    )
    body = assert_envelope(exchange(request))
    assert isinstance(body, dict)


@FUZZ
@given(
    api=st.sampled_from(
        ["alibaba.product.list.get", "alibaba.product.get", "alibaba.cross.productInfo"]
    ),
    business=st.dictionaries(
        st.sampled_from(
            ["productID", "productId", "pageNo", "pageSize", "statusList", "orderByCondition"]
        ),
        source_values,
        max_size=5,
    ),
)
def test_signed_1688_calls_with_any_params_get_an_envelope(
    api: str, business: dict[str, str]
) -> None:
    path, form = wire.aop_request(api, **business)
    body = assert_envelope(exchange(httpx.Request("POST", wire.BASE + path, data=form)))
    assert isinstance(body, dict)


@FUZZ
@given(
    endpoint=st.sampled_from(["ks-item-new", "ks-open-item"]),
    body=st.dictionaries(
        st.sampled_from(["shop_id", "vvtype", "param", "item_id", "title"]) | st.text(max_size=6),
        json_values,
        max_size=5,
    ),
)
def test_authorized_vvtool_calls_with_any_body_get_an_envelope(
    endpoint: str, body: dict[str, Any]
) -> None:
    async def token() -> str:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=APP), base_url=wire.BASE
        ) as http:
            return await wire.vvtool_token(http)

    bearer = asyncio.run(token())
    request = httpx.Request(
        "POST",
        f"{wire.BASE}/vvtool/tool/erps/{endpoint}",
        content=json.dumps(body).encode(),
        headers={"authorization": f"Bearer {bearer}", "content-type": "application/json"},
    )
    answer = assert_envelope(exchange(request))
    assert isinstance(answer.get("code"), int)
