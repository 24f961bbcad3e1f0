"""Canonical listing + category decision → Kuaishou draft, or the problems that stop it.

Kuaishou wants the full Cartesian product of at most 3 spec levels, every main-prop value with an image,
and prices of at least 1 fen. Sources give none of that for sure, so this module fills the gaps it can
(missing combinations become synthetic stock-0 SKUs, a 4th+ dimension is merged into the 3rd) and turns
the rest into quarantine problems that say what the merchant should fix.
"""

from __future__ import annotations

import html
import itertools
import re

from listings.categories import CategoryDecision
from listings.draft import DraftSku, DraftSkuProp, KuaishouDraft
from listings.ids import rel_item_id, rel_sku_id
from listings.migrations import Migration
from listings.model import Listing, ListingStatus, Sku, SpecValue
from listings.pricing import apply_price_rule
from listings.quarantine import Problem, Stage

__all__ = ["MAX_SKUS", "MAX_SKU_LEVELS", "build_draft", "build_sku_matrix", "description_text"]

MAX_SKU_LEVELS = 3
MAX_SKUS = 600
MAX_MAIN_IMAGES = 9
MAX_DETAIL_IMAGES = 50
MAX_DETAILS_CHARS = 2000
SINGLE_SPEC_NAME = "规格"
SINGLE_SPEC_VALUE = "标准款"

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def description_text(description_html: str | None) -> str:
    """The plain text of an HTML description (Kuaishou `details` is text, images go separately)."""
    if not description_html:
        return ""
    text = html.unescape(_TAG.sub(" ", description_html))
    return _SPACE.sub(" ", text).strip()


def _merged_specs(sku: Sku) -> tuple[SpecValue, ...]:
    """A SKU's specs with dimensions beyond the 3rd merged into the 3rd (颜色/尺码/套餐-型号)."""
    if len(sku.specs) <= MAX_SKU_LEVELS:
        return sku.specs
    head = sku.specs[: MAX_SKU_LEVELS - 1]
    tail = sku.specs[MAX_SKU_LEVELS - 1 :]
    merged = SpecValue(
        name="/".join(spec.name for spec in tail),
        value="-".join(spec.value for spec in tail),
    )
    return (*head, merged)


def build_sku_matrix(
    listing: Listing, *, item_rel_id: int, migration: Migration
) -> tuple[DraftSku, ...] | Problem:
    """The full SKU matrix of a listing, filled and priced, or the problem that prevents it."""
    active = listing.active_skus
    if not active:
        return Problem(
            stage=Stage.DRAFT,
            reason_code="no_active_sku",
            detail="skus: every SKU is deleted on the source; restore at least one SKU",
        )
    fallback_image = listing.main_images[0] if listing.main_images else None
    rows = [(sku, _merged_specs(sku)) for sku in active]
    names = [spec.name for spec in rows[0][1]]
    if not names:
        if len(rows) > 1:
            return Problem(
                stage=Stage.DRAFT,
                reason_code="ambiguous_skus",
                detail="skus: several SKUs without specs; give each SKU a spec value on the source",
            )
        rows = [
            (
                rows[0][0],
                (SpecValue(name=SINGLE_SPEC_NAME, value=SINGLE_SPEC_VALUE, image_url=None),),
            )
        ]
        names = [SINGLE_SPEC_NAME]

    values: list[list[str]] = [[] for _ in names]
    images: list[dict[str, str]] = [{} for _ in names]
    for _, specs in rows:
        for level, spec in enumerate(specs):
            if spec.value not in values[level]:
                values[level].append(spec.value)
            if spec.image_url and spec.value not in images[level]:
                images[level][spec.value] = spec.image_url
    main_level = next((level for level, imgs in enumerate(images) if imgs), 0)

    size = 1
    for level_values in values:
        size *= len(level_values)
    if size > MAX_SKUS:
        shape = " × ".join(f"{name}({len(v)})" for name, v in zip(names, values, strict=True))
        return Problem(
            stage=Stage.DRAFT,
            reason_code="too_many_skus",
            detail=f"skus: {shape} = {size} combinations, Kuaishou allows {MAX_SKUS}; "
            "split the listing or drop spec values on the source",
        )

    by_key = {tuple(spec.value for spec in specs): sku for sku, specs in rows}
    prices = {
        key: apply_price_rule(sku.price_fen, migration.pricing) for key, sku in by_key.items()
    }
    if min(prices.values()) < 1:
        worst = min(prices, key=lambda key: prices[key])
        return Problem(
            stage=Stage.DRAFT,
            reason_code="price_not_positive",
            detail=f"skus[{'/'.join(worst) or 'default'}].price: {prices[worst]} fen after the "
            "price rule; Kuaishou needs at least 1 fen: fix the source price or the price rule",
        )
    filler_price = max(prices.values())

    matrix: list[DraftSku] = []
    for combo in itertools.product(*values):
        props = tuple(
            DraftSkuProp(
                name=name,
                value=value,
                is_main=level == main_level,
                image_url=(images[level].get(value) or fallback_image)
                if level == main_level
                else None,
            )
            for level, (name, value) in enumerate(zip(names, combo, strict=True))
        )
        source = by_key.get(combo)
        matrix.append(
            DraftSku(
                rel_sku_id=rel_sku_id(item_rel_id=item_rel_id, spec_values=combo),
                source_sku_id=source.source_sku_id if source else None,
                props=props,
                price_fen=prices[combo] if source else filler_price,
                stock=min(source.stock, 9_999_999) if source else 0,
                nick=(source.outer_id or None) if source else None,
                synthetic=source is None,
            )
        )
    return tuple(matrix)


