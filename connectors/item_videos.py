"""Source item videos hosted on Kuaishou as materials, each distinct video uploaded once per shop.

Kuaishou ranks publishing apps by the share of items with a video, and an item carries one as
`itemVideo{videoId, videoType: 1}` after the material flow (token → upload → verify → detail,
`KuaishouClient.upload_item_video`). Each source video is fetched (bounded concurrency, streamed
under a byte cap), hashed, and looked up in the warehouse's `video_cache` by (target shop, sha256):
a material belongs to the merchant who uploaded it, so a videoId is reused only for the same shop
(decision 30). A video that cannot be fetched or that Kuaishou refuses is a failure with its reason,
never an exception: the item is published without it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from connectors.http import PlatformError
from connectors.kuaishou.video import MAX_VIDEO_BYTES
from connectors.warehouse import Warehouse

__all__ = ["VideoOutcome", "VideoUploader", "host_videos"]


class VideoUploader(Protocol):
    """What hosting needs of the platform: `KuaishouClient.upload_item_video`."""

    async def upload_item_video(self, data: bytes, *, file_name: str) -> str: ...


@dataclass
class VideoOutcome:
    """Source URL → videoId for every video that made it, and why the others did not."""

    video_ids: dict[str, str] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    uploaded: int = 0
    cache_hits: int = 0


class _FetchError(Exception):
    pass


async def _fetch(client: httpx.AsyncClient, url: str, *, max_bytes: int) -> bytes:
    """The video's bytes, read as a stream so an oversize file is cut off at `max_bytes`."""
    try:
        async with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise _FetchError(f"fetch failed: HTTP {response.status_code}")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _FetchError(f"video is over {max_bytes} bytes: compress it on the source")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise _FetchError(f"fetch failed: {type(exc).__name__}") from None
    return b"".join(chunks)


async def host_videos(
    urls: Iterable[str],
    *,
    shop_key: str,
    fetch_client: httpx.AsyncClient,
    kuaishou: VideoUploader,
    warehouse: Warehouse,
    concurrency: int = 4,
    max_bytes: int = MAX_VIDEO_BYTES,
) -> VideoOutcome:
    """Fetch every URL, upload what `video_cache` lacks for `shop_key`, return the URL map.

    At most `concurrency` videos are in memory at once. Two URLs with the same bytes upload once:
    the second waits for the first under a per-hash lock and then finds it cached.
    """
    outcome = VideoOutcome()
    limit = asyncio.Semaphore(concurrency)
    locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
    known: dict[str, str] = {}

    async def one(url: str) -> None:
        async with limit:
            try:
                data = await _fetch(fetch_client, url, max_bytes=max_bytes)
            except _FetchError as exc:
                outcome.failures[url] = str(exc)
                return
            digest = hashlib.sha256(data).hexdigest()
            outcome.sha256[url] = digest
            async with locks[digest]:
                if digest not in known:
                    known.update(warehouse.cached_videos(shop_key=shop_key, sha256s=[digest]))
                if digest in known:
                    outcome.video_ids[url] = known[digest]
                    outcome.cache_hits += 1
                    return
                try:
                    video_id = await kuaishou.upload_item_video(data, file_name=f"{digest}.mp4")
                except PlatformError as exc:
                    outcome.failures[url] = f"upload refused: {exc}"
                    return
                warehouse.cache_video(
                    shop_key=shop_key, sha256=digest, video_id=video_id, byte_size=len(data)
                )
                known[digest] = video_id
                outcome.video_ids[url] = video_id
                outcome.uploaded += 1

    await asyncio.gather(*(one(url) for url in dict.fromkeys(urls)))
    return outcome
