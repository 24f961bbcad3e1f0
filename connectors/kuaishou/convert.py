"""From domain objects to Kuaishou wire models: drafts to `open.item.new`, reports to supply sync.

Conversion is mechanical on purpose. The decisions (category, SKU matrix, prices, titles, scene)
were made in `listings/`, and the rules are checked in `rules.py`. This module only renames the
fields and swaps every source image URL for the Kuaishou URL that the `media` stage uploaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from connectors.kuaishou.models import (
    AutopassSkuDTO,
    ItemAutopassEditParam,
    ItemEditParam,
    ItemInfo,
    ItemNewParam,
    ItemPropValue,
    ItemVideo,
    RadioPropValue,
    ServiceRule,
    SkuDTO,
    SkuPropDTO,
    SupplyItem,
    SupplyItemSeller,
    UpdateSkuDTO,
)
from connectors.kuaishou.video import VIDEO_TYPE_MATERIAL
from listings.draft import DraftItemProp, DraftSku, KuaishouDraft
from listings.supply import SupplyReport

__all__ = [
    "MissingKwaiImageError",
    "build_autopass_edit_param",
    "build_item_edit_param",
    "build_item_new_param",
    "build_supply_item",
]

# skuStockChangeType of the edit methods: add, subtract, set (set only on open.item.edit).
STOCK_ADD, STOCK_SUBTRACT, STOCK_SET = 1, 2, 3

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
        item_prop_values=[_item_prop(prop) for prop in draft.item_props] or None,
        service_rule=ServiceRule(
            refund_rule=draft.refund_rule,
            promise_delivery_time=draft.promise_delivery_time_s,
        ),
        express_template_id=draft.express_template_id,
        item_video=ItemVideo(video_id=video_id, video_type=VIDEO_TYPE_MATERIAL)
        if video_id
        else None,
    )


def _item_prop(prop: DraftItemProp) -> ItemPropValue:
    """A filled attribute in the field its input type reads: a radio or checkbox choice by its
    text (the value id is the platform's, unknown to the source), else a text value."""
    kind = (prop.input_type or "TEXT").upper()
    choice = RadioPropValue(prop_value=prop.value)
    return ItemPropValue(
        prop_id=prop.prop_id,
        prop_name=prop.name,
        text_prop_value=prop.value if kind not in ("RADIO", "CHECKBOX") else None,
        radio_prop_value=choice if kind == "RADIO" else None,
        check_box_prop_values_list=[choice] if kind == "CHECKBOX" else None,
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


def build_item_edit_param(
    param: ItemNewParam, *, item: ItemInfo, sku_ids: Mapping[int, int]
) -> ItemEditParam:
    """The `open.item.edit` that makes the published `item` what `param` would create now.

    Every field is sent (the platform keeps an unchanged one as it is, and only title, details,
    main images and category changes go back to review). The category is sent only when it
    changed, because a category change is refused unless the item is 审核待修改. SKUs already on
    the platform are named by `sku_ids` (relSkuId → skuId) and their stock is set, not shifted;
    a SKU the item lacks is added; one the draft dropped is left out, which deletes it.
    """
    return ItemEditParam(
        item_id=item.kwai_item_id,
        title=param.title,
        category_id=None if item.category_id == param.category_id else param.category_id,
        category_name=None if item.category_id == param.category_id else param.category_name,
        image_urls=param.image_urls,
        three_quarters_image_urls=param.three_quarters_image_urls,
        update_three_quarters_image_urls=True if param.three_quarters_image_urls else None,
        short_title=param.short_title,
        selling_point=param.selling_point,
        details=param.details,
        detail_image_urls=param.detail_image_urls,
        update_detail_image_urls=True,
        sku_list=[
            UpdateSkuDTO(
                sku_id=sku_ids.get(sku.rel_sku_id),
                rel_sku_id=sku.rel_sku_id,
                sku_sale_price=sku.sku_sale_price,
                sku_market_price=sku.sku_market_price,
                sku_nick=sku.sku_nick,
                sku_props=sku.sku_props,
                sku_stock_change_type=STOCK_SET,
                sku_change_stock=sku.sku_stock,
            )
            for sku in param.sku_list
        ],
        item_prop_values=param.item_prop_values,
        update_item_prop_values=True if param.item_prop_values is not None else None,
        service_rule=param.service_rule,
        express_template_id=param.express_template_id,
        item_video=param.item_video,
    )


def build_autopass_edit_param(
    param: ItemNewParam, *, item: ItemInfo, sku_ids: Mapping[int, int]
) -> ItemAutopassEditParam:
    """The `open.item.autopass.edit` that gives the published `item` the prices and stock of
    `param`, without review.

    Autopass stock changes are relative, so each is the difference to the stock the platform has
    now (`item`, just read): sending it again after a lost answer, from a fresh read, is safe.

    Raises:
        KeyError: a SKU of `param` is not on the item (a new SKU needs `open.item.edit`).
    """
    stock_now = {sku.kwai_sku_id: sku.sku_stock or 0 for sku in item.sku_infos}
    skus = []
    for sku in param.sku_list:
        sku_id = sku_ids[sku.rel_sku_id]
        change = sku.sku_stock - stock_now.get(sku_id, 0)
        skus.append(
            AutopassSkuDTO(
                sku_id=sku_id,
                sku_sale_price=sku.sku_sale_price,
                sku_market_price=sku.sku_market_price,
                sku_stock_change_type=(STOCK_ADD if change >= 0 else STOCK_SUBTRACT)
                if change
                else None,
                sku_change_stock=abs(change) if change else None,
            )
        )
    return ItemAutopassEditParam(item_id=item.kwai_item_id, sku_list=skus)


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
