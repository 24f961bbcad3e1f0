"""A Kuaishou draft: what banjia intends to publish, before images are re-hosted.

The draft is platform-neutral domain data (category, SKU matrix, fen prices, titles, source image URLs).
`connectors/kuaishou` turns it into the `open.item.new` param once the `media` stage has mapped every
source image URL to a Kuaishou-hosted one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

from listings.model import SourcePlatform

__all__ = ["DraftData", "DraftItemProp", "DraftSku", "DraftSkuProp", "KuaishouDraft"]

DraftData: TypeAlias = dict[str, Any]
"""A draft as plain data, field for field what `KuaishouDraft.model_dump()` holds
(`listings.drafting.draft_data_of`)."""

# What a SKU may change without review on Kuaishou (open.item.autopass.edit): its offer.
_OFFER_FIELDS = frozenset({"price_fen", "market_price_fen", "stock"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DraftSkuProp(_Frozen):
    """One spec of a SKU. Values of the main prop (the dimension that carries images) need an image."""

    name: str
    value: str
    is_main: bool = False
    image_url: str | None = None


class DraftSku(_Frozen):
    """One cell of the full SKU matrix. `synthetic` cells fill combinations the source lacks (stock 0)."""

    rel_sku_id: int = Field(gt=0)
    source_sku_id: str | None = None
    props: tuple[DraftSkuProp, ...] = ()
    price_fen: int = Field(ge=1)
    stock: int = Field(ge=0, le=9_999_999)
    market_price_fen: int | None = None
    nick: str | None = None
    synthetic: bool = False


class DraftItemProp(_Frozen):
    """A category attribute (`itemPropValues`) filled from a source prop (listings/category_props)."""

    prop_id: int = Field(gt=0)
    name: str
    value: str
    input_type: str | None = None  # as open.item.category.config says: TEXT, RADIO, CHECKBOX ...


class KuaishouDraft(BaseModel):
    """Everything needed to create one Kuaishou item, with source (not yet re-hosted) image URLs."""

    model_config = ConfigDict(extra="forbid")

    migration: str
    platform: SourcePlatform
    shop_id: str
    source_item_id: str
    rel_item_id: int = Field(gt=0)
    category_id: int = Field(gt=0)
    category_name: str
    title: str
    short_title: str | None = None
    selling_point: str | None = None
    details: str
    main_images: tuple[str, ...]
    # how many of main_images were borrowed from SKU or detail images (listings.gallery)
    borrowed_main_images: int = Field(default=0, ge=0)
    detail_images: tuple[str, ...]
    video_url: str | None = None
    skus: tuple[DraftSku, ...]
    item_props: tuple[DraftItemProp, ...] = ()
    refund_rule: str = "1"
    promise_delivery_time_s: int = 172_800
    express_template_id: int = 0
    origin_url: str
    seller_name: str | None = None

    @property
    def price_min_fen(self) -> int:
        return min(sku.price_fen for sku in self.skus)

    @property
    def price_max_fen(self) -> int:
        return max(sku.price_fen for sku in self.skus)

    @property
    def image_urls(self) -> tuple[str, ...]:
        """Every source image the draft needs re-hosted: main, detail and SKU images, deduplicated."""
        seen: dict[str, None] = {}
        for url in self.main_images + self.detail_images:
            seen.setdefault(url, None)
        for sku in self.skus:
            for prop in sku.props:
                if prop.image_url:
                    seen.setdefault(prop.image_url, None)
        return tuple(seen)

    @property
    def versions(self) -> tuple[str, str]:
        """(content, offer): hashes of what the item shows, and of its SKU prices and stock.

        The ledger keeps both for what was last sent, so a change on the source becomes an edit of
        the published item: a new offer alone goes through without review (autopass), anything
        else is a full `open.item.edit`. Neither is ever a second create.
        """
        whole = self.model_dump(mode="json")
        offer = [{k: sku.pop(k) for k in sorted(_OFFER_FIELDS)} for sku in whole["skus"]]
        return _digest(whole), _digest(offer)


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
