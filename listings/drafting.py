"""Canonical listing + category decision → Kuaishou draft, or the problems that stop it.

Kuaishou wants the full Cartesian product of at most 3 spec levels, every main-prop value with an image,
and prices of at least 1 fen. Sources give none of that for sure, so this module fills the gaps it can
(missing combinations become synthetic stock-0 SKUs, a 4th+ dimension is merged into the 3rd) and turns
the rest into quarantine problems that say what the merchant should fix.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, TypeAlias

from listings.category_decision import CategoryDecision, needs_review
from listings.draft import DraftData, KuaishouDraft
from listings.gallery import main_gallery, too_few_main_images
from listings.ids import rel_item_id, rel_sku_ids_of_product
from listings.migrations import Migration, PriceRule
from listings.model import (
    Listing,
    ListingData,
    ListingStatus,
    SkuStatus,
    SourcePlatform,
    listing_data,
)
from listings.pricing import apply_price_rule, market_price_fen
from listings.quarantine import Problem, Stage
from listings.titles import clean_title, derive_short_title

__all__ = [
    "MAX_SKUS",
    "MAX_SKU_LEVELS",
    "build_draft",
    "build_sku_matrix",
    "description_text",
    "draft_data_of",
]

MAX_SKU_LEVELS = 3
MAX_SKUS = 600
MAX_DETAIL_IMAGES = 50
MAX_DETAILS_CHARS = 2000
SINGLE_SPEC_NAME = "规格"
SINGLE_SPEC_VALUE = "标准款"

# A SKU and a spec value as the listing's JSON holds them (`Sku`, `SpecValue` dumped).
SkuData: TypeAlias = dict[str, Any]
SpecData: TypeAlias = dict[str, Any]
_NORMAL = SkuStatus.NORMAL.value  # a plain str: compared once per SKU

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def description_text(description_html: str | None) -> str:
    """The plain text of an HTML description (Kuaishou `details` is text, images go separately)."""
    if not description_html:
        return ""
    text = html.unescape(_TAG.sub(" ", description_html))
    return _SPACE.sub(" ", text).strip()


def _merged_specs(specs: Sequence[SpecData]) -> Sequence[SpecData]:
    """A SKU's specs with dimensions beyond the 3rd merged into the 3rd (颜色/尺码/套餐-型号)."""
    if len(specs) <= MAX_SKU_LEVELS:
        return specs
    head = specs[: MAX_SKU_LEVELS - 1]
    tail = specs[MAX_SKU_LEVELS - 1 :]
    merged = {
        "name": "/".join(spec["name"] for spec in tail),
        "value": "-".join(spec["value"] for spec in tail),
        "image_url": None,
    }
    return (*head, merged)


def _normal(value: str) -> str:
    """How Kuaishou may compare spec values: NFKC, case-folded, spaces removed (Ｌ = L = l)."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


@functools.lru_cache(maxsize=16_384)
def _suffixed(distinct: tuple[str, ...]) -> dict[str, str] | None:
    """The new name of each of a level's distinct values (in order of appearance) where values
    differ on the source but collide once normalized (`M`, `Ｍ` → `M`, `Ｍ(2)`), so every source
    SKU keeps its own cell instead of two SKUs fighting for one; None when nothing collides.
    Cached by the level's values: a shop repeats its colours and sizes over many listings."""
    normals = [_normal(value) for value in distinct]
    if len(set(normals)) == len(normals):
        return None  # the common case
    taken: dict[str, int] = {}
    mapping: dict[str, str] = {}
    for value, normal in zip(distinct, normals, strict=True):
        taken[normal] = taken.get(normal, 0) + 1
        mapping[value] = value if taken[normal] == 1 else f"{value}({taken[normal]})"
    return mapping


