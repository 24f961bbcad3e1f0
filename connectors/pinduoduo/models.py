"""Wire models of PDD goods JSON (pdd.goods.list.get, pdd.goods.detail.get).

Field names are PDD's own (SchafferJ/open-pdd models, reference/source-platforms.md §1.2). Money is
integer fen in detail.get. PDD sends `null` for absent arrays as readily as it omits them, so every
list is optional. `extra="allow"` keeps the fields we do not model: the raw payload is stored
verbatim and later stages may want them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = [
    "GoodsPage",
    "PddGoods",
    "PddGoodsListItem",
    "PddGoodsProperty",
    "PddListSku",
    "PddSku",
    "PddSpec",
    "PddSpecDetail",
    "PddVideo",
]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class PddSpec(_Wire):
    """One spec value of a SKU: `parent_name` is the dimension (口味), `spec_name` the value (鸡肉)."""

    parent_id: int | None = None
    parent_name: str | None = None
    spec_id: int | None = None
    spec_name: str | None = None
    spec_note: str | None = None


class PddSku(_Wire):
    """A detail.get SKU. `price` = 单买价 and `multi_price` = 团购价, both fen; `is_onsale` 1/0."""

    sku_id: int
    price: int | None = None
    multi_price: int | None = None
    quantity: int | None = None
    reserve_quantity: int | None = None
    is_onsale: int | None = None
    out_sku_sn: str | None = None
    thumb_url: str | None = None
    weight: int | None = None
    spec: list[PddSpec] | None = None
    sku_property_list: list[dict[str, Any]] | None = None


class PddGoodsProperty(_Wire):
    """An item attribute: ids and the value only (`vvalue` + `punit`); detail.get sends no name.

    The name lives in the category template (pdd.goods.cat.template.get), keyed by `ref_pid`.
    """

    ref_pid: int | None = None
    template_pid: int | None = None
    vid: int | None = None
    vvalue: str | None = None
    punit: str | None = None


class PddVideo(_Wire):
    file_id: int | None = None
    video_url: str | None = None


class PddGoods(_Wire):
    """pdd.goods.detail.get's `goods_detail_get_response`. `status` 1 上架 2 下架 3 售罄 4 已删除."""

    goods_id: int
    goods_name: str | None = None
    goods_desc: str | None = None
    tiny_name: str | None = None
    cat_id: int | None = None
    image_url: str | None = None
    carousel_gallery_list: list[str] | None = None
    detail_gallery_list: list[str] | None = None
    market_price: int | None = None
    goods_property_list: list[PddGoodsProperty] | None = None
    video_gallery: list[PddVideo] | None = None
    status: int | None = None
    goods_type: int | None = None
    customer_num: int | None = None
    is_pre_sale: int | None = None
    shipment_limit_second: int | None = None
    outer_goods_id: str | None = None
    sku_list: list[PddSku] | None = None


class PddSpecDetail(_Wire):
    parent_id: int | None = None
    parent_name: str | None = None
    spec_id: int | None = None
    spec_name: str | None = None
    spec_note: str | None = None


class PddListSku(_Wire):
    """A list.get SKU: stock columns and the spec, but no price (that needs detail.get)."""

    sku_id: int
    sku_quantity: int | None = None
    reserve_quantity: int | None = None
    is_sku_onsale: int | None = None
    outer_id: str | None = None
    outer_goods_id: str | None = None
    spec: str | None = None
    spec_details: list[PddSpecDetail] | None = None


class PddGoodsListItem(_Wire):
    """One row of pdd.goods.list.get; `created_at` is unix seconds."""

    goods_id: int
    goods_name: str | None = None
    goods_quantity: int | None = None
    goods_reserve_quantity: int | None = None
    image_url: str | None = None
    thumb_url: str | None = None
    is_more_sku: int | None = None
    is_onsale: int | None = None
    created_at: int | None = None
    sku_list: list[PddListSku] | None = None


class GoodsPage(BaseModel):
    """One page of pdd.goods.list.get: the query's `total_count` and this page's rows.

    Rows stay the dicts PDD sent, so they can be stored verbatim; each has been checked to read as a
    `PddGoodsListItem`.
    """

    model_config = ConfigDict(frozen=True)

    page: int
    page_size: int
    total_count: int
    goods_list: tuple[dict[str, Any], ...] = ()

    @field_validator("goods_list")
    @classmethod
    def _rows_are_goods(cls, rows: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        for row in rows:
            PddGoodsListItem.model_validate(row)
        return rows

    @property
    def goods_ids(self) -> tuple[int, ...]:
        return tuple(int(row["goods_id"]) for row in self.goods_list)
