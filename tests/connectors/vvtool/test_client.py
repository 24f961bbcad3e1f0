"""The vv-tool client against the strict sandbox, in-process over `httpx.ASGITransport`.

Token flow and re-issue, money (every call billed, failures too), creates never retried, reads
retried, the sandbox's rules, quotas and 10 req/s limit, and the client's own limiter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from connectors.publisher import is_quota_exhausted
from connectors.vvtool import (
    DEFAULT_RATE_PER_SECOND,
    VvtoolAbnormalError,
    VvtoolAuthError,
    VvtoolClient,
    VvtoolError,
    VvtoolKuaishouDuplicateError,
    VvtoolKuaishouQuotaError,
    VvtoolKuaishouThrottledError,
    VvtoolRateLimitedError,
    VvtoolShopNotAuthorizedError,
    VvtoolSystemError,
    VvtoolTimeoutError,
    VvtoolValidationError,
)
from connectors.vvtool.rules import violations
from sandbox.vvtool import ITEM_NEW, OPEN_ITEM, VvtoolSandbox, build_vvtool_app
from sandbox.vvtool_credentials import (
    VVTOOL_CLIENT_ID,
    VVTOOL_CLIENT_SECRET,
    VVTOOL_SHOP_ID,
)
from tests.connectors.vvtool.conftest import BASE_URL, TOKEN_URL, item_request

anyio = pytest.mark.anyio
MakeClient = Callable[..., VvtoolClient]


def statuses(sandbox: VvtoolSandbox, path: str) -> list[int]:
    return [call.status for call in sandbox.calls_to(path)]


# --- the token ----------------------------------------------------------------------------------


@anyio
async def test_token_is_issued_once_and_reused(
    sandbox: VvtoolSandbox, client: VvtoolClient
) -> None:
    await client.create_item(item_request(rel_item_id=1))
    await client.get_item(next(iter(sandbox.items)))
    assert sandbox.tokens_issued == 1 == client.tokens_issued
    assert [call.client_id for call in sandbox.calls] == [VVTOOL_CLIENT_ID] * 2


@anyio
async def test_a_revoked_token_is_reissued_once_and_the_call_goes_through(
    sandbox: VvtoolSandbox, client: VvtoolClient
) -> None:
    await client.create_item(item_request(rel_item_id=1))
    sandbox.revoke_tokens()
    created = await client.create_item(item_request(rel_item_id=2))
    assert created.rel_item_id == 2
    assert sandbox.tokens_issued == 2
    # The refused call was not processed, so resending the create was safe: one item each.
    assert statuses(sandbox, ITEM_NEW) == [200, 401, 200]
    assert sorted(item.rel_item_id for item in sandbox.items.values()) == [1, 2]


@anyio
async def test_a_token_expired_on_the_server_is_reissued(
    sandbox: VvtoolSandbox, client: VvtoolClient
) -> None:
    await client.create_item(item_request(rel_item_id=1))
    sandbox.expire_tokens()
    await client.create_item(item_request(rel_item_id=2))
    assert sandbox.tokens_issued == 2
    assert statuses(sandbox, ITEM_NEW) == [200, 401, 200]


@anyio
async def test_the_client_renews_its_token_before_it_expires(
    sandbox: VvtoolSandbox, client_for: MakeClient
) -> None:
    now = [1000.0]
    async with client_for(clock=lambda: now[0]) as client:
        await client.create_item(item_request(rel_item_id=1))
        now[0] += sandbox.token_ttl_s  # past expires_in on the client's clock
        await client.create_item(item_request(rel_item_id=2))
    assert sandbox.tokens_issued == 2
    assert statuses(sandbox, ITEM_NEW) == [200, 200]  # renewed proactively, never refused


@anyio
async def test_wrong_credentials_fail_clearly_without_the_secret(
    sandbox: VvtoolSandbox, client_for: MakeClient
) -> None:
    async with client_for(client_secret="wrong-accesskey-123") as client:
        with pytest.raises(VvtoolAuthError) as caught:
            await client.create_item(item_request())
    assert "wrong-accesskey-123" not in str(caught.value)
    assert VVTOOL_CLIENT_SECRET not in str(caught.value)
    assert sandbox.calls == []  # nothing reached the API


@anyio
async def test_a_second_refusal_is_an_auth_error_not_a_loop() -> None:
    requests: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        if request.url.path.endswith("/oauth/token"):
            return httpx.Response(200, json={"access_token": f"t{len(requests)}", "expires_in": 60})
        return httpx.Response(401, json={"code": 401, "msg": "Unauthenticated"})

    async with VvtoolClient(
        base_url=BASE_URL,
        client_id=VVTOOL_CLIENT_ID,
        client_secret=VVTOOL_CLIENT_SECRET,
        shop_id=VVTOOL_SHOP_ID,
        transport=httpx.MockTransport(handler),
        rate_per_second=None,
    ) as client:
        with pytest.raises(VvtoolAuthError):
            await client.create_item(item_request())
    assert [p.rsplit("/", 1)[-1] for p in requests] == ["token", "ks-item-new"] * 2


@anyio
async def test_every_call_carries_the_bearer_token(sandbox: VvtoolSandbox) -> None:
    seen: list[httpx.Request] = []
    inner = httpx.ASGITransport(app=build_vvtool_app(sandbox))

    class Spy(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            await request.aread()
            seen.append(request)
            return await inner.handle_async_request(request)

    async with VvtoolClient(
        base_url=BASE_URL,
        token_url=TOKEN_URL,
        client_id=VVTOOL_CLIENT_ID,
        client_secret=VVTOOL_CLIENT_SECRET,
        shop_id=VVTOOL_SHOP_ID,
        transport=Spy(),
        rate_per_second=None,
    ) as client:
        await client.create_item(item_request())
        await client.find_item_by_rel_item_id(7_000_001)
    token_request, *api_requests = seen
    # Multipart form-data, as vv-tool's samples (curl --form) send it.
    assert token_request.headers["content-type"].startswith("multipart/form-data")
    assert b"client_credentials" in token_request.content
    assert "authorization" not in token_request.headers
    assert len(api_requests) == 2
    assert all(r.headers["authorization"].startswith("Bearer ") for r in api_requests)


# --- money --------------------------------------------------------------------------------------


@anyio
async def test_charges_are_summed_including_failures(
    sandbox: VvtoolSandbox, client: VvtoolClient
) -> None:
    await client.create_item(item_request(rel_item_id=1))  # ok
    with pytest.raises(VvtoolKuaishouDuplicateError):
        await client.create_item(item_request(rel_item_id=1))  # Kuaishou refuses: billed
    sandbox.fail_next("ks-item-new", "timeout")
    with pytest.raises(VvtoolTimeoutError):
        await client.create_item(item_request(rel_item_id=2))  # vv-tool times out: billed
    with pytest.raises(VvtoolValidationError):
        await client.create_item(item_request(rel_item_id=3, title=""))  # never sent: free
    assert await client.find_item_by_rel_item_id(99) is None  # not found: billed
    assert client.total_charged == Decimal(16) == sandbox.charged
    assert [charge.ok for charge in client.charges] == [True, False, False, False]


@anyio
async def test_the_charge_per_call_is_the_vendors(client_for: MakeClient) -> None:
    sandbox = VvtoolSandbox(charge=Decimal("2.5"))
    transport = httpx.ASGITransport(app=build_vvtool_app(sandbox))
    async with client_for(transport=transport) as client:
        await client.create_item(item_request(rel_item_id=1))
        await client.create_item(item_request(rel_item_id=2))
    assert client.total_charged == Decimal(5)


@anyio
async def test_a_used_up_balance_is_code_204_and_not_billed(client_for: MakeClient) -> None:
    sandbox = VvtoolSandbox(balance=8)
    async with client_for(transport=httpx.ASGITransport(app=build_vvtool_app(sandbox))) as client:
        await client.create_item(item_request(rel_item_id=1))
        await client.create_item(item_request(rel_item_id=2))
        with pytest.raises(VvtoolAbnormalError) as caught:
            await client.create_item(item_request(rel_item_id=3))
    assert caught.value.code == 204 and not caught.value.retryable
    assert client.total_charged == 8 and sandbox.balance == 0


# --- creates are never retried; reads are -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("timeout", VvtoolTimeoutError),
        ("system", VvtoolSystemError),
        ("inner_throttle", VvtoolKuaishouThrottledError),
    ],
)
@anyio
async def test_a_create_is_never_retried(
    sandbox: VvtoolSandbox, client: VvtoolClient, kind: Any, expected: type[VvtoolError]
) -> None:
    sandbox.fail_next("/tool/erps/ks-item-new", kind, times=3)
    with pytest.raises(expected) as caught:
        await client.create_item(item_request())
    assert caught.value.retryable
    assert len(sandbox.calls_to(ITEM_NEW)) == 1
    assert sandbox.items == {}


@anyio
async def test_a_lost_create_is_found_by_rel_item_id_not_resent(
    sandbox: VvtoolSandbox, client: VvtoolClient
) -> None:
    sandbox.fail_next("ks-item-new", "timeout_after_create")
    with pytest.raises(VvtoolTimeoutError):
        await client.create_item(item_request(rel_item_id=42))
    found = await client.find_item_by_rel_item_id(42)
    assert found is not None and found.rel_item_id == 42
    assert [sku.rel_sku_id for sku in found.sku_infos] == [100, 101, 102, 103]
    with pytest.raises(VvtoolKuaishouDuplicateError):
        await client.create_item(item_request(rel_item_id=42))  # what a blind resend would get


@anyio
async def test_a_timeout_drops_the_token(sandbox: VvtoolSandbox, client: VvtoolClient) -> None:
    sandbox.fail_next("ks-item-new", "timeout")
    with pytest.raises(VvtoolTimeoutError):
        await client.create_item(item_request(rel_item_id=1))
    await client.create_item(item_request(rel_item_id=2))
    assert sandbox.tokens_issued == 2  # vv-tool: "persistent timeouts: regenerate the token"


@anyio
async def test_reads_are_retried_and_each_try_is_billed(
    sandbox: VvtoolSandbox, client: VvtoolClient
) -> None:
    created = await client.create_item(item_request())
    sandbox.fail_next("ks-open-item", "system")
    item = await client.get_item(created.kwai_item_id)
    assert item.item_id == created.kwai_item_id
    assert [call.code for call in sandbox.calls_to(OPEN_ITEM)] == [200, 0]
    assert client.total_charged == 12


# --- the sandbox's rules ------------------------------------------------------------------------


@anyio
async def test_validation_runs_before_sending(sandbox: VvtoolSandbox, client: VvtoolClient) -> None:
    request = item_request(details="长" * 301)
    with pytest.raises(VvtoolValidationError) as caught:
        await client.create_item(request)
    assert [v.field for v in caught.value.violations] == ["details"]
    assert sandbox.calls == [] and client.total_charged == 0


@anyio
async def test_the_sandbox_applies_the_same_rules(
    sandbox: VvtoolSandbox, client: VvtoolClient
) -> None:
    await client.create_item(item_request(rel_item_id=1))  # a token for the raw calls below
    body = item_request(rel_item_id=2).wire()
    del body["skuList"][3]  # 蓝色/L missing: not the full Cartesian product
    body["imageUrls"][1] = "http://img.example.com/plain-http.png"
    token = client._access_token
    transport = httpx.ASGITransport(app=build_vvtool_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as raw:
        answer = (
            await raw.post(ITEM_NEW, json=body, headers={"Authorization": f"Bearer {token}"})
        ).json()
    assert answer["code"] == 0 and answer["withholding_money"] == 4
    assert answer["data"]["result"] != 1
    expected = violations(body, category_config=sandbox.config_for(body["categoryId"]))
    assert {v.field for v in expected} == {"skuList", "imageUrls[1]"}
    assert answer["data"]["sub_msg"] == "; ".join(str(v) for v in expected)


@anyio
async def test_the_daily_quota_stops_creates(client_for: MakeClient) -> None:
    sandbox = VvtoolSandbox(daily_quota=2)
    async with client_for(transport=httpx.ASGITransport(app=build_vvtool_app(sandbox))) as client:
        for rel in (1, 2):
            await client.create_item(item_request(rel_item_id=rel))
        with pytest.raises(VvtoolKuaishouQuotaError) as caught:
            await client.create_item(item_request(rel_item_id=3))
    assert not caught.value.retryable and is_quota_exhausted(caught.value)
    assert sandbox.created_today(VVTOOL_SHOP_ID) == 2


@anyio
async def test_an_unauthorized_shop_is_code_302(
    sandbox: VvtoolSandbox, client_for: MakeClient
) -> None:
    async with client_for(shop_id="123456") as client:
        with pytest.raises(VvtoolShopNotAuthorizedError):
            await client.create_item(item_request())
    assert sandbox.charged == 0


@anyio
async def test_the_sandbox_requires_a_valid_bearer_token(sandbox: VvtoolSandbox) -> None:
    transport = httpx.ASGITransport(app=build_vvtool_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as raw:
        missing = await raw.post(ITEM_NEW, json=item_request().wire())
        unknown = await raw.post(
            ITEM_NEW, json=item_request().wire(), headers={"Authorization": "Bearer nope"}
        )
    for response in (missing, unknown):
        assert response.status_code == 401
        assert response.json()["code"] == 401 and response.json()["withholding_money"] == 0
    assert sandbox.items == {}


# --- 10 req/s -----------------------------------------------------------------------------------


@anyio
async def test_the_sandbox_enforces_10_per_second_per_endpoint() -> None:
    now = [0.0]
    sandbox = VvtoolSandbox(monotonic=lambda: now[0])
    transport = httpx.ASGITransport(app=build_vvtool_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as raw:
        form = {"grant_type": "client_credentials", "client_id": VVTOOL_CLIENT_ID}
        form["client_secret"] = VVTOOL_CLIENT_SECRET
        token = (await raw.post(TOKEN_URL, data=form)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        body = {"shop_id": VVTOOL_SHOP_ID, "relItemId": 1}

        async def codes(path: str, n: int) -> list[int]:
            return [
                (await raw.post(path, json=body, headers=headers)).json()["code"] for _ in range(n)
            ]

        first = await codes(OPEN_ITEM, 12)
        other_endpoint = await codes(ITEM_NEW, 1)
        now[0] += 1.0
        next_second = await codes(OPEN_ITEM, 1)
    assert first[:10] == [0] * 10 and first[10:] == [429, 429]
    assert other_endpoint == [0]  # the limit is per endpoint
    assert next_second == [0]
    assert sandbox.charged == 4 * 12  # throttled calls are not billed


@anyio
async def test_without_a_limiter_the_client_gets_throttled(client_for: MakeClient) -> None:
    async with client_for(rate_per_second=None) as client:
        results = await asyncio.gather(
            *(client.create_item(item_request(rel_item_id=r)) for r in range(1, 13)),
            return_exceptions=True,
        )
    throttled = [r for r in results if isinstance(r, VvtoolRateLimitedError)]
    assert len(throttled) == 2 and all(e.retryable for e in throttled)


@anyio
async def test_the_client_limiter_never_exceeds_10_in_any_second(sandbox: VvtoolSandbox) -> None:
    sent: list[float] = []
    inner = httpx.ASGITransport(app=build_vvtool_app(sandbox))

    class Clock(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(time.monotonic())
            return await inner.handle_async_request(request)

    async with VvtoolClient(
        base_url=BASE_URL,
        token_url=TOKEN_URL,
        client_id=VVTOOL_CLIENT_ID,
        client_secret=VVTOOL_CLIENT_SECRET,
        shop_id=VVTOOL_SHOP_ID,
        transport=Clock(),
    ) as client:
        results = await asyncio.gather(
            *(client.create_item(item_request(rel_item_id=r)) for r in range(1, 25))
        )
    assert DEFAULT_RATE_PER_SECOND == 10
    assert len(results) == 24 and len(sent) == 25  # the token request passes the limiter too
    busiest = max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent)
    assert busiest <= 10
    assert all(call.status == 200 for call in sandbox.calls)  # the sandbox throttled none


@anyio
async def test_the_emulator_works_mounted_under_a_prefix(sandbox: VvtoolSandbox) -> None:
    """How `sandbox.app` mounts it: `Mount("/vvtool", app=build_vvtool_app(...))`."""
    app = Starlette(routes=[Mount("/vvtool", app=build_vvtool_app(sandbox))])
    async with VvtoolClient(
        base_url="http://sandbox.local/vvtool",
        token_url="/api/proxy/oauth/token",
        client_id=VVTOOL_CLIENT_ID,
        client_secret=VVTOOL_CLIENT_SECRET,
        shop_id=VVTOOL_SHOP_ID,
        transport=httpx.ASGITransport(app=app),
        rate_per_second=None,
    ) as client:
        created = await client.create_item(item_request())
    assert created.kwai_item_id in sandbox.items and sandbox.tokens_issued == 1
