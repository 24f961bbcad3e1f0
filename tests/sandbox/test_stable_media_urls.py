"""The media URLs the source emulators hand out stay valid across restarts and ports: they name the
platforms' CDN hosts, never the sandbox's origin, and a restarted sandbox on another port serves
every one of them, through the media routes the pipeline's fetcher gets in sandbox mode."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from connectors.alibaba1688.parse import parse_product
from connectors.pinduoduo.parse import parse_goods
from connectors.platforms import (
    SANDBOX_MEDIA_ROUTES,
    Endpoints,
    EndpointsMode,
    media_fetcher,
)
from connectors.taobao.parse import parse_item
from listings.model import Listing
from sandbox.app import Sandbox
from sandbox.media_hosts import ALIBABA1688_IMAGE_BASE, PDD_MEDIA_ORIGIN, TAOBAO_MEDIA_ORIGIN
from tests.sandbox.restart import Running, running


def _media(listing: Listing) -> list[str]:
    skus = [spec.image_url for sku in listing.skus for spec in sku.specs if spec.image_url]
    video = [listing.video_url] if listing.video_url else []
    return [*listing.main_images, *listing.detail_images, *skus, *video]


def _listings(sandbox: Sandbox) -> Iterable[Listing]:
    """Every parseable listing of every demo shop, as the pipeline reads it from the payloads."""
    taobao = sandbox.taobao
    for shop in taobao.shop_sizes:
        for item in taobao.catalog(shop, base_url=TAOBAO_MEDIA_ORIGIN):
            try:
                yield parse_item(item, shop_id=shop, tmall="tmall" in shop)
            except Exception:
                continue  # what parsing refuses is never fetched
    pdd = sandbox.pinduoduo
    for shop in pdd.shop_sizes:
        for goods in pdd.catalog(shop, base_url=PDD_MEDIA_ORIGIN):
            try:
                yield parse_goods(goods.detail, shop_id=shop)
            except Exception:
                continue
    alibaba = sandbox.alibaba1688
    for shop in alibaba.shop_sizes:
        for offer in alibaba.catalog(shop, image_base=ALIBABA1688_IMAGE_BASE):
            try:
                yield parse_product(
                    offer, shop_id=shop, mode="move", image_base=ALIBABA1688_IMAGE_BASE
                )
            except Exception:
                continue


@pytest.fixture(scope="module")
def media_urls() -> list[str]:
    return sorted({url for listing in _listings(Sandbox()) for url in _media(listing)})


def test_every_source_media_url_names_a_cdn_host_the_sandbox_routes(media_urls: list[str]) -> None:
    routed = {host for host, _ in SANDBOX_MEDIA_ROUTES}
    hosts = {urlsplit(url).hostname for url in media_urls}
    assert len(media_urls) > 1000
    assert hosts <= routed, hosts - routed


def test_no_source_media_url_carries_a_port_or_a_loopback_address(media_urls: list[str]) -> None:
    assert not [u for u in media_urls if urlsplit(u).port or "127.0.0.1" in u or "localhost" in u]


def test_production_endpoints_route_no_media_host() -> None:
    production = Endpoints.for_mode(EndpointsMode.PRODUCTION, sandbox_url="http://127.0.0.1:1")
    assert production.media_routes == ()


def test_1688_relative_images_resolve_to_the_production_image_host_in_sandbox_mode() -> None:
    from connectors.alibaba1688.source import PRODUCTION_IMAGE_BASE

    sandbox = Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url="http://127.0.0.1:1")
    hosts = {host for host, _ in sandbox.media_routes}
    assert "cbu01.alicdn.com" in PRODUCTION_IMAGE_BASE and "cbu01.alicdn.com" in hosts


async def _fetch_all(life: Running, urls: list[str]) -> dict[str, tuple[int, str]]:
    """(status, sha256) of each URL, fetched as the pipeline fetches media in sandbox mode."""
    routes = Endpoints.for_mode(EndpointsMode.SANDBOX, sandbox_url=life.origin).media_routes
    out: dict[str, tuple[int, str]] = {}
    async with media_fetcher(transport=life.transport, routes=routes) as fetcher:
        for url in urls:
            response = await fetcher.get(url)
            out[url] = (response.status_code, hashlib.sha256(response.content).hexdigest())
    return out


def _sample(urls: list[str]) -> list[str]:
    """Every 15th URL and every deliberately broken one: all hosts, kinds and both outcomes,
    in a few seconds (rendering all ~6,600 twice would take minutes)."""
    return [u for i, u in enumerate(urls) if i % 15 == 0 or "broken" in u]


def test_a_restarted_sandbox_on_another_port_serves_every_media_url_it_handed_out(
    tmp_path: Path, media_urls: list[str]
) -> None:
    urls = _sample(media_urls)
    with running(tmp_path, port=41001) as life:
        before = asyncio.run(_fetch_all(life, urls))
    with running(tmp_path, port=41002) as life:
        after = asyncio.run(_fetch_all(life, urls))
    assert after == before
    failed = [u for u, (status, _) in after.items() if status != 200 and "broken" not in u]
    assert failed == []
    assert {urlsplit(u).hostname for u in urls} == {host for host, _ in SANDBOX_MEDIA_ROUTES}
    assert {status for u, (status, _) in after.items() if "broken" in u} == {404}
