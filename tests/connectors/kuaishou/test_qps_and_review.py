"""The emulator's QPS limits (100/s per app, 50/s per merchant, hidden per-method throttles) and
its review rules, seen through the client, in-process.

The sandbox clock is stopped, so "one second" is exactly what a test says it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from connectors.kuaishou import AuditStatus, ItemNewParam, KuaishouClient, KuaishouThrottledError
from listings.china_time import CHINA_TZ
from sandbox.credentials import KUAISHOU_SELLER_ID
from sandbox.kuaishou_open import (
    KuaishouSandbox,
    build_kuaishou_app,
    reject_title_keywords,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)
LEAF = 90011

MakeClient = Callable[..., KuaishouClient]
MakeParam = Callable[..., ItemNewParam]
anyio = pytest.mark.anyio


class AdvanceOnThrottle(httpx.AsyncBaseTransport):
    """Moves the sandbox clock 1 s after each throttled answer: a client backoff, instantly."""

    def __init__(self, sandbox: KuaishouSandbox) -> None:
        self._sandbox = sandbox
        self._inner = httpx.ASGITransport(app=build_kuaishou_app(sandbox))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        await response.aread()
        if b"Exceed qps limit" in response.content:
            self._sandbox.advance(timedelta(seconds=1))
        return response


@pytest.fixture
def frozen(sandbox: KuaishouSandbox) -> KuaishouSandbox:
    sandbox.now = lambda: T0
    return sandbox


@pytest.fixture
def three_merchants() -> KuaishouSandbox:
    state = KuaishouSandbox(tokens={f"token-{n}": 880000 + n for n in (1, 2, 3)})
    state.now = lambda: T0
    return state


def calls_of(sandbox: KuaishouSandbox, method: str) -> int:
    return sum(1 for called, _ in sandbox.calls if called == method)


async def spend(kuaishou: KuaishouClient, requests: int) -> None:
    for _ in range(requests):
        await kuaishou.category_config(LEAF)


# --- QPS -----------------------------------------------------------------------------------------


def test_the_documented_limits_are_on_by_default() -> None:
    state = KuaishouSandbox()
    assert (state.app_qps, state.user_qps, state.hidden_qps) == (100, 50, {})


@anyio
async def test_a_merchant_over_50_requests_per_second_is_throttled(
    frozen: KuaishouSandbox, client_for: MakeClient
) -> None:
    async with client_for() as kuaishou:
        await spend(kuaishou, 50)
        with pytest.raises(KuaishouThrottledError, match="MAX_QPS 50") as caught:
            await kuaishou.category_config(LEAF)
    assert caught.value.retryable is True
    assert f"primaryUserId:{KUAISHOU_SELLER_ID}" in str(caught.value)


@anyio
async def test_the_window_slides_with_the_emulator_clock(
    frozen: KuaishouSandbox, client_for: MakeClient
) -> None:
    async with client_for() as kuaishou:
        await spend(kuaishou, 50)
        frozen.advance(timedelta(seconds=1))
        await spend(kuaishou, 50)


@anyio
async def test_an_app_over_100_requests_per_second_is_throttled(
    three_merchants: KuaishouSandbox,
) -> None:
    def client(token: str) -> KuaishouClient:
        return KuaishouClient(
            base_url="http://kuaishou.sandbox",
            app_key=three_merchants.app_key,
            sign_secret=three_merchants.sign_secret,
            access_token=token,
            transport=httpx.ASGITransport(app=build_kuaishou_app(three_merchants)),
        )

    async with client("token-1") as first, client("token-2") as second, client("token-3") as third:
        await spend(first, 50)
        await spend(second, 50)
        with pytest.raises(KuaishouThrottledError, match="MAX_QPS 100"):
            await third.category_config(LEAF)


@anyio
async def test_a_throttled_read_is_retried(frozen: KuaishouSandbox, client_for: MakeClient) -> None:
    async with client_for(transport=AdvanceOnThrottle(frozen)) as kuaishou:
        await spend(kuaishou, 50)
        config = await kuaishou.category_config(LEAF)
    assert config.category_config.refund_rule_list
    assert calls_of(frozen, "open.item.category.config") == 52  # 50, one throttled, its retry


@anyio
async def test_a_throttled_create_is_not_retried(
    frozen: KuaishouSandbox, client_for: MakeClient, make_param: MakeParam, kwai_urls: list[str]
) -> None:
    async with client_for(transport=AdvanceOnThrottle(frozen)) as kuaishou:
        frozen.advance(timedelta(seconds=1))  # a fresh window after the fixture's uploads
        await spend(kuaishou, 50)
        with pytest.raises(KuaishouThrottledError):
            await kuaishou.create_item(make_param(kwai_urls))
    assert calls_of(frozen, "open.item.new") == 1
    assert frozen.items == {}


@anyio
async def test_a_hidden_per_method_throttle_bites_below_the_merchant_limit(
    frozen: KuaishouSandbox, client_for: MakeClient
) -> None:
    frozen.hidden_qps = {"open.item.category.config": 3}
    async with client_for() as kuaishou:
        await spend(kuaishou, 3)
        with pytest.raises(KuaishouThrottledError, match="MAX_QPS hidden"):
            await kuaishou.category_config(LEAF)
        await kuaishou.categories()  # other methods are not affected
        frozen.advance(timedelta(seconds=1))
        await kuaishou.category_config(LEAF)


# --- review --------------------------------------------------------------------------------------


async def reviewed(kuaishou: KuaishouClient, kwai_item_id: int) -> tuple[int | None, str | None]:
    """The review outcome: the first get shows the pending item and triggers the review."""
    pending = await kuaishou.get_item(kwai_item_id)
    assert pending.audit_status == AuditStatus.PENDING
    item = await kuaishou.get_item(kwai_item_id)
    return item.audit_status, item.audit_reason


@anyio
async def test_an_item_hitting_a_review_rule_is_rejected_with_its_reason(
    client: KuaishouClient, sandbox: KuaishouSandbox, make_param: MakeParam, kwai_urls: list[str]
) -> None:
    sandbox.review_rules = [reject_title_keywords("最", "第一")]
    created = await client.create_item(make_param(kwai_urls, title="全网最舒服的纯棉T恤"))
    assert await reviewed(client, created.kwai_item_id) == (
        AuditStatus.REJECTED,
        "标题含违禁词: 最",
    )


@anyio
async def test_an_item_hitting_no_rule_is_approved(
    client: KuaishouClient, sandbox: KuaishouSandbox, make_param: MakeParam, kwai_urls: list[str]
) -> None:
    sandbox.review_rules = [reject_title_keywords("最", "第一")]
    created = await client.create_item(make_param(kwai_urls))
    assert await reviewed(client, created.kwai_item_id) == (AuditStatus.APPROVED, "")


@anyio
async def test_any_callable_can_be_a_review_rule(
    client: KuaishouClient, sandbox: KuaishouSandbox, make_param: MakeParam, kwai_urls: list[str]
) -> None:
    def needs_three_images(param: dict[str, Any]) -> str | None:
        return "主图少于3张" if len(param["imageUrls"]) < 3 else None

    sandbox.review_rules = [needs_three_images]
    created = await client.create_item(make_param(kwai_urls))
    assert await reviewed(client, created.kwai_item_id) == (AuditStatus.REJECTED, "主图少于3张")
