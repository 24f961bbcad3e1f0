"""Image quality for Kuaishou: white borders, the 3:4 ratio, format and size, and image URLs.

Kuaishou audits every publishing app for main images without white borders, 3:4 main images and
png/jpeg files of at most 2 MB (reference/kuaishou-api.md §4), and ranks apps by those fill rates.
This module holds the pixel rules as pure functions over Pillow images and bytes, so the media
stage (connectors/media.py), the Kuaishou emulator's upload check and the tests all judge an image
by the same detector. Pillow decodes and encodes; nothing here parses an image format by hand.

The thresholds (decision 26 in docs/decisions.md):

- A pixel is *near-white* when every channel is ≥ `WHITE_LEVEL` (240): JPEG noise on a white frame
  stays well above it, light-grey studio backgrounds (≤ 235) stay below.
- A row or column is *white* when at most `OUTLIER_SHARE` (3 %) of its pixels are not near-white:
  dust, compression ringing and a watermark's stray pixels do not break a border.
- A side has a border when at least `min_border_px` (0.5 % of that side, at least 2 px) of its outer
  rows/columns are white; one such side is enough (white bars left and right are a border too).
- Trimming keeps the image when the content box would be smaller than `MIN_CONTENT_SHARE` (10 %) of
  either side, or when the whole image is near-white: that is a white product, not a frame.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from itertools import accumulate
from typing import Final, Literal, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from PIL import Image, ImageChops, ImageFilter, ImageOps, UnidentifiedImageError

__all__ = [
    "HTTPS_IMAGE_HOSTS",
    "KUAISHOU_MAX_IMAGE_BYTES",
    "MIN_MAIN_IMAGES",
    "Box",
    "ImageRejected",
    "PreparedImage",
    "describe_image",
    "fit_for_kuaishou",
    "has_white_border",
    "is_three_four",
    "normalize_image_url",
    "on_domains",
    "prepare_detail_image",
    "prepare_main_image",
    "strip_image_suffix",
    "to_three_four",
    "trim_white_border",
    "white_border",
]

Box = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels, right/bottom exclusive: Pillow's crop box."""

RGB = tuple[int, int, int]

MIN_MAIN_IMAGES: Final = 3
"""Kuaishou's service-market audit: at least 3 main images per item (seeds/ rule document)."""

KUAISHOU_MAX_IMAGE_BYTES: Final = 2 * 1024 * 1024
"""Main, detail and SKU images: ≤ 2 MB each [C: reference/kuaishou-api.md §2 and §4]."""

WHITE_LEVEL: Final = 240
OUTLIER_SHARE: Final = 0.03
MIN_BORDER_SHARE: Final = 0.005
MIN_BORDER_PX: Final = 2
MIN_CONTENT_SHARE: Final = 0.10
SUBJECT_TOLERANCE: Final = 24
"""How far (max over channels) a pixel must be from the background colour to count as subject."""

_JPEG_QUALITY: Final = 90
_QUALITY_STEPS: Final = (85, 78, 70, 62)
_DOWNSCALE: Final = 0.8
_KUAISHOU_FORMATS: Final = ("JPEG", "PNG")
_EXIF_ORIENTATION: Final = 0x0112


class ImageRejected(Exception):
    """Bytes that cannot become a Kuaishou image (not an image, truncated, absurdly large).

    `reason` is written for the merchant: it names what is wrong with the picture.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PreparedImage:
    """An image ready for `open.item.image.upload`, with what was done to it.

    `white_border_left` is what the final bytes show, i.e. what Kuaishou will see (decision 79).
    `note` says why a border was kept or why no 3:4 version was made, for the media table.
    """

    data: bytes
    width: int
    height: int
    format: str
    trimmed: bool
    ratio_34: bool
    reencoded: bool
    white_border_left: bool
    note: str | None = None


# -- white borders -----------------------------------------------------------------------------------


def _rgb(image: Image.Image) -> Image.Image:
    """RGB pixels as Kuaishou shows them: transparency over white (how a page renders it)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    return image.convert("RGB")


