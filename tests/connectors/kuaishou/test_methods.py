"""Each Kuaishou method goes out with its documented HTTP method and content type.

The table: docs/kuaishou-methods.md and connectors/kuaishou/methods.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from connectors.kuaishou import KuaishouClient
from connectors.kuaishou.methods import FORM, METHODS, MULTIPART
from connectors.kuaishou.models import (
    AutopassSkuDTO,
    ItemAutopassEditParam,
    ItemEditParam,
    StockChangeType,
    SupplyItem,
    SupplyItemSeller,
)
from sandbox.credentials import KUAISHOU_ACCESS_TOKEN, KUAISHOU_APP_KEY, KUAISHOU_SIGN_SECRET
from sandbox.kuaishou_open import KuaishouSandbox, build_kuaishou_app
from tests.connectors.kuaishou.conftest import BASE_URL, item_param, png_bytes
from tests.connectors.kuaishou.test_item_video import mp4_bytes

anyio = pytest.mark.anyio
DOC = Path(__file__).resolve().parents[3] / "docs" / "kuaishou-methods.md"


class Recording(httpx.AsyncBaseTransport):
    """The sandbox, keeping (kuaishou method, HTTP method, content type, query, body) per request."""

    def __init__(self, sandbox: KuaishouSandbox) -> None:
        self.inner = httpx.ASGITransport(app=build_kuaishou_app(sandbox))
        self.seen: dict[str, httpx.Request] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.seen[request.url.path.strip("/").replace("/", ".")] = request
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def recorded() -> dict[str, httpx.Request]:
    """Every request of a publish-and-report flow through banjia's client, by method."""
    sandbox = KuaishouSandbox()
    wire = Recording(sandbox)
    async with KuaishouClient(
        base_url=BASE_URL,
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        transport=wire,
    ) as client:
        await client.categories()
        await client.category_config(90011)
        red = await client.upload_image(png_bytes((200, 30, 30)))
        blue = await client.upload_image(png_bytes((30, 30, 200)))
        param = item_param([red.kwai_img_url, blue.kwai_img_url])
        created = await client.create_item(param)
        await client.get_item(created.kwai_item_id)  # reviewed: approved, so editable
        await client.find_item_by_rel_item_id(param.rel_item_id)
        await client.edit_item(ItemEditParam(item_id=created.kwai_item_id, title="新款纯棉T恤"))
        sku_id = created.sku_id_mapping[0].kwai_sku_id
        await client.autopass_edit(
            ItemAutopassEditParam(
                item_id=created.kwai_item_id,
                sku_list=[
                    AutopassSkuDTO(
                        sku_id=sku_id,
                        sku_stock_change_type=StockChangeType.ADD,
                        sku_change_stock=1,
                    )
                ],
            )
        )
        await client.upload_item_video(mp4_bytes(), file_name="tshirt.mp4")
        await client.suggest_categories(title="纯棉T恤", image_urls=[red.kwai_img_url])
        await client.sync_supply_item(
            SupplyItem(
                scene=2,
                item_id="623917802188",
                kwai_item_id=created.kwai_item_id,
                origin_item_url="https://item.taobao.com/item.htm?id=623917802188",
                seller=SupplyItemSeller(platform=3, platform_name="淘宝"),
            )
        )
        await client.set_shelf_status(created.kwai_item_id, on_shelf=False)  # batch undo
    return wire.seen


FLOW_METHODS = sorted(METHODS)  # every method banjia's client calls


@anyio
@pytest.mark.parametrize("method", FLOW_METHODS)
async def test_the_client_sends_each_method_as_documented(
    recorded: dict[str, httpx.Request], method: str
) -> None:
    request = recorded[method]
    spec = METHODS[method]
    assert request.method == spec.http_method
    if spec.http_method == "GET":
        assert request.content == b""
        assert "sign" in dict(request.url.params)
    else:
        kind = request.headers["content-type"].split(";")[0]
        assert kind == (MULTIPART if spec.content_type == MULTIPART else FORM)


def test_the_doc_table_lists_every_method_of_the_code_table_as_the_code_does() -> None:
    rows = re.findall(r"^\| (open\.[\w.]+) \| (GET|POST) \| ([\w/-]+)", DOC.read_text(), re.M)
    documented = {name: (http, kind) for name, http, kind in rows}
    assert documented == {
        name: (spec.http_method, spec.content_type) for name, spec in METHODS.items()
    }


@anyio
async def test_the_client_reads_the_shelf_state_of_open_item_get() -> None:
    sandbox = KuaishouSandbox()
    async with KuaishouClient(
        base_url=BASE_URL,
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        transport=httpx.ASGITransport(app=build_kuaishou_app(sandbox)),
    ) as client:
        red = await client.upload_image(png_bytes((200, 30, 30)))
        blue = await client.upload_image(png_bytes((30, 30, 200)))
        created = await client.create_item(item_param([red.kwai_img_url, blue.kwai_img_url]))
        pending = await client.get_item(created.kwai_item_id)
        approved = await client.get_item(created.kwai_item_id)
    assert (pending.on_offline_status, pending.offline_reason) == (0, "审核中")
    assert (approved.on_offline_status, approved.offline_reason) == (1, "")


@anyio
async def test_a_deeply_nested_answer_is_a_typed_error_not_a_recursion_error() -> None:
    from connectors.kuaishou import KuaishouError

    def deep(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b'{"result":1,"data":' + b"[" * 5000 + b"]" * 5000 + b"}"
        )

    async with KuaishouClient(
        base_url=BASE_URL,
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        transport=httpx.MockTransport(deep),
        read_attempts=1,
    ) as client:
        with pytest.raises(KuaishouError, match="without a JSON envelope"):
            await client.categories()


@anyio
async def test_the_access_token_of_a_get_never_reaches_httpx_request_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"result": 1, "data": []})

    caplog.set_level("INFO", logger="httpx")
    async with KuaishouClient(
        base_url=BASE_URL,
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        transport=httpx.MockTransport(answer),
    ) as client:
        await client.categories()
    lines = [record.getMessage() for record in caplog.records if record.name == "httpx"]
    assert any("GET" in line and "/open/item/category" in line for line in lines)
    assert not any(KUAISHOU_ACCESS_TOKEN in line for line in lines)
