"""Detail images out of a seller's HTML description.

Kuaishou takes the description as text (`details`) plus a list of detail images (`detailImageUrls`,
1–50 Kuaishou-hosted URLs [C: reference/kuaishou-api.md §2]). The sources give HTML full of things
that are not detail pictures: links and `<map>/<area>` image maps back to the source shop,
lazy-loading placeholders whose real address is in a `data-*` attribute, 1×1 spacers, inline
`data:` images, and the same picture pasted twice. This module keeps only the pictures, in order,
each once, canonical (`listings.images.normalize_image_url`).

A real HTML parser (the standard library's) reads the markup: sellers write attributes in any
order, entities in URLs and unclosed tags. It is also the slowest part of parsing an item (issue
19), so markup without the constructs where a tag-level scan could differ from it (comments,
scripts, styles, CDATA, processing instructions, a `<` inside an attribute value) is read by
`_IMG_TAG` instead: every `<img>` tag with its attributes, quoted in any style, in any order,
entities unescaped, exactly as the parser would hand them over. The tests compare both.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html import unescape
from html.parser import HTMLParser
from typing import Final

from listings.images import HTTPS_IMAGE_HOSTS, normalize_image_url

__all__ = ["DETAIL_IMAGE_LIMIT", "detail_images", "img_sources"]

DETAIL_IMAGE_LIMIT: Final = 50
"""`detailImageUrls` of open.item.new: 1–50 [C]. (The later update call allows 20; not used here.)"""

_LAZY_ATTRIBUTES: Final = ("data-ks-lazyload", "data-lazyload", "data-original", "data-src")
"""Where Taobao/Tmall (`data-ks-lazyload`) and common lazy loaders keep the real address."""

_SPACERS: Final = ("spaceball.gif", "blank.gif", "spacer.gif", "pixel.gif")


def _is_spacer(src: str, attrs: dict[str, str]) -> bool:
    """A layout pixel, not a picture: a known spacer file or declared 1–2 px wide/high."""
    if src.rsplit("/", 1)[-1].split("?", 1)[0].lower() in _SPACERS:
        return True
    for name in ("width", "height"):
        value = attrs.get(name, "").strip().lower().removesuffix("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return False


_IMG_TAG: Final = re.compile(r"""<img(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.IGNORECASE)
_ATTRIBUTE: Final = re.compile(r"""([^\s/>="']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_SLOW_MARKUP: Final = re.compile(r"<\s*(?:!|\?|script|style|textarea|title|xmp|plaintext)", re.I)
"""Where a tag-level scan and the HTML parser may disagree: there the parser reads the markup."""
_QUOTED_LT: Final = re.compile(r"""="[^"]*<|='[^']*<""")


def _source_of(attrs: dict[str, str]) -> str | None:
    """The picture address of one `<img>` tag's attributes (names lower-case, values stripped)."""
    for name in _LAZY_ATTRIBUTES:
        src = attrs.get(name)
        if src:
            break
    else:
        src = attrs.get("src", "")
    if src and not src.lower().startswith("data:") and not _is_spacer(src, attrs):
        return src
    return None


def _scanned_sources(html: str) -> list[str]:
    """`img_sources` by a tag-level scan (for markup `_SLOW_MARKUP` does not find)."""
    sources: list[str] = []
    for tag in _IMG_TAG.finditer(html):
        attrs: dict[str, str] = {}
        for name, raw in _ATTRIBUTE.findall(tag.group(1)):
            value = raw[1:-1] if raw[:1] in ("'", '"') and raw[-1:] == raw[:1] else raw
            if "&" in value:
                value = unescape(value)
            attrs[name.lower()] = value.strip()  # the last one wins
        src = _source_of(attrs)
        if src:
            sources.append(src)
    return sources


class _ImgSrcCollector(HTMLParser):
    """Collects the address of every `<img>` in document order; `<a>`, `<map>`, `<area>` add none."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() != "img":
            return
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        src = _source_of(values)
        if src:
            self.sources.append(src)


def img_sources(html: str | None) -> list[str]:
    """The picture addresses of a description's `<img>` tags, in order, as written.

    The lazy-load attribute wins over `src` (whose value is then a placeholder); inline `data:`
    images and spacers are left out. Links and image maps contribute nothing: only `<img>` counts.
    """
    if not html:
        return []
    if not _SLOW_MARKUP.search(html) and not _QUOTED_LT.search(html):
        return _scanned_sources(html)
    return parsed_img_sources(html)


def parsed_img_sources(html: str) -> list[str]:
    """`img_sources` read by the standard library's HTML parser (any markup)."""
    collector = _ImgSrcCollector()
    collector.feed(html)
    collector.close()
    return collector.sources


def detail_images(
    html: str | None,
    *,
    https_domains: Collection[str] = HTTPS_IMAGE_HOSTS,
    base: str | None = None,
    limit: int = DETAIL_IMAGE_LIMIT,
) -> tuple[str, ...]:
    """The description's detail images: normalised, first occurrence kept, at most `limit`.

    Dedupe runs on the normalised URL, so `//a.jpg`, `http://a.jpg` and `a.jpg?__r__=1` are one.
    """
    seen: dict[str, None] = {}
    for src in img_sources(html):
        url = normalize_image_url(src, https_domains=https_domains, base=base)
        if url:
            seen.setdefault(url, None)
        if len(seen) >= limit:
            break
    return tuple(seen)