class _Table(Image.ImagePointHandler):
    """A lookup table of integers that `Image.point` applies as it is.

    Given a list, `point` rounds every entry again on each call (768 `round`s for an RGB table):
    ~12 % of an image's CPU time here, where the tables are applied several times per image
    and their entries are integers from the start. Pillow documents `ImagePointHandler` as the
    way to hand `point` a table of one's own; the pixels are those the list gives."""

    def __init__(self, table: list[int]) -> None:
        self._table = table

    def point(self, im: Image.Image) -> Image.Image:
        return im._new(im.im.point(self._table, None))


_NON_WHITE_LUT: Final = _Table([0 if v >= WHITE_LEVEL else 255 for v in range(256)] * 3)
SURE_MARGIN: Final = 16
"""How far below WHITE_LEVEL a pixel must be for a JPEG re-encode not to make it near-white."""
_SURE_LUT: Final = _Table([255 if v < WHITE_LEVEL - SURE_MARGIN else 0 for v in range(256)] * 3)
_SUBJECT_LUT: Final = _Table([255 if v > SUBJECT_TOLERANCE else 0 for v in range(256)])
_ERODED_LUT: Final = _Table([255 if v == 255 else 0 for v in range(256)])
_SUBJECT_SCALE: Final = 4
_COUNTED_LINES: Final = 16
"""Lines counted in the first strip from a side's first non-white pixel inwards: a frame's
JPEG-ringed inner edge is a few pixels wide, so its first non-white line is usually in it."""

_Side = Literal["top", "bottom", "left", "right"]


def _whole(image: Image.Image) -> Box:
    return (0, 0, image.width, image.height)


def _size(box: Box) -> tuple[int, int]:
    return (box[2] - box[0], box[3] - box[1])


def _within_box(box: Box, region: Box) -> Box:
    """`box`, given inside `region`, in the coordinates `region` is given in."""
    return (box[0] + region[0], box[1] + region[1], box[2] + region[0], box[3] + region[1])


class _Pixels(NamedTuple):
    """A region of an image, the image's non-white map, and the region's white-border verdict
    where already known.

    Trimming and the 3:4 crop narrow the region instead of copying pixels; the map (`_NonWhite`)
    is made only for the strips read within the region; the pixels are cut out once, for the
    encoder (issue 19: copies of a full-size picture cost as much as reading it).
    """

    image: Image.Image
    non_white: _NonWhite
    box: Box
    border: bool | None = None

    @classmethod
    def of(cls, image: Image.Image) -> _Pixels:
        return cls(image, _NonWhite(image), _whole(image))

    @property
    def size(self) -> tuple[int, int]:
        return _size(self.box)

    def crop(self, box: Box, *, border: bool | None = None) -> _Pixels:
        """The region `box` (given inside this region) of the same image."""
        return _Pixels(self.image, self.non_white, _within_box(box, self.box), border)

    def pixels(self) -> Image.Image:
        """The region as an image of its own (the image itself when the region is all of it)."""
        return self.image if self.box == _whole(self.image) else self.image.crop(self.box)


class _NonWhite:
    """An image's non-white map, made strip by strip as it is read: RGB, 255 in each channel
    below WHITE_LEVEL, so non-zero exactly where a pixel (as Kuaishou shows it) is not
    near-white. Counting reads strips at the edges only; mapping the whole picture first cost
    more than every strip read from it (issue 19)."""

    __slots__ = ("_pixels",)

    def __init__(self, image: Image.Image) -> None:
        self._pixels = _rgb(image)

    @property
    def size(self) -> tuple[int, int]:
        return self._pixels.size

    def crop(self, box: Box) -> Image.Image:
        """The map of the pixels in `box`."""
        return self._pixels.crop(box).point(_NON_WHITE_LUT)


