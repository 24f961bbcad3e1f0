"""Source videos hosted on the Kuaishou sandbox as item-video materials, each once per shop.

Real MP4s come from the Taobao emulator's video route; broken (404) and Flash videos come from the
same catalog rules. Everything goes over HTTP through the whole sandbox app.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from connectors.kuaishou import KuaishouClient
from pipeline.videos import VideoOutcome, host_videos
from sandbox.app import Sandbox, build_sandbox_app
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
)
from sandbox.videos import video_file
from store.warehouse import Warehouse

ORIGIN = "https://sandbox.local"


def _video_url(*, kind: str, start: int = 10**11) -> str:
    """A Taobao emulator video URL whose id makes it `kind`: mp4, broken or flv."""
    for video_id in range(start, start + 64):
        name = video_file(video_id)
        if (kind == "broken") == ("broken" in name) and name.endswith(
            ".flv" if kind == "flv" else ".mp4"
        ):
            return f"{ORIGIN}/taobao/video/{name}"
    raise AssertionError(kind)


GOOD = _video_url(kind="mp4")
OTHER_GOOD = _video_url(kind="mp4", start=10**11 + 100)


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "w.duckdb")


def _host(
    sandbox: Sandbox, warehouse: Warehouse, urls: list[str], *, shop_key: str = "shop-a"
) -> VideoOutcome:
    transport = httpx.ASGITransport(app=build_sandbox_app(sandbox))

    async def run() -> VideoOutcome:
        async with (
            KuaishouClient(
                base_url=f"{ORIGIN}/kuaishou",
                app_key=KUAISHOU_APP_KEY,
                sign_secret=KUAISHOU_SIGN_SECRET,
                access_token=KUAISHOU_ACCESS_TOKEN,
                transport=transport,
            ) as kuaishou,
            httpx.AsyncClient(transport=transport) as fetcher,
        ):
            return await host_videos(
                urls,
                shop_key=shop_key,
                fetch_client=fetcher,
                kuaishou=kuaishou,
                warehouse=warehouse,
            )

    return asyncio.run(run())


def test_a_source_mp4_becomes_a_material_of_the_merchant(
    sandbox: Sandbox, warehouse: Warehouse
) -> None:
    outcome = _host(sandbox, warehouse, [GOOD])
    video_id = outcome.video_ids[GOOD]
    assert outcome.uploaded == 1 and not outcome.failures
    materials = list(sandbox.kuaishou.materials.materials.values())
    assert [m.video_id for m in materials] == [video_id]
    assert materials[0].sha256 == outcome.sha256[GOOD]


def test_a_second_run_uploads_nothing_and_reuses_the_cached_video_id(
    sandbox: Sandbox, warehouse: Warehouse
) -> None:
    first = _host(sandbox, warehouse, [GOOD, OTHER_GOOD])
    tokens_before = len(sandbox.kuaishou.materials.tickets)
    second = _host(sandbox, warehouse, [GOOD, OTHER_GOOD])
    assert (second.uploaded, second.cache_hits) == (0, 2)
    assert second.video_ids == first.video_ids
    assert len(sandbox.kuaishou.materials.tickets) == tokens_before  # not even a token issued


def test_the_same_video_under_two_urls_is_uploaded_once(
    sandbox: Sandbox, warehouse: Warehouse
) -> None:
    twin = GOOD.replace(f"{ORIGIN}/taobao/video/", f"{ORIGIN}/pinduoduo/video/")
    outcome = _host(sandbox, warehouse, [GOOD, twin])
    assert outcome.uploaded == 1 and outcome.cache_hits == 1
    assert outcome.video_ids[GOOD] == outcome.video_ids[twin]


def test_another_shop_uploads_its_own_copy_because_a_material_belongs_to_one_merchant(
    sandbox: Sandbox, warehouse: Warehouse
) -> None:
    _host(sandbox, warehouse, [GOOD], shop_key="shop-a")
    other = _host(sandbox, warehouse, [GOOD], shop_key="shop-b")
    assert other.uploaded == 1


def test_a_video_gone_from_the_source_is_a_counted_failure_not_an_error(
    sandbox: Sandbox, warehouse: Warehouse
) -> None:
    broken = _video_url(kind="broken")
    outcome = _host(sandbox, warehouse, [broken, GOOD])
    assert outcome.failures == {broken: "fetch failed: HTTP 404"}
    assert GOOD in outcome.video_ids


def test_a_flash_video_is_refused_before_any_material_call(
    sandbox: Sandbox, warehouse: Warehouse
) -> None:
    flv = _video_url(kind="flv")
    outcome = _host(sandbox, warehouse, [flv])
    assert outcome.failures[flv].startswith("upload refused: ")
    assert "not an MP4" in outcome.failures[flv]
    assert not sandbox.kuaishou.materials.tickets


def test_a_video_over_the_cap_is_cut_off_while_it_downloads(
    sandbox: Sandbox, warehouse: Warehouse
) -> None:
    transport = httpx.ASGITransport(app=build_sandbox_app(sandbox))

    async def run() -> VideoOutcome:
        async with httpx.AsyncClient(transport=transport) as fetcher:
            return await host_videos(
                [GOOD],
                shop_key="shop-a",
                fetch_client=fetcher,
                kuaishou=_NeverCalled(),
                warehouse=warehouse,
                max_bytes=1000,
            )

    outcome = asyncio.run(run())
    assert outcome.failures[GOOD] == "video is over 1000 bytes: compress it on the source"


class _NeverCalled:
    async def upload_item_video(self, data: bytes, *, file_name: str) -> str:
        raise AssertionError("an oversize video must not be uploaded")
