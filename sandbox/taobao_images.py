"""Generated product pictures for the TOP emulator's image URLs.

The media stage must download, measure and re-upload real image bytes, and Kuaishou audits white
borders and the 3:4 ratio, so the sandbox serves actual JPEGs whose properties follow their names:

- `<shape>-<id>-<slot>[-<rrggbb>][_wb|_34|_big].jpg`: `shape` picks the drawing (tee, dress, shoe,
  box, mug, tent, ...); a 6-hex token is the product colour (a colour value's prop image); `_wb` adds
  a white border (what Kuaishou rejects); `_34` makes it 600×800 instead of 800×800; `_big` is the
  studio original a seller uploads unresized: 2000×2000 with sensor-like noise at quality 95, over
  Kuaishou's 2 MB (`OVERSIZE_BYTES`), so it must be re-encoded before upload.
- Anything else still renders: colours and shape are then derived from a hash of the name.

Same name → same bytes (no randomness, no clock). The flat drawings are small (quality 80 stays far
under 100 KB); the few `_big` ones are kept in a cache of their own.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw

__all__ = ["OVERSIZE_BYTES", "SHAPES", "image_size", "is_oversize_item", "render_image"]

SIZE = 800
BIG_SIZE = 2000
OVERSIZE_BYTES = 2 * 1024 * 1024  # [C] Kuaishou: at most 2 MB per image
OVERSIZE_PERCENT = 7  # share of catalog items whose 2nd main image is a `_big` original
_HEX = re.compile(r"^[0-9a-f]{6}$")
Box = tuple[int, int, int, int]
RGB = tuple[int, int, int]


def _tee(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    points = [
        (x0 + w * 0.30, y0),
        (x0 + w * 0.70, y0),
        (x1, y0 + h * 0.22),
        (x0 + w * 0.86, y0 + h * 0.38),
        (x0 + w * 0.78, y0 + h * 0.30),
        (x0 + w * 0.78, y1),
        (x0 + w * 0.22, y1),
        (x0 + w * 0.22, y0 + h * 0.30),
        (x0 + w * 0.14, y0 + h * 0.38),
        (x0, y0 + h * 0.22),
    ]
    draw.polygon(points, fill=colour)
    draw.ellipse((x0 + w * 0.40, y0 - h * 0.06, x0 + w * 0.60, y0 + h * 0.08), fill=(255, 255, 255))


def _dress(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    draw.polygon(
        [
            (x0 + w * 0.38, y0),
            (x0 + w * 0.62, y0),
            (x0 + w * 0.66, y0 + h * 0.35),
            (x1, y1),
            (x0, y1),
            (x0 + w * 0.34, y0 + h * 0.35),
        ],
        fill=colour,
    )


def _shoe(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    draw.rounded_rectangle((x0, y0 + h * 0.55, x1, y0 + h * 0.80), radius=int(h * 0.1), fill=colour)
    draw.pieslice((x0, y0 + h * 0.25, x0 + w * 0.6, y0 + h * 0.85), 180, 360, fill=colour)
    draw.rectangle((x0, y0 + h * 0.78, x1, y0 + h * 0.86), fill=(240, 240, 240))


def _box(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    h = y1 - y0
    draw.rectangle((x0, y0 + h * 0.25, x1, y1), fill=colour)
    draw.rectangle((x0 - 10, y0 + h * 0.15, x1 + 10, y0 + h * 0.27), fill=_shade(colour, 0.8))


def _hanger(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = x0 + w / 2
    draw.arc((cx - 40, y0, cx + 40, y0 + 80), 180, 90, fill=colour, width=14)
    draw.line(
        [(cx, y0 + 80), (x0, y0 + h * 0.7), (x1, y0 + h * 0.7), (cx, y0 + 80)],
        fill=colour,
        width=18,
    )


def _bone(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    h = y1 - y0
    cy = y0 + h / 2
    draw.rectangle((x0 + 60, cy - 45, x1 - 60, cy + 45), fill=colour)
    for cx in (x0 + 60, x1 - 60):
        for dy in (-55, 55):
            draw.ellipse((cx - 60, cy + dy - 60, cx + 60, cy + dy + 60), fill=colour)


def _bag(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    w = x1 - x0
    draw.rounded_rectangle((x0 + w * 0.1, y0, x1 - w * 0.1, y1), radius=40, fill=colour)
    draw.rectangle((x0 + w * 0.25, y0 + 80, x1 - w * 0.25, y0 + 200), fill=(255, 255, 255))


def _blocks(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, _, x1, y1 = box
    step = (x1 - x0) // 3
    palette = [colour, _shade(colour, 0.7), (230, 60, 60), (60, 120, 220), (250, 200, 40)]
    for row in range(3):
        for col in range(3 - row):
            left = x0 + col * step + row * step // 2
            top = y1 - (row + 1) * step
            draw.rectangle(
                (left + 4, top + 4, left + step - 4, top + step - 4), fill=palette[(row + col) % 5]
            )


def _bear(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = x0 + w / 2
    draw.ellipse((cx - w * 0.32, y0 + h * 0.42, cx + w * 0.32, y1), fill=colour)
    draw.ellipse((cx - w * 0.24, y0 + h * 0.05, cx + w * 0.24, y0 + h * 0.50), fill=colour)
    for ex in (-0.22, 0.22):
        draw.ellipse((cx + w * ex - 40, y0, cx + w * ex + 40, y0 + 80), fill=_shade(colour, 0.8))


def _mug(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    w = x1 - x0
    draw.ellipse((x1 - w * 0.35, y0 + 90, x1 + 20, y1 - 90), outline=colour, width=34)
    draw.rounded_rectangle((x0, y0, x1 - w * 0.22, y1), radius=30, fill=colour)


def _tent(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    x0, y0, x1, y1 = box
    w = x1 - x0
    draw.polygon([(x0 + w / 2, y0), (x1, y1), (x0, y1)], fill=colour)
    draw.polygon(
        [(x0 + w / 2, y0 + 120), (x0 + w * 0.62, y1), (x0 + w * 0.38, y1)], fill=_shade(colour, 0.6)
    )


SHAPES = {
    "tee": _tee,
    "shirt": _tee,
    "hoodie": _tee,
    "dress": _dress,
    "sandal": _shoe,
    "shoe": _shoe,
    "box": _box,
    "hanger": _hanger,
    "bone": _bone,
    "litter": _bag,
    "blocks": _blocks,
    "bear": _bear,
    "mug": _mug,
    "tent": _tent,
}


def _shade(colour: RGB, factor: float) -> RGB:
    r, g, b = colour
    return (int(r * factor), int(g * factor), int(b * factor))


def _digest(name: str) -> bytes:
    return hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()


def image_size(name: str) -> tuple[int, int]:
    """(width, height) the name asks for: 600×800 for `_34`, 2000×2000 for `_big`, else 800×800."""
    stem = _stem(name)
    if stem.endswith("_big"):
        return (BIG_SIZE, BIG_SIZE)
    return (SIZE * 3 // 4, SIZE) if stem.endswith("_34") else (SIZE, SIZE)


def is_oversize_item(item_id: int) -> bool:
    """Whether a catalog item's second main image is a `_big` original: a stable hash of its id,
    so the catalogs' random streams (and every item they already generate) stay as they were."""
    return _digest(f"big:{item_id}")[0] % 100 < OVERSIZE_PERCENT