def _white_lines(non_white: Image.Image, *, rows: bool) -> list[bool]:
    """For each row (or column): at most OUTLIER_SHARE of its pixels are not near-white.

    The white mask is 255 where no channel is non-white; a BOX resize to one pixel across
    averages each line of it in C. Each line's value depends on that line's pixels only (the
    resize runs along the lines, never across), so a strip gives each of its lines the value the
    whole image would.
    """
    red, green, blue = non_white.split()
    mask = ImageChops.invert(ImageChops.lighter(ImageChops.lighter(red, green), blue))
    width, height = mask.size
    line = mask.resize((1, height) if rows else (width, 1), Image.Resampling.BOX)
    floor = 255 * (1 - OUTLIER_SHARE) - 0.5
    return [value >= floor for value in line.tobytes()]


def _leading(flags: list[bool]) -> int:
    count = 0
    for flag in flags:
        if not flag:
            break
        count += 1
    return count


def _strip(size: tuple[int, int], side: _Side, start: int, stop: int) -> Box:
    """The box of lines [start, stop) counted inwards from `side`."""
    width, height = size
    if side == "top":
        return (0, start, width, stop)
    if side == "bottom":
        return (0, height - stop, width, height - start)
    if side == "left":
        return (start, 0, stop, height)
    return (width - stop, 0, width - start, height)


def _leading_white(non_white: _NonWhite, region: Box, side: _Side) -> int:
    """How many white lines (`_white_lines`) of `region` run inwards from `side`.

    Lines are counted in strips (16 lines, then twice as many each time), only as far
    as the first line that is not white: a frame costs its inner edge, a photo without one a strip
    a side. The whole mask and both line profiles of every image were most of the cost (issue 19).
    """
    rows = side in ("top", "bottom")
    size = _size(region)
    total = size[1] if rows else size[0]
    done, span = 0, _COUNTED_LINES
    while done < total:
        stop = min(total, done + span)
        strip = _within_box(_strip(size, side, done, stop), region)
        flags = _white_lines(non_white.crop(strip), rows=rows)
        if side in ("bottom", "right"):
            flags.reverse()
        done += _leading(flags)
        if done < stop:
            return done
        span *= 2
    return total


def _content_box(non_white: _NonWhite, region: Box | None = None) -> Box | None:
    """The box inside the white rows/columns at the edges of `region` (all of the map when None),
    in the region's coordinates; None when everything is near-white."""
    if region is None:
        region = (0, 0, *non_white.size)
    width, height = _size(region)
    top = _leading_white(non_white, region, "top")
    if top == height:  # every row is white
        return None
    left = _leading_white(non_white, region, "left")
    if left == width:  # every column is white
        return None
    bottom = _leading_white(non_white, region, "bottom")
    right = _leading_white(non_white, region, "right")
    return (left, top, width - right, height - bottom)


def _min_border(size: tuple[int, int]) -> tuple[int, int]:
    """How many white columns, and rows, at one side make a border."""
    width, height = size
    return (
        max(MIN_BORDER_PX, round(width * MIN_BORDER_SHARE)),
        max(MIN_BORDER_PX, round(height * MIN_BORDER_SHARE)),
    )


def _bordered(box: Box, size: tuple[int, int]) -> bool:
    """Whether any side outside `box` is at least the minimum border width."""
    left, top, right, bottom = box
    width, height = size
    min_x, min_y = _min_border(size)
    return left >= min_x or width - right >= min_x or top >= min_y or height - bottom >= min_y


def _edges_survive_encoding(image: Image.Image, region: Box) -> bool:
    """Whether every side of `region` has, among as many lines as make a border, one that a
    JPEG re-encode cannot turn white: at least half its pixels are `SURE_MARGIN` levels or more
    below near-white in some channel (decision 79).

    A trim ends at the first line that is *not* white, often barely (a product's rounded corner
    on a white backdrop); the encoder's smoothing can tip such a line back to white and leave a
    border in the bytes that the pixels did not have. Where every side is this clear of the
    threshold, the pixels' verdict is the output's; elsewhere the output is decoded and judged.
    """
    image = _rgb(image)
    size = _size(region)
    min_x, min_y = _min_border(size)
    sides: tuple[tuple[_Side, int, int], ...] = (
        ("top", min_y, size[1]),
        ("bottom", min_y, size[1]),
        ("left", min_x, size[0]),
        ("right", min_x, size[0]),
    )
    for side, lines, total in sides:
        strip = image.crop(_within_box(_strip(size, side, 0, min(lines, total)), region))
        red, green, blue = strip.point(_SURE_LUT).split()
        clear = ImageChops.lighter(ImageChops.lighter(red, green), blue)
        rows = side in ("top", "bottom")
        line = clear.resize((1, clear.height) if rows else (clear.width, 1), Image.Resampling.BOX)
        if max(line.tobytes()) < 128:
            return False
    return True