def _selling_point(listing: Listing) -> str | None:
    """The source's selling point when it fits Kuaishou's limits (>8, <24 characters); it is optional,
    so one that does not fit is left out rather than failing the item."""
    candidate = (listing.selling_point or "").strip()
    return candidate if 8 < len(candidate) < 24 else None


def _short_title(listing: Listing) -> str | None:
    candidate = (listing.short_title or "").strip()
    return candidate if 4 < len(candidate) < 20 else None


def build_draft(
    listing: Listing, *, decision: CategoryDecision, migration: Migration
) -> KuaishouDraft | Problem:
    """The Kuaishou draft of one listing under a migration's rules."""
    movable = (
        (ListingStatus.ONSALE, ListingStatus.OFFSHELF)
        if migration.source.include_inventory
        else (ListingStatus.ONSALE,)
    )
    if listing.status not in movable:
        return Problem(
            stage=Stage.DRAFT,
            reason_code="source_not_onsale",
            detail=f"status: the item is {listing.status.value} on the source; "
            "put it on sale there to move it",
        )
    if decision.category_id is None or decision.path is None:
        return Problem(
            stage=Stage.CATEGORY,
            reason_code="category_unmatched",
            detail="category: no Kuaishou leaf matches the title or source category; "
            "add an override for its source category",
        )
    if decision.confidence < migration.category.min_confidence:
        runners = "; ".join(
            f"{c.category_id} {c.path} ({c.score:.2f})" for c in decision.candidates
        )
        return Problem(
            stage=Stage.CATEGORY,
            reason_code="category_uncertain",
            detail=f"category: best match {decision.path} has confidence {decision.confidence:.2f} "
            f"< {migration.category.min_confidence}; candidates: {runners}; "
            "confirm one as an override",
        )
    if not listing.main_images:
        return Problem(
            stage=Stage.DRAFT,
            reason_code="no_main_image",
            detail="main_images: the item has no main image; add one on the source",
        )
    item_rel_id = rel_item_id(
        platform=listing.platform.value,
        shop_id=listing.shop_id,
        source_item_id=listing.source_item_id,
    )
    matrix = build_sku_matrix(listing, item_rel_id=item_rel_id, migration=migration)
    if isinstance(matrix, Problem):
        return matrix
    main_images = listing.main_images[:MAX_MAIN_IMAGES]
    detail_images = listing.detail_images[:MAX_DETAIL_IMAGES] or main_images
    details = description_text(listing.description_html) or listing.title
    return KuaishouDraft(
        migration=migration.key,
        platform=listing.platform,
        shop_id=listing.shop_id,
        source_item_id=listing.source_item_id,
        rel_item_id=item_rel_id,
        category_id=decision.category_id,
        category_name=decision.path.split(">")[-1],
        title=listing.title,
        short_title=_short_title(listing),
        selling_point=_selling_point(listing),
        details=details[:MAX_DETAILS_CHARS],
        main_images=main_images,
        detail_images=detail_images,
        video_url=listing.video_url,
        skus=matrix,
        refund_rule=migration.service.refund_rule,
        promise_delivery_time_s=migration.service.promise_delivery_time_s,
        express_template_id=migration.target.express_template_id,
        origin_url=listing.origin_url,
        seller_name=listing.seller_name or migration.source.shop_name,
    )