def _stem(name: str) -> str:
    return name.removesuffix(".jpg").removesuffix(".jpeg")


def render_image(name: str) -> bytes:
    """The JPEG for `name`: a coloured product shape on a light background, deterministic."""
    if _stem(name).endswith("_big"):
        return _render_big(name)
    return _render(name)


@lru_cache(maxsize=8)
def _render_big(name: str) -> bytes:
    """The drawing at 2000×2000 under deterministic noise: a photo's grain does not compress."""
    image = _draw(name)
    grain = Image.frombytes(
        "L", image.size, random.Random(_digest(name)).randbytes(image.width * image.height)
    )
    noisy = ImageChops.add(image, Image.merge("RGB", (grain, grain, grain)), scale=1.0, offset=-128)
    out = io.BytesIO()
    noisy.save(out, format="JPEG", quality=95)
    return out.getvalue()


@lru_cache(maxsize=512)
def _render(name: str) -> bytes:
    out = io.BytesIO()
    _draw(name).save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


def _draw(name: str) -> Image.Image:
    stem = _stem(name)
    white_border = stem.endswith("_wb")
    width, height = image_size(name)
    tokens = stem.removesuffix("_wb").removesuffix("_34").removesuffix("_big").split("-")
    digest = _digest(stem)
    shape = SHAPES.get(tokens[0]) or list(SHAPES.values())[digest[0] % len(SHAPES)]
    hex_token = next((token for token in tokens if _HEX.match(token)), None)
    colour: RGB = (
        (int(hex_token[0:2], 16), int(hex_token[2:4], 16), int(hex_token[4:6], 16))
        if hex_token
        else (60 + digest[1] % 160, 60 + digest[2] % 160, 60 + digest[3] % 160)
    )
    background: RGB = (200 + digest[4] % 50, 200 + digest[5] % 50, 200 + digest[6] % 50)
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    margin = 150 * max(width, height) // SIZE
    shape(draw, (margin, margin + (height - width) // 2, width - margin, height - margin), colour)
    if white_border:
        inner = image.resize((width - 160, height - 160))
        image = Image.new("RGB", (width, height), (255, 255, 255))
        image.paste(inner, (80, 80))
    return image