def white_border(image: Image.Image) -> Box | None:
    """The content box when the image has a near-white border on at least one side, else None.

    An image that is near-white all over (a white product on white, a blank) has no content box
    to speak of and returns None: there is nothing to tell a frame from the goods.
    """
    box = _content_box(_NonWhite(image))
    return box if box is not None and _bordered(box, image.size) else None


def has_white_border(image: Image.Image) -> bool:
    """Whether Kuaishou's "no white borders" rule would flag this image (see `white_border`)."""
    return white_border(image) is not None


def _has_border(pixels: _Pixels) -> bool:
    """`has_white_border` of the region, unless already known."""
    if pixels.border is not None:
        return pixels.border
    whole = pixels.box == _whole(pixels.image)
    box = _content_box(pixels.non_white, None if whole else pixels.box)
    return box is not None and _bordered(box, pixels.size)


def _trim(pixels: _Pixels) -> tuple[_Pixels, str | None]:
    """The image inside its white border, or the image itself and why it was not trimmed."""
    box = _content_box(pixels.non_white)
    if box is None:
        note = "the image is near-white all over (a white product?): kept untrimmed"
        return pixels._replace(border=False), note
    width, height = pixels.size
    if not _bordered(box, (width, height)):
        return pixels._replace(border=False), None
    left, top, right, bottom = box
    if (right - left) < width * MIN_CONTENT_SHARE or (bottom - top) < height * MIN_CONTENT_SHARE:
        return pixels._replace(border=True), (
            f"the content inside the white border is only {right - left}×{bottom - top} px of "
            f"{width}×{height}: kept untrimmed rather than cut to a speck"
        )
    return pixels.crop(box), None


def trim_white_border(image: Image.Image) -> Image.Image:
    """The image cut to its content box; unchanged when it has no border or trimming would leave
    less than a tenth of a side (a white product on white is never trimmed into nothing)."""
    return _trim(_Pixels.of(image))[0].pixels()


# -- 3:4 ---------------------------------------------------------------------------------------------


def is_three_four(width: int, height: int) -> bool:
    """3:4 (w:h) within a pixel of rounding."""
    return abs(width * 4 - height * 3) <= 4


_EDGE_STRIP: Final = 2


def _frame_boxes(size: tuple[int, int], *, horizontal: bool, vertical: bool) -> list[Box]:
    """Disjoint boxes covering the 2-px outer strips: left/right when `horizontal`, top/bottom
    when `vertical` (the corners once, as a mask of those strips would have them)."""
    width, height = size
    boxes: list[Box] = []
    rows = (0, height)
    if vertical:
        top_end = min(_EDGE_STRIP, height)
        bottom_start = max(top_end, height - _EDGE_STRIP)
        boxes += [(0, 0, width, top_end), (0, bottom_start, width, height)]
        rows = (top_end, bottom_start)
    if horizontal:
        left_end = min(_EDGE_STRIP, width)
        right_start = max(left_end, width - _EDGE_STRIP)
        boxes += [(0, rows[0], left_end, rows[1]), (right_start, rows[0], width, rows[1])]
    return [(x0, y0, x1, y1) for x0, y0, x1, y1 in boxes if x1 > x0 and y1 > y0]


