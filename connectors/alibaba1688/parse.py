"""1688 `productInfo` JSON → the canonical `Listing`.

Every quirk of the 1688 payload is resolved here, once:

- Images: main and SKU images are relative `img/ibank/...` paths, prefixed with `image_base`
  (`https://cbu01.alicdn.com/` in production; the pipeline passes the sandbox's host there). The
  `?__r__=` cache-buster is dropped and CDN thumbnail/format suffixes (`.jpg_.webp`,
  `.jpg_400x400q90.jpg`, `.310x310.jpg`) are cut back to the original picture: same image, stable
  URL, full resolution, and duplicates collapse.
- Prices are yuan doubles → integer fen through `Decimal` (never a float). Which price a SKU gets:
    * mode distribute: `consignPrice` (分销基准价) of the SKU, else of saleInfo, when set (> 0);
    * quoteType 1: the SKU's `price`; quoteType 3: the SKU's own `priceRange` tiers;
    * quoteType 0/2 (and a SKU with no price): saleInfo `priceRanges`, the tier that covers buying
      one piece, else the lowest tier (reference §4.5).
  A minimum order quantity above 1 is kept as the item prop `起订量` (MOQ_PROP): the tier price of
  an MOQ item is a wholesale price for several pieces, which later stages must know.
- Specs: one SKU `attributes` entry per dimension, named by `attributeDisplayName`/`attributeName`,
  else the offer-level attribute of the same id, else 1688's standard ids (3216 颜色, 450 尺码). The
  attribute that carries `skuImageUrl` is the main spec: each of its values gets the first image
  any SKU gives it (1688 often puts the image on the first SKU of a colour only).
- `specId` is the source SKU id (orders use it), falling back to `skuId`.
- Status (reference §4.12, DESIGN: only on-sale listings move): published → ONSALE; member deleted,
  deleted, TBD (to be deleted) → DELETED; expired, auto expired, member expired, auditing, new,
  modified, approved, untread → OFFSHELF (they exist but are not on sale now; approved is
  "审批通过", not yet 上网 [I]). A missing status reads as published, as the list call filters it.
- `subject` is the title; 1688 caps it at 128 characters, so anything longer (a proxy's
  concatenation) is cut there (the raw payload keeps it whole).
- The description HTML loses its `<map>/<area>` image-map links (they point back to 1688) before it
  is stored; detail images are its `<img src>`s, normalized and deduplicated.

Anything that cannot be read raises `ParseProblem` (`connectors.content`'s, shared by every source
parser so every source quarantines the same way) naming the field and what to fix on 1688.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal, get_args

from pydantic import ValidationError

from connectors.alibaba1688.models import (
    AopPriceRange,
    AopProductInfo,
    AopSaleInfo,
    AopSkuAttribute,
    AopSkuInfo,
)
from connectors.content import (
    ALICDN_DOMAINS,
    ParseProblem,
    dedupe,
    parser_failure,
    price_range_problem,
    read_time,
    validation_problem,
    yuan_to_fen,
)
from listings import description, images
from listings.images import strip_image_suffix
from listings.model import (
    ItemProp,
    Listing,
    ListingStatus,
    Sku,
    SourceCategory,
    SourcePlatform,
    SpecValue,
)

__all__ = [
    "DEFAULT_IMAGE_BASE",
    "KNOWN_SKU_ATTRIBUTES",
    "MAX_SUBJECT_CHARS",
    "MOQ_PROP",
    "Mode",
    "ParseProblem",
    "clean_description",
    "origin_url",
    "parse_product",
    "strip_image_suffix",
    "yuan_amount_to_fen",
]

Mode = Literal["move", "distribute"]
MODES: Final = get_args(Mode)
DEFAULT_IMAGE_BASE: Final = "https://cbu01.alicdn.com/"
MOQ_PROP: Final = "起订量"
"""Item prop carrying saleInfo.minOrderQuantity when it is above 1."""
MAX_SUBJECT_CHARS: Final = 128
KNOWN_SKU_ATTRIBUTES: Final[dict[int, str]] = {3216: "颜色", 450: "尺码"}
"""1688's standard SKU attribute ids, for SKUs that send no display name (the official sample
does not). 3216 = 颜色 is the SDK docs' own example ("3216" → "白色"/"黑色"); 450 = 尺码 [I]."""

