"""Detail images out of a seller's HTML description.

Kuaishou takes the description as text (`details`) plus a list of detail images (`detailImageUrls`,
1–50 Kuaishou-hosted URLs [C: reference/kuaishou-api.md §2]). The sources give HTML full of things
that are not detail pictures: links and `<map>/<area>` image maps back to the source shop,
lazy-loading placeholders whose real address is in a `data-*` attribute, 1×1 spacers, inline
`data:` images, and the same picture pasted twice. This module keeps only the pictures, in order,
each once, canonical (`listings.images.normalize_image_url`).

A real HTML parser (the standard library's) reads the markup: sellers write attributes in any
order, entities in URLs and unclosed tags, which regular expressions get wrong.
"""

from __future__ import annotations

from collections.abc import Collection
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


class _ImgSrcCollector(HTMLParser):
    """Collects the address of every `<img>` in document order; `<a>`, `<map>`, `<area>` add none."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() != "img":
            return
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        lazy = next((values[name] for name in _LAZY_ATTRIBUTES if values.get(name)), "")
        src = lazy or values.get("src", "")
        if src and not src.lower().startswith("data:") and not _is_spacer(src, values):
            self.sources.append(src)


def img_sources(html: str | None) -> list[str]:
    """The picture addresses of a description's `<img>` tags, in order, as written.

    The lazy-load attribute wins over `src` (whose value is then a placeholder); inline `data:`
    images and spacers are left out. Links and image maps contribute nothing: only `<img>` counts.
    """
    if not html:
        return []
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
