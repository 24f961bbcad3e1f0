"""From domain objects to Kuaishou wire models: drafts to `open.item.new`, reports to supply sync.

Conversion is mechanical on purpose. The decisions (category, SKU matrix, prices, titles, scene)
were made in `listings/`, and the rules are checked in `rules.py`. This module only renames the
fields and swaps every source image URL for the Kuaishou URL that the `media` stage uploaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from connectors.kuaishou.models import (
    ItemNewParam,
    ItemVideo,
    ServiceRule,
    SkuDTO,
    SkuPropDTO,
    SupplyItem,
    SupplyItemSeller,
)
from connectors.kuaishou.video import VIDEO_TYPE_MATERIAL
from listings.draft import DraftSku, KuaishouDraft
from listings.supply import SupplyReport

__all__ = ["MissingKwaiImageError", "build_item_new_param", "build_supply_item"]

# (source_url, where) -> Kuaishou URL
_KwaiLookup = Callable[[str, str], str]


class MissingKwaiImageError(KeyError):
    """A draft image has no Kuaishou-hosted copy yet: upload it (the `media` stage) first."""

    def __init__(self, *, source_item_id: str, rel_item_id: int, url: str, where: str) -> None:
        self.source_item_id = source_item_id
        self.rel_item_id = rel_item_id
        self.url = url
        self.where = where
        super().__init__(url)

    def __str__(self) -> str:
        return (
            f"item {self.source_item_id} (relItemId {self.rel_item_id}): {self.where} image "
            f"{self.url} has no Kuaishou URL; upload it with open.item.image.upload first"
        )


def build_item_new_param(
    draft: KuaishouDraft, *, kwai_images: Mapping[str, str], video_id: str | None = None
) -> ItemNewParam:
    """The `open.item.new` param for a draft, with every image replaced by its Kuaishou URL.

    `video_id` is the item's uploaded video material (the `item_videos` stage), sent as
    `itemVideo{videoId, videoType: 1}`; None sends no video.

    Raises:
        MissingKwaiImageError: a main, detail or SKU image of the draft is not in `kwai_images`.
    """

    def kwai(url: str, where: str) -> str:
        try:
            return kwai_images[url]
        except KeyError:
            raise MissingKwaiImageError(
                source_item_id=draft.source_item_id,
                rel_item_id=draft.rel_item_id,
                url=url,
                where=where,
            ) from None

    return ItemNewParam(
        title=draft.title,
        rel_item_id=draft.rel_item_id,
        category_id=draft.category_id,
        category_name=draft.category_name,
        image_urls=[kwai(url, "main") for url in draft.main_images],
        short_title=draft.short_title,
        selling_point=draft.selling_point,
        details=draft.details,
        detail_image_urls=[kwai(url, "detail") for url in draft.detail_images],
        sku_list=[_sku(sku, kwai) for sku in draft.skus],
        service_rule=ServiceRule(
            refund_rule=draft.refund_rule,
            promise_delivery_time=draft.promise_delivery_time_s,
        ),
        express_template_id=draft.express_template_id,
        item_video=ItemVideo(video_id=video_id, video_type=VIDEO_TYPE_MATERIAL)
        if video_id
        else None,
    )


def _sku(sku: DraftSku, kwai: _KwaiLookup) -> SkuDTO:
    return SkuDTO(
        rel_sku_id=sku.rel_sku_id,
        sku_stock=sku.stock,
        sku_sale_price=sku.price_fen,
        sku_market_price=sku.market_price_fen,
        sku_nick=sku.nick,
        sku_props=[
            SkuPropDTO(
                prop_name=prop.name,
                prop_value_name=prop.value,
                is_main_prop=1 if prop.is_main else 0,
                image_url=kwai(prop.image_url, "SKU") if prop.image_url else None,
                prop_version=1,
            )
            for prop in sku.props
        ],
    )


def build_supply_item(report: SupplyReport) -> SupplyItem:
    """The `item` of `open.supply.item.sync` for a report. Prices stay in fen."""
    return SupplyItem(
        scene=int(report.scene),
        item_id=report.item_id,
        kwai_item_id=report.kwai_item_id,
        origin_item_url=report.origin_item_url,
        title=report.title,
        price_min=report.price_min_fen,
        price_max=report.price_max_fen,
        image_url=report.image_url,
        category_id=report.category_id,
        seller=SupplyItemSeller(
            name=report.seller_name,
            platform=int(report.platform),
            platform_name=report.platform_name,
        ),
    )
