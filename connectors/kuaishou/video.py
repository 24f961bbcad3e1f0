"""Item video (商品视频) rules shared by the client and the sandbox (kuaishou-api.md §4).

A merchant's own video reaches an item in four steps: issue an upload token, upload the file,
verify the token (which gives a materialId), and read the material's detail (which gives the
videoId). The item then carries `itemVideo{videoId, videoType: 1}`. The rules below live in one
module so the client can refuse a file before it spends a token, and the sandbox refuses the same
file and the same `itemVideo`. The functions return `Violation`s, like `rules.violations`.

What the reference does not state (the size cap, the accepted container) is marked [I]: the
sandbox accepts an MP4 (an ISO base media file, with an `ftyp` box at offset 4) up to a
configurable size that defaults to `MAX_VIDEO_BYTES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from connectors.kuaishou.rules import Violation

__all__ = [
    "MATERIAL_UPLOAD_TYPE_VIDEO",
    "MAX_VIDEO_BYTES",
    "VIDEO_TYPE_MATERIAL",
    "VIDEO_TYPE_SHORT_VIDEO",
    "VideoCheck",
    "item_video_violations",
    "looks_like_mp4",
    "video_file_violations",
]

MATERIAL_UPLOAD_TYPE_VIDEO = 1  # [C] materialUploadType 1 = 商品视频
VIDEO_TYPE_MATERIAL = 1  # [C] itemVideo.videoType 1 = a locally uploaded video (material)
VIDEO_TYPE_SHORT_VIDEO = 2  # [C] itemVideo.videoType 2 = a Kuaishou short video (open.photo.*)
MAX_VIDEO_BYTES = 100 * 1024 * 1024  # [I] the sandbox default; the real cap is not documented

VideoCheck = Callable[[str], bool]


def looks_like_mp4(data: bytes) -> bool:
    """True when the bytes start like an MP4/MOV file: a box size, then the `ftyp` box type."""
    return len(data) >= 12 and data[4:8] == b"ftyp"


def video_file_violations(data: bytes, *, max_bytes: int | None = None) -> list[Violation]:
    """What is wrong with a video file before it is uploaded, or `[]`.

    `max_bytes=None` skips the size check: the client leaves the cap to the platform, which
    checks `fileLength` when it issues the token.
    """
    found: list[Violation] = []
    if not data:
        found.append(Violation("file", "is empty: upload the video's bytes"))
    elif not looks_like_mp4(data):
        found.append(
            Violation("file", "is not an MP4 (no ftyp box at offset 4): convert it to .mp4 first")
        )
    if max_bytes is not None and len(data) > max_bytes:
        found.append(
            Violation(
                "file", f"has {len(data)} bytes, at most {max_bytes} are allowed: compress it"
            )
        )
    return found


def item_video_violations(
    param: BaseModel | Mapping[str, Any],
    *,
    is_own_video: VideoCheck | None = None,
    is_short_video: VideoCheck | None = None,
) -> list[Violation]:
    """Every rule the `itemVideo` of an item param breaks, or `[]` (also when there is none).

    `is_own_video` adds the check that a videoType 1 id is a material this merchant uploaded;
    `is_short_video` the check that a videoType 2 id is one of its published short videos.
    """
    if isinstance(param, BaseModel):
        data: Any = param.model_dump(by_alias=True, exclude_none=True, mode="json")
    else:
        data = param
    video = data.get("itemVideo") if isinstance(data, Mapping) else None
    if video is None:
        return []
    if not isinstance(video, Mapping):
        return [Violation("itemVideo", "must be an object {videoId, videoType}")]
    video_id, video_type = video.get("videoId"), video.get("videoType")
    found: list[Violation] = []
    if not isinstance(video_id, str) or not video_id:
        found.append(
            Violation(
                "itemVideo.videoId",
                "required: a videoId as a string (open.item.material.detail.get gives it)",
            )
        )
    if video_type not in (VIDEO_TYPE_MATERIAL, VIDEO_TYPE_SHORT_VIDEO) or isinstance(
        video_type, bool
    ):
        found.append(
            Violation(
                "itemVideo.videoType",
                f"must be 1 (uploaded material) or 2 (Kuaishou short video), got {video_type!r}",
            )
        )
    elif isinstance(video_id, str) and video_id:
        if video_type == VIDEO_TYPE_MATERIAL and is_own_video and not is_own_video(video_id):
            found.append(
                Violation(
                    "itemVideo.videoId",
                    f"{video_id} is not a video material this merchant uploaded: upload it with "
                    "open.item.material.upload.token.issue/verify first",
                )
            )
        if video_type == VIDEO_TYPE_SHORT_VIDEO and is_short_video and not is_short_video(video_id):
            found.append(
                Violation(
                    "itemVideo.videoId",
                    f"{video_id} is not a Kuaishou short video this merchant published",
                )
            )
    return found