_STATUS: Final[dict[str, ListingStatus]] = {
    "published": ListingStatus.ONSALE,
    "member deleted": ListingStatus.DELETED,
    "deleted": ListingStatus.DELETED,
    "tbd": ListingStatus.DELETED,
    "expired": ListingStatus.OFFSHELF,
    "auto expired": ListingStatus.OFFSHELF,
    "member expired": ListingStatus.OFFSHELF,
    "auditing": ListingStatus.OFFSHELF,
    "new": ListingStatus.OFFSHELF,
    "modified": ListingStatus.OFFSHELF,
    "approved": ListingStatus.OFFSHELF,
    "untread": ListingStatus.OFFSHELF,
}
_AOP_TIME = "%Y%m%d%H%M%S%f%z"
_MAP_BLOCK = re.compile(r"<map\b[^>]*>.*?</map\s*>", re.IGNORECASE | re.DOTALL)
_MAP_TAGS = re.compile(r"</?(?:map|area)\b[^>]*>", re.IGNORECASE)
_USEMAP = re.compile(r"\s+usemap\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)


# -- money -------------------------------------------------------------------------------------------


def yuan_amount_to_fen(amount: Decimal | float | int | str) -> int:
    """A yuan amount as 1688 sends it (a JSON double) → integer fen, exactly.

    Floats go through their shortest repr (17.1 → "17.1" → 1710), then the shared Decimal
    conversion (`connectors.content.yuan_to_fen`); more than two decimals, negatives and
    non-numbers raise ValueError.
    """
    if isinstance(amount, bool):
        raise ValueError(f"{amount!r} is not a yuan amount")
    try:
        if isinstance(amount, float):
            amount = Decimal(repr(amount))
        elif not isinstance(amount, Decimal):
            amount = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not a yuan amount") from None
    if not amount.is_finite():
        raise ValueError(f"{amount} is not a yuan amount")
    return yuan_to_fen(format(amount, "f"))


# -- images and description --------------------------------------------------------------------------


def _image_url(url: str | None, *, image_base: str = DEFAULT_IMAGE_BASE) -> str | None:
    """An absolute, canonical image URL for what 1688 sends (None for blanks and data: URIs).

    Relative paths get `image_base`; Alibaba CDN URLs become https; `__r__` is dropped from the
    query; variant suffixes are stripped on Alibaba hosts and on any `/img/ibank/` path (the image
    bank layout, also what the sandbox serves). The rules live in `listings.images`, shared by all
    sources.
    """
    return images.normalize_image_url(url, https_domains=ALICDN_DOMAINS, base=image_base)


def clean_description(html: str | None) -> str | None:
    """The description without its `<map>/<area>` image-map links (and `usemap` pointing at them)."""
    if html is None:
        return None
    cleaned = _MAP_BLOCK.sub("", html)
    cleaned = _MAP_TAGS.sub("", cleaned)
    cleaned = _USEMAP.sub("", cleaned)
    return cleaned if cleaned.strip() else None


def _detail_images(html: str | None, *, image_base: str) -> tuple[str, ...]:
    return description.detail_images(html, https_domains=ALICDN_DOMAINS, base=image_base)


def origin_url(product_id: int | str) -> str:
    """The public offer page Kuaishou's supply report needs as `originItemUrl`."""
    return f"https://detail.1688.com/offer/{product_id}.html"


# -- the parser --------------------------------------------------------------------------------------

SpecRow = list[tuple[int, str, str, str | None]]  # (attributeID, name, value, image path)


class _ProductParser:
    """Holds one offer's lookups (attribute names, mode, image host) while its SKUs are built."""

    def __init__(self, info: AopProductInfo, *, mode: Mode, image_base: str) -> None:
        self.info = info
        self.item_id = str(info.productID)
        self.mode = mode
        self.image_base = image_base
        self.sale = info.saleInfo or AopSaleInfo()
        self.attribute_names = {
            attr.attributeID: attr.attributeName.strip()
            for attr in info.attributes
            if attr.attributeID is not None and attr.attributeName and attr.attributeName.strip()
        }
        self._fen: dict[str, int] = {}
        self._images: dict[str | None, str | None] = {}

    def problem(self, field: str, reason: str) -> ParseProblem:
        return ParseProblem(item_id=self.item_id, field=field, reason=reason)

    def image(self, url: str | None) -> str | None:
        """`_image_url` of `url`, each distinct one read once per offer (1688 repeats a colour's
        image on every SKU of it)."""
        if url in self._images:
            return self._images[url]
        normalized = self._images[url] = _image_url(url, image_base=self.image_base)
        return normalized

    # -- money --

    def fen(self, amount: Decimal, field: str) -> int:
        """`amount` in fen, or the problem of `field`; an amount read before is looked up (an
        offer's SKUs mostly share a few prices, and a refused one never gets this far twice). The
        key is the amount as written: 1.0 and 1.000 are equal Decimals, but only one is a price."""
        written = str(amount)
        fen = self._fen.get(written)
        if fen is not None:
            return fen
        try:
            fen = yuan_amount_to_fen(amount)
        except ValueError:
            raise self.problem(
                field,
                f"price {amount} is not a yuan amount with at most 2 decimals; correct it on 1688",
            ) from None
        problem = price_range_problem(fen, platform="1688")
        if problem:
            raise self.problem(field, problem)
        self._fen[written] = fen
        return fen

    def tier_price(self, ranges: Sequence[AopPriceRange], field: str) -> int | None:
        """The tier that covers buying one piece, else the lowest tier; None without tiers."""
        tiers = sorted(
            (tier for tier in ranges if tier.price is not None),
            key=lambda tier: tier.startQuantity or 1,
        )
        if not tiers:
            return None
        covering = [tier for tier in tiers if (tier.startQuantity or 1) <= 1]
        chosen = covering[-1] if covering else tiers[0]
        price = chosen.price or Decimal(0)
        return self.fen(price, f"{field}[{list(ranges).index(chosen)}].price")

    def consign_price(self, sku: AopSkuInfo | None, field: str) -> int | None:
        if self.mode != "distribute":
            return None
        if sku is not None and sku.consignPrice:
            return self.fen(sku.consignPrice, f"{field}.consignPrice")
        if self.sale.consignPrice:
            return self.fen(self.sale.consignPrice, "saleInfo.consignPrice")
        return None

    def offer_tier_price(self) -> int:
        price = self.tier_price(self.sale.priceRanges, "saleInfo.priceRanges")
        if price is None:
            raise self.problem(
                "saleInfo.priceRanges",
                f"the offer is quoted by quantity (quoteType {self.sale.quoteType}) but has no "
                "price tiers; set its 价格区间 on 1688",
            )
        return price

    def sku_price(self, sku: AopSkuInfo, index: int) -> int:
        field = f"skuInfos[{index}]"
        consign = self.consign_price(sku, field)
        if consign is not None:
            return consign
        quote = self.sale.quoteType
        if quote == 1 or (quote is None and sku.price is not None):
            if sku.price is None:
                raise self.problem(
                    f"{field}.price",
                    f"SKU {sku.specId or sku.skuId} has no price although the offer is priced per "
                    "SKU (quoteType 1); set its price on 1688",
                )
            return self.fen(sku.price, f"{field}.price")
        if quote == 3:
            price = self.tier_price(sku.priceRange, f"{field}.priceRange")
            if price is not None:
                return price
        if not self.sale.priceRanges and sku.price is not None:
            return self.fen(sku.price, f"{field}.price")
        return self.offer_tier_price()

    # -- specs --

    def dimension_name(self, attr: AopSkuAttribute, field: str) -> str:
        for name in (attr.attributeDisplayName, attr.attributeName):
            if name and name.strip():
                return name.strip()
        if attr.attributeID is not None:
            name = self.attribute_names.get(attr.attributeID) or KNOWN_SKU_ATTRIBUTES.get(
                attr.attributeID
            )
            if name:
                return name
        raise self.problem(
            field,
            f"SKU attribute {attr.attributeID} has no name anywhere in the offer; "
            "re-save the offer's 规格 on 1688",
        )

    def sku_specs(self, sku: AopSkuInfo, index: int) -> SpecRow:
        row: SpecRow = []
        for position, attr in enumerate(sku.attributes):
            field = f"skuInfos[{index}].attributes[{position}]"
            if attr.attributeID is None:
                raise self.problem(field, "a SKU attribute has no attributeID")
            value = (attr.customValueName or "").strip() or (attr.attributeValue or "").strip()
            if not value:
                raise self.problem(
                    field, f"SKU attribute {attr.attributeID} has an empty value; fix it on 1688"
                )
            image = attr.skuImageUrl.strip() if attr.skuImageUrl else None
            row.append((attr.attributeID, self.dimension_name(attr, field), value, image or None))
        return row

    def skus(self) -> tuple[list[Sku | dict[str, Any]], set[int]]:
        raw_skus = self.info.skuInfos
        if not raw_skus:
            return [self.single_sku()], set()
        rows = [self.sku_specs(sku, index) for index, sku in enumerate(raw_skus)]
        order = [attribute_id for attribute_id, _, _, _ in rows[0]]
        names = {attribute_id: name for attribute_id, name, _, _ in rows[0]}
        for index, row in enumerate(rows):
            ids = [attribute_id for attribute_id, _, _, _ in row]
            if sorted(ids) != sorted(order) or len(set(ids)) != len(ids):
                raise self.problem(
                    f"skuInfos[{index}]",
                    "this SKU has other spec attributes than the offer's first SKU; every SKU "
                    "must have one value of each 规格",
                )
        with_images = {aid for row in rows for aid, _, _, image in row if image}
        main = next((aid for aid in order if aid in with_images), None)
        images: dict[str, str] = {}
        for row in rows:
            for attribute_id, _, value, image in row:
                url = self.image(image) if attribute_id == main else None
                if url:
                    images.setdefault(value, url)
        # One SpecValue per dimension value, shared by every SKU that has it (frozen models).
        spec_values: dict[tuple[int, str], SpecValue] = {}
        skus: list[Sku | dict[str, Any]] = []
        for index, (sku, row) in enumerate(zip(raw_skus, rows, strict=True)):
            by_id = {attribute_id: value for attribute_id, _, value, _ in row}
            specs = []
            for aid in order:
                value = by_id[aid]
                spec = spec_values.get((aid, value))
                if spec is None:
                    spec = spec_values[aid, value] = SpecValue(
                        name=names[aid],
                        value=value,
                        image_url=images.get(value) if aid == main else None,
                    )
                specs.append(spec)
            skus.append(self.sku(sku, index, tuple(specs)))
        return skus, set(order)

    def sku(self, sku: AopSkuInfo, index: int, specs: tuple[SpecValue, ...]) -> dict[str, Any]:
        """The fields of one `Sku`, which `Listing` validates with the others in one call."""
        source_id = (sku.specId or "").strip() or (str(sku.skuId) if sku.skuId else "")
        if not source_id:
            raise self.problem(f"skuInfos[{index}].specId", "the SKU has neither specId nor skuId")
        return {
            "source_sku_id": source_id,
            "specs": specs,
            "price_fen": self.sku_price(sku, index),
            "stock": max(0, sku.amountOnSale or 0),
            "outer_id": (sku.cargoNumber or "").strip() or None,
        }

    def single_sku(self) -> Sku:
        """An offer without SKUs (quoteType 0): one SKU named by the offer, priced by its tiers."""
        price = self.consign_price(None, "saleInfo")
        return Sku(
            source_sku_id=self.item_id,
            price_fen=price if price is not None else self.offer_tier_price(),
            stock=max(0, self.sale.amountOnSale or 0),
            outer_id=(self.info.productCargoNumber or "").strip() or None,
        )

    # -- the rest --

    def item_props(self, sku_attribute_ids: set[int]) -> tuple[ItemProp, ...]:
        props = [
            ItemProp(name=attr.attributeName.strip(), value=(attr.value or "").strip())
            for attr in self.info.attributes
            if attr.attributeName
            and attr.attributeName.strip()
            and attr.attributeID not in sku_attribute_ids
        ]
        moq = self.sale.minOrderQuantity
        if moq is not None and moq > 1:
            props.append(ItemProp(name=MOQ_PROP, value=str(moq)))
        return tuple(props)

    def main_images(self) -> tuple[str, ...]:
        paths = self.info.image.images if self.info.image else []
        return dedupe(self.image(path) for path in paths)

    def video_url(self) -> str | None:
        video = (self.info.mainVedio or "").strip()
        return images.normalize_image_url(video, https_domains=ALICDN_DOMAINS) if video else None

    def status(self) -> ListingStatus:
        text = (self.info.status or "published").strip().lower()
        if text not in _STATUS:
            raise self.problem(
                "status", f"status {self.info.status!r} is not one 1688 documents for an offer"
            )
        return _STATUS[text]

    def modified_at(self) -> datetime | None:
        text = (self.info.lastUpdateTime or "").strip()
        if not text:
            return None
        try:
            return read_time(text, _AOP_TIME)
        except ValueError:
            raise self.problem(
                "lastUpdateTime", f"{text!r} is not 1688's yyyyMMddHHmmssSSS+0800"
            ) from None

    def seller_name(self, supplier_name: str | None) -> str | None:
        """Distribute needs the supplier's company or shop name (supply report scene 1), which
        productInfo does not carry; a move may fall back to the member's login id."""
        name = (supplier_name or "").strip()
        if name:
            return name
        if self.mode == "distribute":
            raise self.problem(
                "seller_name",
                "distributing needs the supplier's company or shop name for the supply report "
                "(scene 1) and productInfo has none: configure it for this supplier",
            )
        return (self.info.supplierLoginId or self.info.sellerLoginId or "").strip() or None


def _category(info: AopProductInfo) -> SourceCategory:
    name = (info.categoryName or "").strip()
    return SourceCategory(
        ids=(str(info.categoryID),) if info.categoryID else (),
        path=(name,) if name else (),
    )


def _parse_product(
    product_info: dict[str, Any],
    *,
    shop_id: str,
    mode: Mode,
    supplier_name: str | None = None,
    image_base: str = DEFAULT_IMAGE_BASE,
) -> Listing:
    """One 1688 `productInfo` dict (as alibaba.product.get or alibaba.cross.productInfo return it)
    as a canonical `Listing`.

    `mode` picks the price (distribute prefers consignPrice) and whether `supplier_name` is
    required; `image_base` is the host relative `img/ibank/...` paths live on.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    item_id = str(product_info.get("productID", "?"))
    try:
        info = AopProductInfo.model_validate(product_info)
    except ValidationError as exc:
        raise validation_problem(item_id, exc, whole="productInfo") from None
    title = (info.subject or "").strip()
    if not title:
        raise ParseProblem(
            item_id=item_id, field="subject", reason="the offer has no subject; give it one on 1688"
        )
    parser = _ProductParser(info, mode=mode, image_base=image_base)
    seller_name = parser.seller_name(supplier_name)
    skus, sku_attribute_ids = parser.skus()
    try:
        return Listing.model_validate(
            {
                "platform": SourcePlatform.ALIBABA1688,
                "shop_id": shop_id,
                "source_item_id": item_id,
                "title": title[:MAX_SUBJECT_CHARS],
                "category": _category(info),
                "props": parser.item_props(sku_attribute_ids),
                "skus": skus,
                "main_images": parser.main_images(),
                "detail_images": _detail_images(info.description, image_base=image_base),
                "video_url": parser.video_url(),
                "description_html": clean_description(info.description),
                "origin_url": origin_url(info.productID),
                "status": parser.status(),
                "seller_name": seller_name,
                "modified_at": parser.modified_at(),
                "raw": product_info,
            }
        )
    except ValidationError as exc:
        raise validation_problem(item_id, exc, whole="productInfo") from None


def parse_product(
    product_info: dict[str, Any],
    *,
    shop_id: str,
    mode: Mode,
    supplier_name: str | None = None,
    image_base: str = DEFAULT_IMAGE_BASE,
) -> Listing:
    """One 1688 `productInfo` dict as a `Listing` (`_parse_product`); raises `ParseProblem` for any
    offer it cannot take, also when the parser itself fails."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    try:
        return _parse_product(
            product_info,
            shop_id=shop_id,
            mode=mode,
            supplier_name=supplier_name,
            image_base=image_base,
        )
    except ParseProblem:
        raise
    except Exception as exc:
        item_id = product_info.get("productID") if isinstance(product_info, dict) else None
        raise parser_failure(str(item_id or "?")[:40], exc, platform="1688") from exc
