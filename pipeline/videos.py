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
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from connectors.fetch import FetchError, fetch_bytes
from connectors.http import PlatformError
from connectors.kuaishou.video import MAX_VIDEO_BYTES
from connectors.platforms import HttpClient
from listings.migrations import Migration, PublishBackend
from pipeline.clients import Platforms
from pipeline.results import Breakdown, StageResult
from store.warehouse import Warehouse

__all__ = ["VVTOOL_NO_VIDEO", "VideoOutcome", "VideoUploader", "host_item_videos", "host_videos"]


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


async def host_videos(
    urls: Iterable[str],
    *,
    shop_key: str,
    fetch_client: HttpClient,
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
                data = await fetch_bytes(fetch_client, url, max_bytes=max_bytes, what="video")
            except FetchError as exc:
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


# --- the item-video stage -------------------------------------------------------------------------

VVTOOL_NO_VIDEO = (
    "vv-tool's ks-item-new takes only itemVideoId, a Kuaishou short-video id, and offers no "
    "material upload: a source video cannot reach the item through vv-tool (decision 31)"
)


async def _host(
    migration: Migration, urls: list[str], *, warehouse: Warehouse, platforms: Platforms
) -> VideoOutcome:
    async with (
        platforms.kuaishou(migration, warehouse=warehouse) as client,
        platforms.media_fetcher() as fetcher,
    ):
        return await host_videos(
            urls,
            shop_key=migration.kuaishou_shop_key,
            fetch_client=fetcher,
            kuaishou=client,
            warehouse=warehouse,
        )


def host_item_videos(
    migration: Migration, *, warehouse: Warehouse, platforms: Platforms
) -> StageResult:
    """Each draft's source video as a Kuaishou material, into `item_videos` (hosted, failed with
    its reason, or skipped where the backend takes no video)."""
    wanted = warehouse.query(
        "SELECT source_item_id, draft ->> 'video_url' AS url FROM kuaishou_drafts "
        "WHERE migration = ? AND (draft ->> 'video_url') IS NOT NULL ORDER BY source_item_id",
        [migration.key],
    )
    skipped = migration.target.backend is not PublishBackend.KUAISHOU
    outcome = (
        VideoOutcome()
        if skipped or not wanted
        else asyncio.run(
            _host(migration, [r["url"] for r in wanted], warehouse=warehouse, platforms=platforms)
        )
    )
    rows = []
    for row in wanted:
        url = row["url"]
        video_id = outcome.video_ids.get(url)
        rows.append(
            {
                "migration": migration.key,
                "source_item_id": row["source_item_id"],
                "source_url": url,
                "sha256": outcome.sha256.get(url),
                "video_id": video_id,
                "status": "skipped" if skipped else ("hosted" if video_id else "failed"),
                "detail": VVTOOL_NO_VIDEO if skipped else outcome.failures.get(url),
            }
        )
    warehouse.replace_partition("item_videos", migration=migration.key, rows=rows)
    statuses = Counter(str(r["status"]) for r in rows)
    failed = [r for r in rows if r["status"] == "failed"]
    return StageResult(
        figures={
            "items_with_source_video": len(rows),
            "hosted": statuses.get("hosted", 0),
            "uploaded": outcome.uploaded,
            "cache_hits": outcome.cache_hits,
            "failed": statuses.get("failed", 0),
            "skipped": statuses.get("skipped", 0),
            **({"skipped_reason": VVTOOL_NO_VIDEO} if skipped and rows else {}),
        },
        breakdowns={
            "failed_by_reason": Breakdown(
                "reason", Counter(str(r["detail"]).split(":", 1)[0] for r in failed)
            )
        },
        preview=[
            {k: r[k] for k in ("source_item_id", "status", "video_id", "detail")}
            for r in (failed or rows)
        ],
        row_count=len(rows),
    )
