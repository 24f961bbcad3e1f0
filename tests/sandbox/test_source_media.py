"""The source emulators serve the media a real shop has: short real MP4 videos, videos that are gone
or in a format Kuaishou refuses, and unresized originals over Kuaishou's 2 MB, over HTTP."""

from __future__ import annotations

import asyncio
import io

import av
import httpx
import pytest
from PIL import Image

from sandbox.app import Sandbox, build_sandbox_app
from sandbox.taobao_images import OVERSIZE_BYTES, render_image
from sandbox.videos import video_file

ORIGIN = "https://sandbox.local"


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox()


class Http:
    """GETs against the whole sandbox app, in-process through httpx's ASGI transport."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._app = build_sandbox_app(sandbox)

    def get(self, url: str) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self._app)
            async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
                return await client.get(url)

        return asyncio.run(fetch())


@pytest.fixture(scope="module")
def http(sandbox: Sandbox) -> Http:
    return Http(sandbox)


def _video_urls(sandbox: Sandbox) -> dict[str, list[str]]:
    taobao = sandbox.taobao.catalog("demo-taobao-shop", base_url=ORIGIN)
    pdd = sandbox.pinduoduo.catalog("demo-pdd-shop", base_url=ORIGIN)
    alibaba = sandbox.alibaba1688.catalog("demo-1688-supplier", image_base=f"{ORIGIN}/alibaba1688/")
    return {
        "taobao": [v["url"] for item in taobao for v in item.get("videos", {}).get("video", [])],
        "pinduoduo": [v["video_url"] for g in pdd for v in g.detail["video_gallery"]],
        "alibaba1688": [o["mainVedio"] for o in alibaba if o.get("mainVedio")],
    }


def _main_image_urls(sandbox: Sandbox) -> dict[str, list[str]]:
    taobao = sandbox.taobao.catalog("demo-taobao-shop", base_url=ORIGIN)
    pdd = sandbox.pinduoduo.catalog("demo-pdd-shop", base_url=ORIGIN)
    alibaba = sandbox.alibaba1688.catalog("demo-1688-supplier", image_base=f"{ORIGIN}/alibaba1688/")
    return {
        "taobao": [i["url"] for item in taobao for i in item["item_imgs"]["item_img"]],
        "pinduoduo": [u for g in pdd for u in g.detail.get("carousel_gallery_list", [])],
        "alibaba1688": [
            f"{ORIGIN}/alibaba1688/{path}" for o in alibaba for path in o["image"]["images"]
        ],
    }


PLATFORMS = ["taobao", "pinduoduo", "alibaba1688"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_catalog_video_is_a_real_one_second_h264_mp4(
    platform: str, sandbox: Sandbox, http: Http
) -> None:
    url = next(
        u for u in _video_urls(sandbox)[platform] if u.endswith(".mp4") and "broken" not in u
    )
    response = http.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    with av.open(io.BytesIO(response.content)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = sum(1 for _ in container.decode(stream))
    assert frames == 8 and len(response.content) < 100_000
    assert http.get(url).content == response.content  # same URL, same bytes


@pytest.mark.parametrize("platform", PLATFORMS)
def test_some_catalog_videos_are_gone_and_answer_404(
    platform: str, sandbox: Sandbox, http: Http
) -> None:
    broken = [u for u in _video_urls(sandbox)[platform] if "-broken" in u]
    assert broken
    assert http.get(broken[0]).status_code == 404


def test_a_flash_video_is_served_as_flv_not_mp4(http: Http) -> None:
    video_id = next(i for i in range(10**11, 10**11 + 64) if video_file(i).endswith(".flv"))
    response = http.get(f"/taobao/video/{video_file(video_id)}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/x-flv"
    assert response.content[:3] == b"FLV" and response.content[4:8] != b"ftyp"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_catalog_has_some_unresized_main_images_over_2_mb(
    platform: str, sandbox: Sandbox, http: Http
) -> None:
    urls = _main_image_urls(sandbox)[platform]
    big = [u for u in urls if "_big" in u]
    assert 0 < len(big) < 0.1 * len(urls)
    response = http.get(big[0])
    assert response.status_code == 200
    assert len(response.content) > OVERSIZE_BYTES
    with Image.open(io.BytesIO(response.content)) as image:
        assert (image.format, image.size) == ("JPEG", (2000, 2000))


def test_an_ordinary_catalog_image_stays_far_under_the_limit() -> None:
    assert len(render_image("tee-600000000001-m0.jpg")) < 100_000
