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
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat, UnidentifiedImageError

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

    `white_border_left` is judged on the final bytes (decoded again), i.e. what Kuaishou will see.
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


_WHITE_LUT: Final = [255 if v >= WHITE_LEVEL else 0 for v in range(256)] * 3
_SUBJECT_LUT: Final = [255 if v > SUBJECT_TOLERANCE else 0 for v in range(256)]
_SUBJECT_SCALE: Final = 4


def _white_mask(image: Image.Image) -> Image.Image:
    """L image, 255 where every channel is ≥ WHITE_LEVEL (one LUT pass, then the channels' min)."""
    red, green, blue = _rgb(image).point(_WHITE_LUT).split()
    return ImageChops.darker(ImageChops.darker(red, green), blue)


def _white_lines(mask: Image.Image, *, rows: bool) -> list[bool]:
    """For each row (or column): at most OUTLIER_SHARE of its pixels are not near-white.

    A BOX resize to one pixel across averages the whole line in C, which keeps this fast.
    """
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


def _content_box(image: Image.Image) -> Box | None:
    """The box inside the white rows/columns at the edges; None when everything is near-white."""
    return _content_box_of(_white_mask(image))


def _content_box_of(mask: Image.Image) -> Box | None:
    """`_content_box` of an image from its white mask.

    The mask is per pixel, so the mask of a crop (or of a paste onto a non-white canvas) is the
    same crop (or paste) of the mask: preparing an image computes it once (issue 19).
    """
    rows = _white_lines(mask, rows=True)
    columns = _white_lines(mask, rows=False)
    if all(rows) or all(columns):
        return None
    top, bottom = _leading(rows), _leading(rows[::-1])
    left, right = _leading(columns), _leading(columns[::-1])
    return (left, top, mask.width - right, mask.height - bottom)


def _border_in(mask: Image.Image) -> bool:
    """`has_white_border` of an image from its white mask."""
    box = _content_box_of(mask)
    return box is not None and _bordered(box, mask.size)


def _bordered(box: Box, size: tuple[int, int]) -> bool:
    """Whether any side outside `box` is at least the minimum border width."""
    left, top, right, bottom = box
    width, height = size
    min_x = max(MIN_BORDER_PX, round(width * MIN_BORDER_SHARE))
    min_y = max(MIN_BORDER_PX, round(height * MIN_BORDER_SHARE))
    return left >= min_x or width - right >= min_x or top >= min_y or height - bottom >= min_y


def white_border(image: Image.Image) -> Box | None:
    """The content box when the image has a near-white border on at least one side, else None.

    An image that is near-white all over (a white product on white, a blank) has no content box
    to speak of and returns None: there is nothing to tell a frame from the goods.
    """
    box = _content_box(image)
    return box if box is not None and _bordered(box, image.size) else None


def has_white_border(image: Image.Image) -> bool:
    """Whether Kuaishou's "no white borders" rule would flag this image (see `white_border`)."""
    return white_border(image) is not None


class _Masked(NamedTuple):
    """An image and its white mask (`_white_mask`), carried together so it is computed once."""

    image: Image.Image
    mask: Image.Image
    border: bool | None = None  # `_border_in(mask)` where already known


def _trim(masked: _Masked) -> tuple[_Masked, str | None]:
    """The image inside its white border, or the image itself and why it was not trimmed."""
    image, mask, _ = masked
    box = _content_box_of(mask)
    if box is None:
        return masked, "the image is near-white all over (a white product?): kept untrimmed"
    if not _bordered(box, image.size):
        return masked, None
    left, top, right, bottom = box
    if (right - left) < image.width * MIN_CONTENT_SHARE or (
        bottom - top
    ) < image.height * MIN_CONTENT_SHARE:
        return masked, (
            f"the content inside the white border is only {right - left}×{bottom - top} px of "
            f"{image.width}×{image.height}: kept untrimmed rather than cut to a speck"
        )
    return _Masked(image.crop(box), mask.crop(box)), None


def trim_white_border(image: Image.Image) -> Image.Image:
    """The image cut to its content box; unchanged when it has no border or trimming would leave
    less than a tenth of a side (a white product on white is never trimmed into nothing)."""
    return _trim(_Masked(image, _white_mask(image)))[0].image


# -- 3:4 ---------------------------------------------------------------------------------------------


def is_three_four(width: int, height: int) -> bool:
    """3:4 (w:h) within a pixel of rounding."""
    return abs(width * 4 - height * 3) <= 4