def _edge_colour(
    image: Image.Image, region: Box, *, horizontal: bool = True, vertical: bool = True
) -> RGB:
    """The median colour of the outer strips of `region`: its own background, as the photo shows
    it. The strips' histograms are added up (a mask over the whole image reads every pixel); the
    median is the first level where a band's running count passes half, as `ImageStat` takes it."""
    boxes = _frame_boxes(_size(region), horizontal=horizontal, vertical=vertical)
    strips = [image.crop(_within_box(box, region)).histogram() for box in boxes]
    histogram = [sum(counts) for counts in zip(*strips, strict=True)]
    half = sum(histogram[:256]) // 2
    red, green, blue = (
        bisect_right(list(accumulate(histogram[band : band + 256])), half) for band in (0, 256, 512)
    )
    return (red, green, blue)


def _subject_box(image: Image.Image, region: Box, background: RGB) -> Box:
    """The bounding box of what differs from the background in `region` (in its coordinates),
    found on a 4× reduced copy (which averages JPEG noise away and costs a sixteenth), then
    scaled back with a block of margin.

    Lone differing pixels are eroded away first (a 3×3 minimum); on a 0/255 mask that minimum is
    255 exactly where the 3×3 box average is, which Pillow's box blur computes far faster than its
    rank filter.
    """
    width, height = _size(region)
    small = image.reduce(_SUBJECT_SCALE, region) if min(width, height) >= 64 else image.crop(region)
    scale = width / small.width
    difference = ImageChops.difference(small, Image.new("RGB", small.size, background))
    red, green, blue = difference.split()
    strongest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    subject = strongest.point(_SUBJECT_LUT)
    box = subject.filter(ImageFilter.BoxBlur(1)).point(_ERODED_LUT).getbbox()
    if box is None:
        return (0, 0, width, height)
    left, top, right, bottom = box
    return (
        max(0, int((left - 1) * scale)),
        max(0, int((top - 1) * scale)),
        min(width, int((right + 1) * scale)),
        min(height, int((bottom + 1) * scale)),
    )


def _window(start: int, end: int, *, length: int, total: int) -> int:
    """Where a window of `length` centred on [start, end) begins, kept inside [0, total)."""
    centre = (start + end) / 2
    return int(min(max(0, round(centre - length / 2)), total - length))


def _is_near_white(colour: RGB) -> bool:
    return min(colour) >= WHITE_LEVEL


def to_three_four(image: Image.Image) -> Image.Image:
    """A 3:4 (w:h) version without adding a white border, or the image itself when none exists.

    1. Crop: when the subject (what differs from the edge colour) fits in the 3:4 window, the window
       is centred on it. Nothing of the goods is lost.
    2. Extend: otherwise the short side grows with the image's own edge colour (the median of the
       strips being extended), so the background simply continues.
    3. When that edge colour is near-white, extending would *be* a white border and cropping would
       cut the goods, so the image is returned as it is (not 3:4); `prepare_main_image` says so.
    """
    return _three_four(_Pixels.of(image)).pixels()