def _distinct_columns(columns: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """Each level's values, one per SKU, renamed where they collide (`_suffixed`), and each
    level's distinct values in order of appearance."""
    renamed = []
    values = []
    for column in columns:
        distinct = tuple(dict.fromkeys(column))
        mapping = _suffixed(distinct)
        if mapping is None:
            renamed.append(column)
            values.append(list(distinct))
        else:
            renamed.append([mapping[value] for value in column])
            values.append([mapping[value] for value in distinct])
    return renamed, values


class _RulePrices:
    """Sale and market prices under one price rule, each worked out once per source price:
    sources repeat a few prices over many SKUs and listings, and the Decimal arithmetic is the
    dear part. Held per rule object (`_prices_under`), not keyed by the rule: hashing a frozen
    model field by field on every lookup cost more than the lookup saved (issue 19)."""

    __slots__ = ("market", "rule", "sale")
    LIMIT = 16_384  # prices held per rule; past it the memo starts again

    def __init__(self, rule: PriceRule) -> None:
        self.rule = rule
        self.sale: dict[int, int] = {}
        self.market: dict[int, int | None] = {}

    def sale_of(self, price_fen: int) -> int:
        sale = self.sale.get(price_fen)
        if sale is None:
            if len(self.sale) >= self.LIMIT:
                self.sale.clear()
            sale = self.sale[price_fen] = apply_price_rule(price_fen, self.rule)
        return sale

    def market_of(self, highest_sale_fen: int) -> int | None:
        if highest_sale_fen not in self.market:
            if len(self.market) >= self.LIMIT:
                self.market.clear()
            self.market[highest_sale_fen] = market_price_fen(highest_sale_fen, self.rule)
        return self.market[highest_sale_fen]


_held_prices: dict[int, _RulePrices] = {}


def _prices_under(rule: PriceRule) -> _RulePrices:
    """The memo of `rule` (by identity: the entry holds the rule, so its id is not reused)."""
    held = _held_prices.get(id(rule))
    if held is None or held.rule is not rule:
        if len(_held_prices) >= 64:
            _held_prices.clear()
        held = _held_prices[id(rule)] = _RulePrices(rule)
    return held


def build_sku_matrix(
    listing: Listing, *, item_rel_id: int, migration: Migration
) -> tuple[dict[str, Any], ...] | Problem:
    """The full SKU matrix of a listing, filled and priced, or the problem that prevents it.

    Each cell is plain data in `DraftSku`'s field order (see `draft_data_of` for why): every value
    is one the checks below admit (price ≥ 1 fen, stock clamped, ids positive).
    """
    return _sku_matrix(
        listing_data(listing)["skus"],
        main_images=listing.main_images,
        item_rel_id=item_rel_id,
        migration=migration,
    )


def _sku_matrix(
    skus: Sequence[SkuData],
    *,
    main_images: Sequence[str],
    item_rel_id: int,
    migration: Migration,
) -> tuple[dict[str, Any], ...] | Problem:
    """`build_sku_matrix` of the SKUs as the listing's JSON holds them."""
    active = [sku for sku in skus if sku.get("status", _NORMAL) == _NORMAL]
    if not active:
        return Problem(
            stage=Stage.DRAFT,
            reason_code="no_active_sku",
            detail="skus: every SKU is deleted on the source; restore at least one SKU",
        )
    fallback_image = main_images[0] if main_images else None
    # Every SKU has the first one's dimensions (`Listing` checks it), so one look at the first
    # tells whether any needs merging.
    specs_of: list[Sequence[SpecData]] = [sku.get("specs", ()) for sku in active]
    if len(specs_of[0]) > MAX_SKU_LEVELS:
        specs_of = [_merged_specs(specs) for specs in specs_of]
    names = [spec["name"] for spec in specs_of[0]]
    if not names:
        if len(active) > 1:
            return Problem(
                stage=Stage.DRAFT,
                reason_code="ambiguous_skus",
                detail="skus: several SKUs without specs; give each SKU a spec value on the source",
            )
        specs_of = [({"name": SINGLE_SPEC_NAME, "value": SINGLE_SPEC_VALUE, "image_url": None},)]
        names = [SINGLE_SPEC_NAME]

    # Level by level (a column of the SKUs' specs): each level's values in order of appearance
    # and the first image of each value; then the SKU at each coordinate (a later duplicate wins).
    spec_columns = list(zip(*specs_of, strict=True))
    columns, values = _distinct_columns(
        [[spec["value"] for spec in column] for column in spec_columns]
    )
    images: list[dict[str, str]] = []
    for spec_column, column in zip(spec_columns, columns, strict=True):
        level_images: dict[str, str] = {}
        for spec, value in zip(spec_column, column, strict=True):
            image = spec.get("image_url")
            if image and value not in level_images:
                level_images[value] = image
        images.append(level_images)
    by_key: dict[tuple[str, ...], SkuData] = dict(
        zip(zip(*columns, strict=True), active, strict=True)
    )
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

    prices = _prices_under(migration.pricing)
    price_of = {p: prices.sale_of(p) for p in {sku["price_fen"] for sku in by_key.values()}}
    lowest = min(price_of.values())
    if lowest < 1:
        worst = next(key for key, sku in by_key.items() if price_of[sku["price_fen"]] == lowest)
        return Problem(
            stage=Stage.DRAFT,
            reason_code="price_not_positive",
            detail=f"skus[{'/'.join(worst) or 'default'}].price: {lowest} fen after the "
            "price rule; Kuaishou needs at least 1 fen: fix the source price or the price rule",
        )
    filler_price = max(price_of.values())
    market = prices.market_of(filler_price)

    # Each value's prop is built once and shared by every cell that carries it, and a cell is a
    # dict, not a model: building ~25 cells × 3 models one by one was the largest cost of the
    # drafts stage (issue 19). The cells, their props and their ids all come in
    # `itertools.product` order of the levels' values.
    level_props = [
        [
            {
                "name": name,
                "value": value,
                "is_main": level == main_level,
                "image_url": (images[level].get(value) or fallback_image)
                if level == main_level
                else None,
            }
            for value in level_values
        ]
        for level, (name, level_values) in enumerate(zip(names, values, strict=True))
    ]
    cells = zip(
        itertools.product(*values),
        itertools.product(*level_props),
        rel_sku_ids_of_product(item_rel_id=item_rel_id, levels=values),
        strict=True,
    )
    matrix: list[dict[str, Any]] = []
    append, find = matrix.append, by_key.get
    for combo, props, sku_id in cells:
        source = find(combo)
        if source is None:  # a combination the source lacks: stock 0 at the highest price
            append(
                {
                    "rel_sku_id": sku_id,
                    "source_sku_id": None,
                    "props": props,
                    "price_fen": filler_price,
                    "stock": 0,
                    "market_price_fen": market,
                    "nick": None,
                    "synthetic": True,
                }
            )
            continue
        append(
            {
                "rel_sku_id": sku_id,
                "source_sku_id": source["source_sku_id"],
                "props": props,
                "price_fen": price_of[source["price_fen"]],
                "stock": min(source["stock"], 9_999_999),
                "market_price_fen": market,
                "nick": source.get("outer_id") or None,
                "synthetic": False,
            }
        )
    return tuple(matrix)


def _selling_point(selling_point: str | None) -> str | None:
    """The source's selling point when it fits Kuaishou's limits (>8, <24 characters); it is optional,
    so one that does not fit is left out rather than failing the item."""
    candidate = (selling_point or "").strip()
    return candidate if 8 < len(candidate) < 24 else None


def build_draft(
    listing: Listing,
    *,
    decision: CategoryDecision,
    migration: Migration,
    forbidden_words: Sequence[str] = (),
    allowed_refund_rules: Sequence[str] | None = None,
    known_rel_item_id: int | None = None,
) -> KuaishouDraft | Problem:
    """The Kuaishou draft of one listing under a migration's rules: `draft_data_of` the listing
    as its JSON holds it (one implementation of the rules for every caller), validated.

    `forbidden_words` is the shipped list (data/forbidden_words.txt); the migration's own
    `titles.extra_forbidden_words` are added there. `allowed_refund_rules` is the category's
    `refundRuleList` from open.item.category.config when known (None: not checked).
    `known_rel_item_id` is the id the ledger already holds for this item, which it keeps; else
    the id is derived (`listings.ids.rel_item_id`).
    """
    data = draft_data_of(
        listing_data(listing),
        decision=decision,
        migration=migration,
        forbidden_words=forbidden_words,
        allowed_refund_rules=allowed_refund_rules,
        known_rel_item_id=known_rel_item_id,
    )
    return data if isinstance(data, Problem) else KuaishouDraft.model_validate(data)


def draft_data_of(
    listing: ListingData,
    *,
    decision: CategoryDecision,
    migration: Migration,
    forbidden_words: Sequence[str] = (),
    allowed_refund_rules: Sequence[str] | None = None,
    known_rel_item_id: int | None = None,
) -> DraftData | Problem:
    """The Kuaishou draft of a listing held as its JSON, as plain data: what
    `KuaishouDraft.model_dump()` would hold, every field in order. The listing is a `listings` row
    as a JSON parser reads it (what the drafts stage does), or `listing_data(listing)`.

    The drafts stage reads and serializes it without a model on either side (`pipeline.drafts`):
    normalize validated the listing before it wrote the row, and every value made here is
    checked here, so building the ~40 models of a listing and the ~75 of its draft again would
    only cost (issue 19, decisions 82 and 86); `build_draft` validates the draft for everyone
    else. Fields a `Listing` defaults are read with the same defaults.
    """
    status = listing.get("status", ListingStatus.ONSALE)
    movable = (
        (ListingStatus.ONSALE, ListingStatus.OFFSHELF)
        if migration.source.include_inventory
        else (ListingStatus.ONSALE,)
    )
    if status not in movable:
        return Problem(
            stage=Stage.DRAFT,
            reason_code="source_not_onsale",
            detail=f"status: the item is {ListingStatus(status).value} on the source; "
            "put it on sale there to move it",
        )
    if decision.category_id is None or decision.path is None:
        return Problem(
            stage=Stage.CATEGORY,
            reason_code="category_unmatched",
            detail="category: no Kuaishou leaf matches the title or source category; "
            "add an override for its source category",
        )
    if needs_review(decision, min_confidence=migration.category.min_confidence):
        runners = "; ".join(
            f"{c.category_id} {c.path} ({c.score:.2f})" for c in decision.candidates
        )
        return Problem(
            stage=Stage.CATEGORY,
            reason_code="category_uncertain",
            detail=f"category: best match {decision.path} has confidence {decision.confidence:.2f} "
            f"< {migration.category.min_confidence}; candidates: {runners}; "
            "choose one in `banjia categories review export`, then import it",
        )
    gallery = main_gallery(listing)
    too_few = too_few_main_images(gallery)
    if too_few is not None:
        return too_few
    main_images = gallery.urls  # the listing's own, or topped up: the draft's from here on
    refund = migration.service.refund_rule
    if allowed_refund_rules is not None and refund not in allowed_refund_rules:
        return Problem(
            stage=Stage.DRAFT,
            reason_code="refund_rule_not_allowed",
            detail=f"service.refund_rule: the migration's refund rule {refund!r} is not allowed in "
            f"category {decision.category_id} {decision.path}, which allows "
            f"{', '.join(allowed_refund_rules) or 'none'}; change the rule or the category",
        )
    words = (*forbidden_words, *migration.titles.extra_forbidden_words)
    action = migration.titles.forbidden_words
    source_title = listing["title"]
    title = clean_title(source_title, forbidden=words, action=action)
    if isinstance(title, Problem):
        return title
    derived = derive_short_title(tiny_name=listing.get("short_title"), title=title)
    short = clean_title(derived, forbidden=words, action="remove") if derived else None
    short_title = short if isinstance(short, str) and 4 < len(short) < 20 else None
    platform = SourcePlatform(listing["platform"])
    item_rel_id = known_rel_item_id or rel_item_id(
        target_shop=migration.kuaishou_shop_key,
        platform=platform.value,
        shop_id=listing["shop_id"],
        source_item_id=listing["source_item_id"],
    )
    matrix = _sku_matrix(
        listing["skus"], main_images=main_images, item_rel_id=item_rel_id, migration=migration
    )
    if isinstance(matrix, Problem):
        return matrix
    detail_images = tuple(listing.get("detail_images", ())[:MAX_DETAIL_IMAGES]) or main_images
    details = description_text(listing.get("description_html")) or source_title
    return {
        "migration": migration.key,
        "platform": platform,
        "shop_id": listing["shop_id"],
        "source_item_id": listing["source_item_id"],
        "rel_item_id": item_rel_id,
        "category_id": decision.category_id,
        "category_name": decision.path.split(">")[-1],
        "title": title,
        "short_title": short_title,
        "selling_point": _selling_point(listing.get("selling_point")),
        "details": details[:MAX_DETAILS_CHARS],
        "main_images": main_images,
        "borrowed_main_images": gallery.borrowed,
        "detail_images": detail_images,
        "video_url": listing.get("video_url"),
        "skus": matrix,
        "item_props": (),
        "refund_rule": refund,
        "promise_delivery_time_s": migration.service.promise_delivery_time_s,
        "express_template_id": migration.target.express_template_id,
        "origin_url": listing["origin_url"],
        "seller_name": listing.get("seller_name") or migration.source.shop_name,
    }
