"""Main images of a draft: at least 3, borrowed from the item's own pictures when the source has fewer.

Kuaishou's service-market rule audits every publishing app for at least 3 main images per item
(seeds/kuaishou-service-market-publishing-rules.md, 考核项2), and a cheap Taobao or PDD listing often
has one or two. The item's other pictures show the same goods, so they are borrowed in the order
that keeps the gallery closest to what the seller chose (decision 29):

1. the source's main images, in their order (at most Kuaishou's 9);
2. SKU / spec-value images (the colour swatches: the product itself, usually on a plain ground),
   in the order the values first appear among the SKUs still on sale;
3. detail images from the description (which also hold size charts and banners, so they come last).

Only as many are borrowed as it takes to reach 3: a gallery the seller made longer is never padded.
URLs are compared as the parsers normalized them; identical pictures under two URLs are caught by
content hash at the `media` stage. Pure code: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from listings.images import MIN_MAIN_IMAGES
from listings.model import Listing, ListingData, SkuStatus, listing_data
from listings.quarantine import Problem, Stage

__all__ = [
    "MAX_MAIN_IMAGES",
    "MIN_MAIN_IMAGES",
    "MainGallery",
    "fill_main_images",
    "main_gallery",
    "too_few_main_images",
]

MAX_MAIN_IMAGES = 9  # [C] open.item.new imageUrls: at most 9


class MainGallery(BaseModel):
    """The main images a draft will carry, and how many of them were borrowed from where."""

    model_config = ConfigDict(frozen=True)

    urls: tuple[str, ...]
    from_source: int
    from_sku: int = 0
    from_detail: int = 0

    @property
    def borrowed(self) -> int:
        return self.from_sku + self.from_detail


def _sku_images(listing: ListingData) -> list[str]:
    """Spec-value images in the order the values first appear among the active SKUs."""
    skus = listing["skus"]
    active = [sku for sku in skus if sku.get("status", SkuStatus.NORMAL) == SkuStatus.NORMAL]
    seen: list[str] = []
    for sku in active or skus:
        for spec in sku.get("specs", ()):
            if spec.get("image_url"):
                seen.append(spec["image_url"])
    return seen


def _distinct(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(url.strip() for url in urls if url and url.strip()))


def fill_main_images(
    listing: Listing, *, minimum: int = MIN_MAIN_IMAGES, maximum: int = MAX_MAIN_IMAGES
) -> MainGallery:
    """The listing's main images, topped up to `minimum` from SKU images, then detail images.

    The result may still hold fewer than `minimum` when the listing has no more distinct pictures;
    `too_few_main_images` turns that into the quarantine problem.
    """
    return main_gallery(listing_data(listing), minimum=minimum, maximum=maximum)


def main_gallery(
    listing: ListingData, *, minimum: int = MIN_MAIN_IMAGES, maximum: int = MAX_MAIN_IMAGES
) -> MainGallery:
    """`fill_main_images` of a listing held as its JSON (what the drafts stage reads)."""
    own = _distinct(listing.get("main_images", ()))[:maximum]
    if len(own) >= minimum:  # most listings: nothing to borrow, no other picture to look at
        return MainGallery(urls=tuple(own), from_source=len(own))
    urls = list(own)
    counts = {"sku": 0, "detail": 0}
    for where, pool in (
        ("sku", _sku_images(listing)),
        ("detail", list(listing.get("detail_images", ()))),
    ):
        for url in _distinct(pool):
            if len(urls) >= minimum:
                break
            if url not in urls:
                urls.append(url)
                counts[where] += 1
    return MainGallery(
        urls=tuple(urls),
        from_source=len(own),
        from_sku=counts["sku"],
        from_detail=counts["detail"],
    )


def too_few_main_images(gallery: MainGallery, *, minimum: int = MIN_MAIN_IMAGES) -> Problem | None:
    """The drafting-stage quarantine for an item that has fewer than `minimum` distinct pictures
    even after borrowing, or None when it has enough."""
    if len(gallery.urls) >= minimum:
        return None
    have = len(gallery.urls)
    found = (
        f"{gallery.from_source} main, {gallery.from_sku} SKU and {gallery.from_detail} detail"
        if have
        else "no main, SKU or detail images"
    )
    return Problem(
        stage=Stage.DRAFT,
        reason_code="too_few_main_images",
        detail=f"main_images: the item has {have} distinct picture(s) ({found}); Kuaishou needs at "
        f"least {minimum} main images: add {minimum - have} more main image(s) on the source",
    )