def _three_four(pixels: _Pixels) -> _Pixels:
    """`to_three_four` of a region; a 3:4 crop comes with its verdict (it was checked for a white
    border to be chosen)."""
    width, height = pixels.size
    if is_three_four(width, height):
        return pixels
    pixels = pixels._replace(image=_rgb(pixels.image))
    image, region = pixels.image, pixels.box
    background = _edge_colour(image, region)
    left, top, right, bottom = _subject_box(image, region, background)
    if width * 4 > height * 3:  # too wide: narrow it, or make it taller
        crop_width = round(height * 3 / 4)
        if right - left <= crop_width:
            x = _window(left, right, length=crop_width, total=width)
            if not _has_border(cropped := pixels.crop((x, 0, x + crop_width, height))):
                return cropped._replace(border=False)
        fill = _edge_colour(image, region, horizontal=False, vertical=True)
        size = (width, round(width * 4 / 3))
    else:  # too tall: shorten it, or make it wider
        crop_height = round(width * 4 / 3)
        if bottom - top <= crop_height:
            y = _window(top, bottom, length=crop_height, total=height)
            if not _has_border(cropped := pixels.crop((0, y, width, y + crop_height))):
                return cropped._replace(border=False)
        fill = _edge_colour(image, region, horizontal=True, vertical=False)
        size = (round(height * 3 / 4), height)
    if _is_near_white(fill):
        return pixels
    offset = ((size[0] - width) // 2, (size[1] - height) // 2)
    canvas = Image.new("RGB", size, fill)
    canvas.paste(pixels.pixels(), offset)
    return _Pixels(canvas, _NonWhite(canvas), _whole(canvas))


# -- format and size ---------------------------------------------------------------------------------


def _decode(data: bytes) -> Image.Image:
    """Pillow's decode, fully loaded, EXIF rotation applied; ImageRejected for anything else."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRejected(
            f"not a readable image ({type(exc).__name__}: {exc}); replace the picture on the source"
        ) from exc
    if image.getexif().get(_EXIF_ORIENTATION, 1) == 1:
        return image
    source_format = image.format or ""
    rotated = ImageOps.exif_transpose(image)
    rotated.format = source_format  # exif_transpose returns a copy without `format`
    rotated.info["rotated_by_exif"] = True  # the bytes must be re-encoded upright
    return rotated


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _encode(image: Image.Image, *, fmt: str, quality: int = _JPEG_QUALITY) -> bytes:
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, format="PNG")
    else:  # `convert` copies even an RGB image: only what is not RGB is converted
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        rgb.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _within(image: Image.Image, *, fmt: str, max_bytes: int) -> bytes:
    """Encoded in `fmt` under `max_bytes`: lower JPEG quality first, then smaller pixels.

    A PNG that is too big becomes a JPEG unless it has transparency (which JPEG would lose).
    """
    return _encoded_within(image, fmt=fmt, max_bytes=max_bytes).data


class _Encoded(NamedTuple):
    """What `_within` wrote: the bytes, their format, and the pixels' size (smaller if scaled)."""

    data: bytes
    fmt: str
    size: tuple[int, int]


def _encoded_within(image: Image.Image, *, fmt: str, max_bytes: int) -> _Encoded:
    data = _encode(image, fmt=fmt)
    if len(data) <= max_bytes:
        return _Encoded(data, fmt, image.size)
    if fmt == "PNG" and not _has_alpha(image):
        fmt = "JPEG"
    if fmt == "JPEG":
        for quality in _QUALITY_STEPS:
            data = _encode(image, fmt=fmt, quality=quality)
            if len(data) <= max_bytes:
                return _Encoded(data, fmt, image.size)
    while len(data) > max_bytes and min(image.size) > 16:
        size = (max(1, int(image.width * _DOWNSCALE)), max(1, int(image.height * _DOWNSCALE)))
        image = image.resize(size, Image.Resampling.LANCZOS)
        data = _encode(image, fmt=fmt, quality=_QUALITY_STEPS[-1])
    return _Encoded(data, fmt, image.size)


def _target_format(image: Image.Image) -> str:
    """Kuaishou takes png/jpeg: others become JPEG, or PNG when they carry transparency."""
    if image.format in _KUAISHOU_FORMATS:
        return str(image.format)
    return "PNG" if _has_alpha(image) else "JPEG"


def fit_for_kuaishou(data: bytes, *, max_bytes: int = KUAISHOU_MAX_IMAGE_BYTES) -> bytes:
    """The bytes as png/jpeg within `max_bytes`: unchanged when they already are.

    webp, gif, bmp and the rest are converted (to JPEG; to PNG when transparent, so a cut-out
    product does not turn into a white frame); anything over the limit is re-encoded, then scaled.
    """
    image = _decode(data)
    if image.format in _KUAISHOU_FORMATS and len(data) <= max_bytes:
        return data
    return _within(image, fmt=_target_format(image), max_bytes=max_bytes)


# -- the two roles -----------------------------------------------------------------------------------


def _prepare(data: bytes, *, main: bool) -> PreparedImage:
    """The white border is read from the decoded source once; trimming and the 3:4 crop narrow a
    region of it and carry its map along. The output is judged by the pixels it was encoded from
    when its edges are clear of the threshold, else by its bytes decoded again (issue 19,
    decision 79)."""
    source = _decode(data)
    fmt = _target_format(source)
    trimmed_pixels, note = _trim(_Pixels.of(source))
    trimmed = trimmed_pixels.box != _whole(source)
    result = trimmed_pixels
    if main:
        result = _three_four(trimmed_pixels)
        if not is_three_four(*result.size):
            note = note or "no 3:4 version: the edges are white and the goods fill the frame"
    border = _has_border(result)
    image, box = result.image, result.box
    del trimmed_pixels, result  # the map's memory is free for the output's (page faults, issue 19)
    output = image if box == _whole(image) else image.crop(box)
    changed = output is not source or bool(source.info.get("rotated_by_exif"))
    if not changed and source.format in _KUAISHOU_FORMATS and len(data) <= KUAISHOU_MAX_IMAGE_BYTES:
        final = _Encoded(data, str(source.format), source.size)
        reencoded = False
    else:
        sure = not border and _edges_survive_encoding(image, box)
        del source, image  # likewise the decoded picture's, once the output is cut out of it
        final = _encoded_within(output, fmt=fmt, max_bytes=KUAISHOU_MAX_IMAGE_BYTES)
        reencoded = True
        if final.size != output.size or (final.fmt == "JPEG" and not sure):
            # scaled down to fit, or an edge the encoder may have whitened: judge the output
            border = has_white_border(_decode(final.data))
    width, height = final.size
    return PreparedImage(
        data=final.data,
        width=width,
        height=height,
        format=final.fmt,
        trimmed=trimmed,
        ratio_34=is_three_four(width, height),
        reencoded=reencoded,
        white_border_left=border,
        note=note,
    )


def describe_image(data: bytes) -> PreparedImage:
    """The image as it is, judged by the same rules: for a backend that takes the source URL
    (vv-tool), where nothing can be trimmed or re-encoded.

    Raises:
        ImageRejected: the bytes are not an image Pillow can read.
    """
    image = _decode(data)
    return PreparedImage(
        data=data,
        width=image.width,
        height=image.height,
        format=str(image.format),
        trimmed=False,
        ratio_34=is_three_four(image.width, image.height),
        reencoded=False,
        white_border_left=has_white_border(image),
    )


def prepare_main_image(data: bytes) -> PreparedImage:
    """A main image: white border trimmed, 3:4 derived, png/jpeg ≤ 2 MB.

    Raises:
        ImageRejected: the bytes are not an image Pillow can read.
    """
    return _prepare(data, main=True)


def prepare_detail_image(data: bytes) -> PreparedImage:
    """A detail image: white border trimmed (its ratio is free), png/jpeg ≤ 2 MB.

    Raises:
        ImageRejected: the bytes are not an image Pillow can read.
    """
    return _prepare(data, main=False)


# -- URLs --------------------------------------------------------------------------------------------

HTTPS_IMAGE_HOSTS: Final = ("alicdn.com", "pddpic.com", "yangkeduo.com", "pinduoduo.com")
"""The sources' image CDNs, which serve https (Alibaba's for Taobao/Tmall and 1688, PDD's)."""

_ABSOLUTE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_FORMAT_SUFFIX = re.compile(r"(\.(?:jpe?g|png|gif|webp|bmp))_[^/]*$", re.IGNORECASE)
_THUMB_SUFFIX = re.compile(r"\.(?:\d+x\d+|summ|search)(\.jpe?g)$", re.IGNORECASE)
_PDD_A_SUFFIX = re.compile(r"(\.(?:jpe?g|png|gif|webp))\.a\.jpe?g$", re.IGNORECASE)
_ANY_SUFFIX = re.compile(
    "|".join(f"(?:{rule.pattern})" for rule in (_FORMAT_SUFFIX, _THUMB_SUFFIX, _PDD_A_SUFFIX)),
    re.IGNORECASE,
)
"""Matches wherever one of the three suffix rules would: a path it misses is already original."""
_CACHE_BUSTERS: Final = frozenset({"__r__"})
_PLAIN_URL = re.compile(
    r"(?P<scheme>[Hh][Tt][Tt][Pp][Ss]?)://(?P<netloc>(?P<host>[A-Za-z0-9._-]+)(?::[0-9]+)?)"
    r"(?P<path>/[!\"$->@-~]*)?(?:\?__r__=[0-9]*)?"
)
"""An http(s) URL `urlsplit` reads trivially: an ASCII host name (no user, no brackets), an
optional port, a path of printable ASCII, no fragment and no query but 1688's lone cache-buster
`__r__=<digits>` (which goes). Such a URL is normalized by `_plain_url`; any other goes through
`urlsplit` (decision 72: the shortcut reads what it reads)."""


def on_domains(host: str, domains: Collection[str]) -> bool:
    """Whether `host` is one of `domains` or a subdomain of one (case-insensitive)."""
    host = host.lower()
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)


