"""`open.item.category.suggested.get` and its warehouse cache, against the strict sandbox.

The sandbox ranks the leaves of its tree by the characters they share with the title, accepts only
images it hosts, and counts every call against a per-merchant daily quota.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from connectors.kuaishou import (
    KuaishouClient,
    KuaishouQuotaExceededError,
    KuaishouValidationError,
)
from listings.china_time import CHINA_TZ
from pipeline.category_inputs import cached_suggestions
from sandbox.kuaishou_open import KuaishouSandbox
from store.suggestions import SuggestionCache
from store.warehouse import Warehouse

anyio = pytest.mark.anyio

MakeClient = Callable[..., KuaishouClient]
METHOD = "open.item.category.suggested.get"
TSHIRT_TITLE = "男士纯棉圆领T恤"


def calls_of(sandbox: KuaishouSandbox, method: str = METHOD) -> int:
    return sum(1 for called, _ in sandbox.calls if called == method)


@pytest.fixture
def cache(tmp_path: Path) -> SuggestionCache:
    return SuggestionCache(Warehouse(tmp_path / "warehouse.duckdb"))


@anyio
async def test_the_leaf_sharing_the_titles_characters_comes_first(
    client: KuaishouClient, kwai_urls: list[str]
) -> None:
    suggestions = await client.suggest_categories(title=TSHIRT_TITLE, image_urls=kwai_urls[:1])
    assert 1 <= len(suggestions) <= 3
    best = suggestions[0]
    assert (best.category_name_path, best.category_code_path) == (["男装", "T恤"], [90001, 90011])
    assert (best.category_id, best.open) == (90011, True)


@anyio
async def test_a_leaf_not_opened_for_the_merchant_is_marked_closed(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str]
) -> None:
    sandbox.suggestions.unopened.add(90011)
    suggestions = await client.suggest_categories(title=TSHIRT_TITLE, image_urls=kwai_urls)
    assert (suggestions[0].category_id, suggestions[0].open) == (90011, False)


@anyio
async def test_a_title_sharing_no_characters_gets_no_suggestion(
    client: KuaishouClient, kwai_urls: list[str]
) -> None:
    assert await client.suggest_categories(title="★☆", image_urls=kwai_urls) == []


@anyio
async def test_image_urls_not_hosted_by_kuaishou_are_rejected(
    client: KuaishouClient, kwai_urls: list[str]
) -> None:
    urls = [kwai_urls[0], "https://img.alicdn.com/imgextra/tshirt.jpg"]
    with pytest.raises(KuaishouValidationError, match=r"imageUrls\[1\].*not a Kuaishou image URL"):
        await client.suggest_categories(title=TSHIRT_TITLE, image_urls=urls)


@anyio
async def test_a_request_without_images_is_refused_before_sending(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    with pytest.raises(KuaishouValidationError, match="imageUrls: required"):
        await client.suggest_categories(title=TSHIRT_TITLE, image_urls=[])
    assert calls_of(sandbox) == 0


@anyio
async def test_an_exhausted_quota_raises_quota_exceeded_and_is_not_retried(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str]
) -> None:
    sandbox.suggestions.daily_quota = 1
    await client.suggest_categories(title=TSHIRT_TITLE, image_urls=kwai_urls)
    with pytest.raises(KuaishouQuotaExceededError, match=r"\[1017\] exceed quota limit") as caught:
        await client.suggest_categories(title=TSHIRT_TITLE, image_urls=kwai_urls)
    assert caught.value.retryable is False
    assert "primaryUserId:880001" in str(caught.value)
    assert calls_of(sandbox) == 2


@anyio
async def test_the_quota_is_counted_per_merchant_and_china_day(
    client: KuaishouClient,
    client_for: MakeClient,
    sandbox: KuaishouSandbox,
    kwai_urls: list[str],
) -> None:
    today = datetime(2025, 7, 25, 23, 30, tzinfo=CHINA_TZ)
    sandbox.now, sandbox.suggestions.daily_quota = (lambda: today), 1
    await client.suggest_categories(title=TSHIRT_TITLE, image_urls=kwai_urls)
    sandbox.tokens["sandbox-kuaishou-access-token-other"] = 880_002
    async with client_for(access_token="sandbox-kuaishou-access-token-other") as other:
        await other.suggest_categories(title=TSHIRT_TITLE, image_urls=kwai_urls)
    sandbox.now = lambda: today + timedelta(hours=1)
    await client.suggest_categories(title=TSHIRT_TITLE, image_urls=kwai_urls)
    assert sandbox.suggestions.used(880_001, today.date()) == 1


@anyio
async def test_the_cache_answers_a_repeated_request_without_calling_the_platform(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], cache: SuggestionCache
) -> None:
    key = {"seller_key": "ks:880001", "source_category_key": "taobao:50000671"}
    first = await cached_suggestions(client, cache, **key, title=TSHIRT_TITLE, image_urls=kwai_urls)
    second = await cached_suggestions(client, cache, **key, title="另一件T恤", image_urls=kwai_urls)
    assert second == first
    assert calls_of(sandbox) == 1


@anyio
async def test_the_cache_is_kept_per_seller_and_source_category(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], cache: SuggestionCache
) -> None:
    for seller, category in [("a", "taobao:1"), ("a", "taobao:2"), ("b", "taobao:1")]:
        await cached_suggestions(
            client,
            cache,
            seller_key=seller,
            source_category_key=category,
            title=TSHIRT_TITLE,
            image_urls=kwai_urls,
        )
    assert calls_of(sandbox) == 3


@anyio
async def test_the_cache_survives_a_new_warehouse_connection(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "warehouse.duckdb"
    key = {"seller_key": "ks:880001", "source_category_key": "pdd:1234"}
    await cached_suggestions(
        client, SuggestionCache(Warehouse(path)), **key, title=TSHIRT_TITLE, image_urls=kwai_urls
    )
    again = SuggestionCache(Warehouse(path)).get(**key)
    assert again is not None
    assert again[0].category_id == 90011


@anyio
async def test_an_empty_answer_is_cached_too(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], cache: SuggestionCache
) -> None:
    key = {"seller_key": "ks:880001", "source_category_key": "taobao:9"}
    for _ in range(2):
        assert await cached_suggestions(client, cache, **key, title="★", image_urls=kwai_urls) == []
    assert calls_of(sandbox) == 1


@anyio
async def test_a_quota_error_is_not_cached(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], cache: SuggestionCache
) -> None:
    key = {"seller_key": "ks:880001", "source_category_key": "taobao:50000671"}
    sandbox.suggestions.daily_quota = 0
    with pytest.raises(KuaishouQuotaExceededError):
        await cached_suggestions(client, cache, **key, title=TSHIRT_TITLE, image_urls=kwai_urls)
    assert cache.get(**key) is None
    sandbox.suggestions.daily_quota = 10
    assert await cached_suggestions(client, cache, **key, title=TSHIRT_TITLE, image_urls=kwai_urls)


@anyio
async def test_concurrent_requests_for_one_category_ask_the_platform_once(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], cache: SuggestionCache
) -> None:
    key = {"seller_key": "ks:880001", "source_category_key": "taobao:50000671"}
    answers = await asyncio.gather(
        *(
            cached_suggestions(client, cache, **key, title=TSHIRT_TITLE, image_urls=kwai_urls)
            for _ in range(3)
        )
    )
    assert answers[0] == answers[1] == answers[2]
    assert calls_of(sandbox) == 1
