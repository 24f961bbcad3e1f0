"""Short real item videos for the source emulators, and the ones that fail.

Taobao `videos`, PDD `video_gallery` and 1688 `mainVedio` point at files the sandbox serves, so the
item-video stage downloads real bytes and sends them through Kuaishou's material flow. Each file is
named after its video id (`video_file`), and the id decides what the seller's video really is:

- `<id>.mp4`: a real H.264 MP4 of one second (PyAV's bundled FFmpeg encodes it), a moving product
  blob at 240×320, a few KB; same id → same bytes;
- `<id>-broken.mp4` (about 1 in 8): a 404, as when the CDN has dropped a video;
- `<id>.flv` (about 1 in 16): a Flash video, which Kuaishou's material upload refuses (not MP4).
"""

from __future__ import annotations

import hashlib
import io
from fractions import Fraction
from functools import lru_cache

import av
from PIL import Image, ImageDraw
from starlette.responses import PlainTextResponse, Response

__all__ = ["render_video", "video_file", "video_response"]

_WIDTH, _HEIGHT, _FPS, _SECONDS = 240, 320, 8, 1
_FLV_HEADER = b"FLV\x01\x01\x00\x00\x00\x09\x00\x00\x00\x00"


def video_file(video_id: int) -> str:
    """The file name a catalog gives a video id: mostly a good MP4, some broken or FLV."""
    roll = video_id % 16
    if roll in (0, 1):
        return f"{video_id}-broken.mp4"
    if roll == 2:
        return f"{video_id}.flv"
    return f"{video_id}.mp4"


@lru_cache(maxsize=64)
def _mp4(seed: bytes) -> bytes:
    colour = (60 + seed[0] % 160, 60 + seed[1] % 160, 60 + seed[2] % 160)
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=_FPS)
        stream.width, stream.height, stream.pix_fmt = _WIDTH, _HEIGHT, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "35"}
        stream.codec_context.thread_count = 1  # one thread: the same bytes on every run
        stream.codec_context.time_base = Fraction(1, _FPS)
        for frame_index in range(_FPS * _SECONDS):
            picture = Image.new("RGB", (_WIDTH, _HEIGHT), (226, 222, 214))
            x = 30 + frame_index * 12
            ImageDraw.Draw(picture).ellipse((x, 110, x + 100, 210), fill=colour)
            frame = av.VideoFrame.from_image(picture)
            frame.pts = frame_index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def render_video(name: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of a video file name, or None when the sandbox answers 404."""
    seed = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    if "broken" in name:
        return None
    if name.endswith(".flv"):
        return _FLV_HEADER + seed * 64, "video/x-flv"
    if name.endswith(".mp4"):
        return _mp4(seed), "video/mp4"
    return None


def video_response(name: str) -> Response:
    """The HTTP answer of an emulator's video route."""
    found = render_video(name)
    if found is None:
        return PlainTextResponse("404 Not Found", status_code=404)
    data, media_type = found
    return Response(data, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
