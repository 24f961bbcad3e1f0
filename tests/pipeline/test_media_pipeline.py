"""Re-hosting against the sandbox over HTTP: fetch, prepare, dedupe, cache, upload once.

The Taobao emulator serves generated JPEGs (`_wb` = white border, `_34` = 600×800, `broken` = 404);
the Kuaishou emulator checks every upload (png/jpeg, ≤ 2 MB) and logs every call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors.kuaishou import KuaishouClient
from listings.images import is_three_four
from pipeline import media
from pipeline.media import MediaOutcome, rehost_images
from sandbox.app import Sandbox, build_sandbox_app
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
)
from store.warehouse import Warehouse

IMG = "https://sandbox.local/taobao/img"
FOREIGN_CDN = "https://img.foreign-cdn.example"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
def transport(sandbox: Sandbox) -> httpx.AsyncBaseTransport:
    """The sandbox, plus a foreign CDN that answers 200 with an HTML error page (not an image)."""
    app = httpx.ASGITransport(app=build_sandbox_app(sandbox))
    foreign = httpx.MockTransport(
        lambda request: httpx.Response(200, html="<html><body>图片不存在</body></html>")
    )

    class Routed(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if str(request.url).startswith(FOREIGN_CDN):
                return await foreign.handle_async_request(request)
            return await app.handle_async_request(request)

    return Routed()


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "w.duckdb")


@pytest.fixture
def kuaishou(transport: httpx.AsyncBaseTransport) -> Iterator[KuaishouClient]:
    yield KuaishouClient(
        base_url="http://sandbox.local/kuaishou",
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        transport=transport,
    )


SHOP = "kuaishou-shop-a"


def rehost(
    urls: list[str],
    *,
    main: list[str],
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
    shop_key: str = SHOP,
) -> MediaOutcome:
    async def run() -> MediaOutcome:
        async with httpx.AsyncClient(transport=transport) as fetcher:
            return await rehost_images(
                urls,
                main_urls=main,
                fetch_client=fetcher,
                kuaishou=kuaishou,
                warehouse=warehouse,
                shop_key=shop_key,
            )

    return asyncio.run(run())


def uploads_sent(sandbox: Sandbox) -> int:
    return sum(1 for method, _ in sandbox.kuaishou.calls if method == "open.item.image.upload")


MAIN = [f"{IMG}/tee-101-m0_wb.jpg", f"{IMG}/tee-101-m1.jpg", f"{IMG}/tee-101-m2_34.jpg"]
DETAIL = [f"{IMG}/tee-101-d0_wb.jpg", f"{IMG}/tee-101-d1.jpg"]


def test_main_images_arrive_on_kuaishou_three_four_without_white_borders(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
) -> None:
    outcome = rehost(
        MAIN + DETAIL, main=MAIN, transport=transport, kuaishou=kuaishou, warehouse=warehouse
    )
    assert outcome.failures == {}
    assert set(outcome.kwai_urls) == set(MAIN + DETAIL)
    for url in MAIN:
        facts = outcome.facts[url]
        assert facts.role == "main" and facts.ratio_34 and not facts.white_border_left
        uploaded = sandbox.kuaishou.uploads[outcome.kwai_urls[url]]
        assert is_three_four(uploaded.width, uploaded.height)
        assert uploaded.upload_type == 1
    assert outcome.facts[MAIN[0]].trimmed and not outcome.facts[MAIN[1]].trimmed


def test_detail_images_are_trimmed_keep_their_ratio_and_go_up_as_detail_images(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
) -> None:
    outcome = rehost(DETAIL, main=[], transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    bordered = outcome.facts[DETAIL[0]]
    assert bordered.role == "detail" and bordered.trimmed and not bordered.white_border_left
    assert (bordered.width, bordered.height) == (640, 640)
    uploaded = sandbox.kuaishou.uploads[outcome.kwai_urls[DETAIL[0]]]
    assert uploaded.upload_type == 2 and (uploaded.width, uploaded.height) == (640, 640)


def test_the_bytes_uploaded_are_the_prepared_ones_the_cache_is_keyed_by(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
) -> None:
    outcome = rehost(MAIN, main=MAIN, transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    facts = outcome.facts[MAIN[0]]
    uploaded = sandbox.kuaishou.uploads[outcome.kwai_urls[MAIN[0]]]
    # 800×800 with an 80 px frame → 640×640 trimmed → 480×640 cropped around the tee.
    assert (facts.width, facts.height) == (uploaded.width, uploaded.height) == (480, 640)
    assert uploaded.sha256 == outcome.sha256[MAIN[0]]
    assert warehouse.cached_media(shop_key=SHOP, sha256s=[uploaded.sha256]) == {
        uploaded.sha256: uploaded.url
    }


def test_a_second_run_uploads_nothing_and_maps_every_url_the_same(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
) -> None:
    urls = MAIN + DETAIL
    first = rehost(urls, main=MAIN, transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    sent = uploads_sent(sandbox)
    assert first.uploaded == sent == len(urls)
    second = rehost(urls, main=MAIN, transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    assert uploads_sent(sandbox) == sent
    assert second.uploaded == 0 and second.cache_hits == len(urls)
    assert second.kwai_urls == first.kwai_urls
    assert second.facts == first.facts


def test_a_second_shop_gets_its_own_copy_of_each_image_once(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
) -> None:
    """A supplier distributed into two shops: each shop's items carry that shop's uploads."""
    urls = MAIN + DETAIL
    rehost(urls, main=MAIN, transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    sent = uploads_sent(sandbox)

    def into_shop_b() -> MediaOutcome:
        return rehost(
            urls,
            main=MAIN,
            transport=transport,
            kuaishou=kuaishou,
            warehouse=warehouse,
            shop_key="shop-b",
        )

    first = into_shop_b()
    assert first.uploaded == len(urls) and uploads_sent(sandbox) == 2 * sent
    again = into_shop_b()
    assert again.uploaded == 0 and uploads_sent(sandbox) == 2 * sent
    assert again.kwai_urls == first.kwai_urls


def test_a_second_run_does_not_prepare_the_same_source_bytes_again(
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rehost(MAIN, main=MAIN, transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    prepared: list[str] = []
    real = media._prepare
    monkeypatch.setattr(
        media, "_prepare", lambda data, role: prepared.append(role) or real(data, role)
    )
    again = rehost(MAIN, main=MAIN, transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    assert prepared == []
    assert set(again.kwai_urls) == set(MAIN)
    # The same bytes in another role are another image: that one is prepared.
    rehost(MAIN[:1], main=[], transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    assert prepared == ["detail"]


def test_the_same_picture_behind_two_urls_is_prepared_and_uploaded_once(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
) -> None:
    # The PDD emulator renders the same name to the same JPEG: identical bytes behind two URLs,
    # as when one supplier picture is listed on two platforms (or two CDN hosts).
    twin = "https://sandbox.local/pinduoduo/img/tee-101-m0_wb.jpg"
    urls = [MAIN[0], twin, MAIN[0]]
    outcome = rehost(urls, main=urls, transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    assert outcome.same_source_bytes == 1
    assert outcome.uploaded == uploads_sent(sandbox) == 1
    assert outcome.kwai_urls[MAIN[0]] == outcome.kwai_urls[twin]


def test_identical_prepared_bytes_are_uploaded_once(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
) -> None:
    # One 3:4 picture used as a main image and as a detail image elsewhere: untouched in both
    # roles, so both roles yield the same bytes.
    picture = f"{IMG}/dress-7-m0_34.jpg"
    detail_twin = "https://sandbox.local/pinduoduo/img/dress-7-m0_34.jpg"
    outcome = rehost(
        [picture, detail_twin],
        main=[picture],
        transport=transport,
        kuaishou=kuaishou,
        warehouse=warehouse,
    )
    assert outcome.facts[picture].role == "main" and outcome.facts[detail_twin].role == "detail"
    assert outcome.same_prepared_bytes == 1
    assert outcome.uploaded == uploads_sent(sandbox) == 1


def test_a_broken_image_is_counted_and_the_others_still_go_up(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport,
    kuaishou: KuaishouClient,
    warehouse: Warehouse,
) -> None:
    missing = f"{IMG}/tee-101-m3-broken.jpg"
    not_an_image = f"{FOREIGN_CDN}/tee-101-m4.jpg"
    urls = [*MAIN, missing, not_an_image]
    outcome = rehost(urls, main=urls, transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    assert outcome.failures[missing] == "fetch failed: HTTP 404"
    assert "not a readable image" in outcome.failures[not_an_image]
    assert set(outcome.kwai_urls) == set(MAIN)
    assert outcome.uploaded == 3


def test_a_protocol_relative_url_is_fetched_over_https(
    transport: httpx.AsyncBaseTransport, kuaishou: KuaishouClient, warehouse: Warehouse
) -> None:
    url = "//sandbox.local/taobao/img/mug-3-m0.jpg"
    outcome = rehost([url], main=[url], transport=transport, kuaishou=kuaishou, warehouse=warehouse)
    assert url in outcome.kwai_urls
