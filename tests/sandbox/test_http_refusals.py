"""Every emulator refuses a malformed request in its platform's envelope, never with a 5xx.

The envelopes: TOP and PDD `{"error_response": {...}}`, 1688 `{"error_code", "error_message"}`,
Kuaishou `{"result" != 1, "error_msg"}`, vv-tool `{"code" != 0, "msg"}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.sandbox import wire

anyio = pytest.mark.anyio

ELEVEN_MB = b"a" * (11 * 1024 * 1024)


def is_top(body: Any) -> bool:
    return isinstance(body, dict) and {"code", "msg"} <= set(body.get("error_response", {}))


def is_pdd(body: Any) -> bool:
    inner = body.get("error_response", {}) if isinstance(body, dict) else {}
    return {"error_code", "error_msg"} <= set(inner)


def is_aop(body: Any) -> bool:
    return isinstance(body, dict) and {"error_code", "error_message"} <= set(body)


def is_kuaishou(body: Any) -> bool:
    return isinstance(body, dict) and body.get("result") not in (None, 1) and "error_msg" in body


def is_vvtool(body: Any) -> bool:
    return isinstance(body, dict) and body.get("code") not in (None, 0) and "msg" in body


GATEWAYS: list[tuple[str, str, Callable[[Any], bool]]] = [
    ("taobao", "/taobao/router/rest", is_top),
    ("pinduoduo", "/pinduoduo/api/router", is_pdd),
    (
        "alibaba1688",
        "/alibaba1688/openapi/param2/1/com.alibaba.product/alibaba.product.get/8868001",
        is_aop,
    ),
    ("kuaishou", "/kuaishou/open/item/new", is_kuaishou),
    ("vvtool", "/vvtool/tool/erps/ks-item-new", is_vvtool),
]
IDS = [name for name, _, _ in GATEWAYS]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@anyio
@pytest.mark.parametrize(("name", "path", "is_envelope"), GATEWAYS, ids=IDS)
async def test_an_unsupported_http_method_gets_the_platform_envelope(
    name: str, path: str, is_envelope: Callable[[Any], bool]
) -> None:
    async with wire.client() as http:
        response = await http.request("PATCH", path)
    assert response.status_code < 500
    assert is_envelope(response.json())


@anyio
@pytest.mark.parametrize(("name", "path", "is_envelope"), GATEWAYS, ids=IDS)
async def test_an_unknown_path_gets_the_platform_envelope(
    name: str, path: str, is_envelope: Callable[[Any], bool]
) -> None:
    prefix = path.split("/")[1]
    async with wire.client() as http:
        response = await http.post(f"/{prefix}/no/such/api")
    assert response.status_code < 500
    assert is_envelope(response.json())


@anyio
@pytest.mark.parametrize(("name", "path", "is_envelope"), GATEWAYS, ids=IDS)
async def test_a_body_over_10_mb_is_refused_in_the_platform_envelope(
    name: str, path: str, is_envelope: Callable[[Any], bool]
) -> None:
    async with wire.client() as http:
        response = await http.post(
            path, content=ELEVEN_MB, headers={"content-type": "application/x-www-form-urlencoded"}
        )
    assert response.status_code < 500
    assert is_envelope(response.json())
    assert "10485760" in response.text


@anyio
async def test_a_streamed_body_over_the_cap_is_refused_without_a_content_length() -> None:
    async def chunks() -> Any:
        for _ in range(11):
            yield b"a" * (1024 * 1024)

    async with wire.client() as http:
        response = await http.post("/pinduoduo/api/router", content=chunks())
    assert is_pdd(response.json())


@anyio
async def test_deep_json_in_a_signed_kuaishou_param_is_a_param_error() -> None:
    async with wire.client() as http:
        form = wire.kuaishou_form("open.item.new", wire.nested(5000))
        response = await http.post("/kuaishou/open/item/new", data=form)
    body = response.json()
    assert (response.status_code, body["result"]) == (200, 10)
    assert "deeper than 64" in body["sub_msg"]


@anyio
async def test_deep_json_in_a_signed_1688_status_list_is_a_param_error() -> None:
    async with wire.client() as http:
        path, form = wire.aop_request(
            "alibaba.product.list.get", pageNo="1", pageSize="10", statusList=wire.nested(5000)
        )
        response = await http.post(path, data=form)
    assert response.status_code == 400
    assert response.json()["error_code"] == "gw.ParamInvalid"
    assert "deeper than 64" in response.json()["error_message"]


@anyio
async def test_deep_json_in_a_vvtool_body_is_a_parameter_error() -> None:
    async with wire.client() as http:
        token = await wire.vvtool_token(http)
        response = await http.post(
            "/vvtool/tool/erps/ks-item-new",
            content=wire.nested(5000),
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
    assert response.json()["code"] == 100
    assert "deeper than 64" in response.json()["msg"]


@anyio
async def test_a_missing_source_image_is_still_a_plain_404() -> None:
    async with wire.client() as http:
        response = await http.get("/taobao/img/broken.jpg")
    assert (response.status_code, response.text) == (404, "404 Not Found")


@anyio
async def test_a_handler_that_fails_answers_the_system_error_envelope_not_a_500(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sandbox.kuaishou_open import KuaishouSandbox

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the emulator")

    monkeypatch.setattr(KuaishouSandbox, "handle", broken)
    async with wire.client() as http:
        form = wire.kuaishou_form("open.item.category", "{}")
        response = await http.post("/kuaishou/open/item/category", data=form)
    assert response.status_code == 200
    assert is_kuaishou(response.json())
    assert response.json()["sub_code"] == "INTERNAL"


@anyio
async def test_an_injected_5xx_fault_still_answers_500() -> None:
    from sandbox.app import Sandbox, build_sandbox_app

    state = Sandbox()
    state.kuaishou.fail_next("open.item.category", "5xx")
    import httpx

    transport = httpx.ASGITransport(app=build_sandbox_app(state))
    async with httpx.AsyncClient(transport=transport, base_url=wire.BASE) as http:
        form = wire.kuaishou_form("open.item.category", "{}")
        response = await http.post("/kuaishou/open/item/category", data=form)
    assert response.status_code == 500


@anyio
async def test_the_item_video_upload_host_takes_bodies_over_10_mb() -> None:
    async with wire.client() as http:
        response = await http.post(
            "/kuaishou/material/upload?token=unknown",
            files={"file": ("v.mp4", b"\0" * (12 * 1024 * 1024), "video/mp4")},
        )
    body = response.json()
    assert is_kuaishou(body)
    assert body.get("sub_code") != "TOO_LARGE"  # the upload handler answered, not the guard
