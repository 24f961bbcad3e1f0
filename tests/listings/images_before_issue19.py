"""The image rules as `listings.images` ran them before issue 19, frozen as a reference.

Two readers: the images bench times the pre-issue sequence beside the current code in the same run
(so the speed-up is a ratio measured under the same load), and `test_images_same_results.py`
checks that the current detector finds the same boxes, crops and verdicts on the same pixels.
Only what issue 19 rewrote is kept here (the whole-image white mask and both line profiles per
check, the masked edge statistics, the rank-filter erosion, the decode of the output to judge it);
the thresholds and unchanged helpers are imported, so the reference cannot drift on them.
"""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageFilter, ImageStat

from listings.images import (
    _SUBJECT_LUT,
    _SUBJECT_SCALE,
    MIN_CONTENT_SHARE,
    OUTLIER_SHARE,
    WHITE_LEVEL,
    Box,
    _bordered,
    _is_near_white,
    _leading,
    _rgb,
    _window,
    is_three_four,
)

_WHITE_LUT = [255 if v >= WHITE_LEVEL else 0 for v in range(256)] * 3


def white_mask(image: Image.Image) -> Image.Image:
    red, green, blue = _rgb(image).point(_WHITE_LUT).split()
    return ImageChops.darker(ImageChops.darker(red, green), blue)


def _white_lines(mask: Image.Image, *, rows: bool) -> list[bool]:
    width, height = mask.size
    line = mask.resize((1, height) if rows else (width, 1), Image.Resampling.BOX)
    floor = 255 * (1 - OUTLIER_SHARE) - 0.5
    return [value >= floor for value in line.tobytes()]


def content_box(image: Image.Image) -> Box | None:
    mask = white_mask(image)
    rows = _white_lines(mask, rows=True)
    columns = _white_lines(mask, rows=False)
    if all(rows) or all(columns):
        return None
    top, bottom = _leading(rows), _leading(rows[::-1])
    left, right = _leading(columns), _leading(columns[::-1])
    return (left, top, image.width - right, image.height - bottom)


def white_border(image: Image.Image) -> Box | None:
    box = content_box(image)
    return box if box is not None and _bordered(box, image.size) else None


def has_white_border(image: Image.Image) -> bool:
    return white_border(image) is not None


def trim_white_border(image: Image.Image) -> Image.Image:
    box = content_box(image)
    if box is None or not _bordered(box, image.size):
        return image
    left, top, right, bottom = box
    if (right - left) < image.width * MIN_CONTENT_SHARE or (
        bottom - top
    ) < image.height * MIN_CONTENT_SHARE:
        return image
    return image.crop(box)


def _frame_mask(size: tuple[int, int], *, horizontal: bool, vertical: bool) -> Image.Image:
    width, height = size
    mask = Image.new("L", size, 0)
    strip = 2
    if horizontal:
        mask.paste(255, (0, 0, min(strip, width), height))
        mask.paste(255, (max(0, width - strip), 0, width, height))
    if vertical:
        mask.paste(255, (0, 0, width, min(strip, height)))
        mask.paste(255, (0, max(0, height - strip), width, height))
    return mask


def edge_colour(
    image: Image.Image, *, horizontal: bool = True, vertical: bool = True
) -> tuple[int, int, int]:
    stat = ImageStat.Stat(image, _frame_mask(image.size, horizontal=horizontal, vertical=vertical))
    red, green, blue = (int(v) for v in stat.median[:3])
    return (red, green, blue)


def subject_box(image: Image.Image, background: tuple[int, int, int]) -> Box:
    small = image.reduce(_SUBJECT_SCALE) if min(image.size) >= 64 else image
    scale = image.width / small.width
    difference = ImageChops.difference(small, Image.new("RGB", small.size, background))
    red, green, blue = difference.split()
    strongest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = strongest.point(_SUBJECT_LUT).filter(ImageFilter.MinFilter(3))
    box = mask.getbbox()
    if box is None:
        return (0, 0, image.width, image.height)
    left, top, right, bottom = box
    return (
        max(0, int((left - 1) * scale)),
        max(0, int((top - 1) * scale)),
        min(image.width, int((right + 1) * scale)),
        min(image.height, int((bottom + 1) * scale)),
    )


def to_three_four(image: Image.Image) -> Image.Image:
    width, height = image.size
    if is_three_four(width, height):
        return image
    image = _rgb(image)
    left, top, right, bottom = subject_box(image, edge_colour(image))
    if width * 4 > height * 3:
        crop_width = round(height * 3 / 4)
        if right - left <= crop_width:
            x = _window(left, right, length=crop_width, total=width)
            cropped = image.crop((x, 0, x + crop_width, height))
            if not has_white_border(cropped):
                return cropped
        fill = edge_colour(image, horizontal=False, vertical=True)
        size = (width, round(width * 4 / 3))
    else:
        crop_height = round(width * 4 / 3)
        if bottom - top <= crop_height:
            y = _window(top, bottom, length=crop_height, total=height)
            cropped = image.crop((0, y, width, y + crop_height))
            if not has_white_border(cropped):
                return cropped
        fill = edge_colour(image, horizontal=True, vertical=False)
        size = (round(height * 3 / 4), height)
    if _is_near_white(fill):
        return image
    canvas = Image.new("RGB", size, fill)
    canvas.paste(image, ((size[0] - width) // 2, (size[1] - height) // 2))
    return canvas


def prepare_main_jpeg(data: bytes) -> tuple[bytes, bool]:
    """The pre-issue work on a JPEG main image that needs changing: decode, trim, 3:4, encode
    (quality 90, as `listings.images` encodes), decode the output again and judge it. Returns the
    bytes and whether a white border is left."""
    source = Image.open(io.BytesIO(data))
    source.load()
    result = to_three_four(trim_white_border(source))
    out = io.BytesIO()
    result.convert("RGB").save(out, format="JPEG", quality=90)
    final = Image.open(io.BytesIO(out.getvalue()))
    final.load()
    return out.getvalue(), has_white_border(final)