def _frame_mask(size: tuple[int, int], *, horizontal: bool, vertical: bool) -> Image.Image:
    """L mask of the 2-px outer strips: left/right when `horizontal`, top/bottom when `vertical`."""
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


def _edge_colour(image: Image.Image, *, horizontal: bool = True, vertical: bool = True) -> RGB:
    """The median colour of the image's outer strips: its own background, as the photo shows it."""
    stat = ImageStat.Stat(image, _frame_mask(image.size, horizontal=horizontal, vertical=vertical))
    red, green, blue = (int(v) for v in stat.median[:3])
    return (red, green, blue)


def _subject_box(image: Image.Image, background: RGB) -> Box:
    """The bounding box of what differs from the background, found on a 4× reduced copy (which
    averages JPEG noise away and costs a sixteenth), then scaled back with a block of margin."""
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
    return _three_four(_Masked(image, _white_mask(image))).image


def _three_four(masked: _Masked) -> _Masked:
    """`to_three_four` of an image with its white mask, and the mask of the result."""
    image, mask, _ = masked
    width, height = image.size
    if is_three_four(width, height):
        return masked
    image = _rgb(image)
    background = _edge_colour(image)
    left, top, right, bottom = _subject_box(image, background)
    if width * 4 > height * 3:  # too wide: narrow it, or make it taller
        crop_width = round(height * 3 / 4)
        if right - left <= crop_width:
            x = _window(left, right, length=crop_width, total=width)
            window = (x, 0, x + crop_width, height)
            if not _border_in(cropped_mask := mask.crop(window)):
                return _Masked(image.crop(window), cropped_mask, border=False)
        fill = _edge_colour(image, horizontal=False, vertical=True)
        size = (width, round(width * 4 / 3))
    else:  # too tall: shorten it, or make it wider
        crop_height = round(width * 4 / 3)
        if bottom - top <= crop_height:
            y = _window(top, bottom, length=crop_height, total=height)
            window = (0, y, width, y + crop_height)
            if not _border_in(cropped_mask := mask.crop(window)):
                return _Masked(image.crop(window), cropped_mask, border=False)
        fill = _edge_colour(image, horizontal=True, vertical=False)
        size = (round(height * 3 / 4), height)
    if _is_near_white(fill):
        return _Masked(image, mask)
    offset = ((size[0] - width) // 2, (size[1] - height) // 2)
    canvas = Image.new("RGB", size, fill)
    canvas.paste(image, offset)
    canvas_mask = Image.new("L", size, 0)  # the fill is not near-white: no white pixel in it
    canvas_mask.paste(mask, offset)
    return _Masked(canvas, canvas_mask)


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
    else:
        image.convert("RGB").save(out, format="JPEG", quality=quality)
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


def _border_left(masked: _Masked) -> bool:
    return masked.border if masked.border is not None else _border_in(masked.mask)


def _prepare(data: bytes, *, main: bool) -> PreparedImage:
    """The white mask is computed once, on the decoded source, and follows every crop and
    extension; the output is judged by the pixels it was encoded from, not decoded again
    (decoding it once more and three masks per image were most of the cost, issue 19)."""
    source = _decode(data)
    fmt = _target_format(source)
    trimmed_image, note = _trim(_Masked(source, _white_mask(source)))
    trimmed = trimmed_image.image is not source
    result = trimmed_image
    if main:
        result = _three_four(trimmed_image)
        if not is_three_four(*result.image.size):
            note = note or "no 3:4 version: the edges are white and the goods fill the frame"
    changed = result.image is not source or bool(source.info.get("rotated_by_exif"))
    if not changed and source.format in _KUAISHOU_FORMATS and len(data) <= KUAISHOU_MAX_IMAGE_BYTES:
        final = _Encoded(data, str(source.format), source.size)
        reencoded, border_left = False, _border_left(result)
    else:
        final = _encoded_within(result.image, fmt=fmt, max_bytes=KUAISHOU_MAX_IMAGE_BYTES)
        reencoded = True
        border_left = (
            _border_left(result)
            if final.size == result.image.size
            else has_white_border(_decode(final.data))  # scaled down to fit: judge the output
        )
    width, height = final.size
    return PreparedImage(
        data=final.data,
        width=width,
        height=height,
        format=final.fmt,
        trimmed=trimmed,
        ratio_34=is_three_four(width, height),
        reencoded=reencoded,
        white_border_left=border_left,
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