def strip_image_suffix(path: str) -> str:
    """Cut CDN variant suffixes back to the original picture.

    `a.jpg_.webp` and `a.jpg_400x400q90.jpg` → `a.jpg`; `a.310x310.jpg` / `a.summ.jpg` → `a.jpg`;
    PDD's `a.jpg.a.jpeg` → `a.jpg`.
    """
    if not _ANY_SUFFIX.search(path):
        return path
    previous = None
    while previous != path:
        previous = path
        path = _FORMAT_SUFFIX.sub(r"\1", path)
        path = _THUMB_SUFFIX.sub(r"\1", path)
        path = _PDD_A_SUFFIX.sub(r"\1", path)
    return path


def normalize_image_url(
    url: str | None,
    *,
    https_domains: Collection[str] = HTTPS_IMAGE_HOSTS,
    base: str | None = None,
) -> str | None:
    """One canonical, fetchable URL per source picture (None for blanks and `data:` URIs).

    - relative paths (1688's `img/ibank/…`) are joined to `base` when one is given;
    - protocol-relative `//host/…` gets https (the source pages are https);
    - `http://` becomes https only on `https_domains`: another host's https may not exist (the
      loopback sandbox serves plain http), and a broken image is worse than an http one;
    - the `__r__` cache-buster is dropped from the query (same picture, one cache entry);
    - CDN variant suffixes (`strip_image_suffix`) are cut on `https_domains` and `/img/ibank/` paths.
    """
    if url is None or not url.strip():
        return None
    url = url.strip()
    if url.lower().startswith("data:"):
        return None
    if base is not None and not url.startswith("//") and not _ABSOLUTE.match(url):
        url = f"{base.rstrip('/')}/{url.lstrip('/')}"
    if url.startswith("//"):
        url = f"https:{url}"
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        return _plain_url(plain, https_domains)
    return _split_url(url, https_domains)


