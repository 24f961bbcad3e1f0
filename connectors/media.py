"""Re-hosting source images on Kuaishou, each distinct image uploaded once.

Kuaishou accepts only its own image URLs in items, so every source image is fetched, hashed and uploaded
with `open.item.image.upload`. The warehouse's `media_cache` maps content hash → Kuaishou URL, so a re-run
or a second migration of the same goods uploads nothing again. A broken image is counted, never fatal.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

from connectors.http import PlatformError
from connectors.publisher import Publisher, supports_image_upload
from connectors.warehouse import Warehouse

__all__ = ["MediaOutcome", "normalize_image_url", "rehost_images"]

MAX_IMAGE_BYTES = 2 * 1024 * 1024


@dataclass
class FetchedImage:
    url: str
    data: bytes | None
    error: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data or b"").hexdigest()


@dataclass
class MediaOutcome:
    """Source URL → Kuaishou URL for every image that made it, and why the others did not."""

    kwai_urls: dict[str, str] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    uploaded: int = 0
    cache_hits: int = 0


def normalize_image_url(url: str) -> str:
    """Protocol-relative URLs get https; anything else is left as the source gave it."""
    url = url.strip()
    return f"https:{url}" if url.startswith("//") else url


async def _fetch(client: httpx.AsyncClient, url: str, limit: asyncio.Semaphore) -> FetchedImage:
    async with limit:
        try:
            response = await client.get(normalize_image_url(url))
        except httpx.HTTPError as exc:
            return FetchedImage(url, None, f"fetch failed: {type(exc).__name__}")
    if response.status_code != 200:
        return FetchedImage(url, None, f"fetch failed: HTTP {response.status_code}")
    if len(response.content) > MAX_IMAGE_BYTES:
        return FetchedImage(url, None, f"image is {len(response.content)} bytes, over 2 MB")
    return FetchedImage(url, response.content)


async def rehost_images(
    urls: Iterable[str],
    *,
    fetch_client: httpx.AsyncClient,
    kuaishou: Publisher,
    warehouse: Warehouse,
    concurrency: int = 8,
) -> MediaOutcome:
    """Fetch every URL (bounded concurrency), upload what the cache lacks, return the URL map.

    A backend that takes public URLs instead of uploads (vv-tool) gets each image's https URL once
    the fetch proved it is there; an image with no https URL cannot go that route and is a failure.
    """
    outcome = MediaOutcome()
    uploads = supports_image_upload(kuaishou)
    limit = asyncio.Semaphore(concurrency)
    unique = list(dict.fromkeys(urls))
    fetched = await asyncio.gather(*(_fetch(fetch_client, url, limit) for url in unique))
    good = [image for image in fetched if image.data is not None]
    for image in fetched:
        if image.error:
            outcome.failures[image.url] = image.error
    cached = warehouse.cached_media(image.sha256 for image in good)
    for image in good:
        outcome.sha256[image.url] = image.sha256
        if not uploads:
            public = normalize_image_url(image.url)
            if public.startswith("https://"):
                outcome.kwai_urls[image.url] = public
            else:
                outcome.failures[image.url] = "not an https URL: this backend takes https only"
            continue
        if image.sha256 in cached:
            outcome.kwai_urls[image.url] = cached[image.sha256]
            outcome.cache_hits += 1
            continue
        try:
            result = await kuaishou.upload_image(image.data or b"", filename=f"{image.sha256}.jpg")
        except PlatformError as exc:
            outcome.failures[image.url] = f"upload rejected: {exc}"
            continue
        warehouse.cache_media(
            sha256=image.sha256, kwai_url=result.kwai_img_url, byte_size=len(image.data or b"")
        )
        cached[image.sha256] = result.kwai_img_url
        outcome.kwai_urls[image.url] = result.kwai_img_url
        outcome.uploaded += 1
    return outcome