def _plain_url(plain: re.Match[str], https_domains: Collection[str]) -> str:
    """`_split_url` of a URL `_PLAIN_URL` matched, without `urlsplit` (a third of an item's
    parsing time went there): scheme lower-cased, https on known hosts, suffixes cut, a lone
    `__r__` query dropped."""
    scheme, netloc, host, path = plain.group("scheme", "netloc", "host", "path")
    scheme = scheme.lower()
    path = path or ""
    known = on_domains(host, https_domains)
    if known and scheme == "http":
        scheme = "https"
    if known or "/img/ibank/" in path:
        path = strip_image_suffix(path)
    return f"{scheme}://{netloc}{path}"


def _split_url(url: str, https_domains: Collection[str]) -> str:
    """The rules of `normalize_image_url` on any absolute or relative URL, through `urlsplit`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    known = on_domains(host, https_domains)
    scheme = "https" if known and parts.scheme.lower() == "http" else parts.scheme
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(key in _CACHE_BUSTERS for key, _ in pairs):
        query = urlencode([(key, value) for key, value in pairs if key not in _CACHE_BUSTERS])
    path = parts.path
    if known or "/img/ibank/" in path:
        path = strip_image_suffix(path)
    return urlunsplit((scheme, parts.netloc, path, query, parts.fragment))
