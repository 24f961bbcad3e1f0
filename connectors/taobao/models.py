"""Wire models of TOP item JSON (taobao.item.seller.get, items.seller.list.get, items.onsale.get).

Field names are TOP's own. TOP wraps every array in an object keyed by the singular element name
(`"skus": {"sku": [...]}`, `"item_imgs": {"item_img": [...]}`), and a list call returns only the
columns asked for in `fields`, so nearly everything is optional. `extra="allow"` keeps fields we do
not model, because the raw payload is stored verbatim and later stages may want them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "ItemImg",
    "ItemImgList",
    "MpicVideo",
    "OnsalePage",
    "PropImg",
    "PropImgList",
    "TopItem",
    "TopSku",
    "TopSkuList",
    "Video",
    "VideoList",
]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class TopSku(_Wire):
    """One SKU: `properties` "pid:vid;...", `properties_name` "pid:vid:pname:vname;..."."""

    sku_id: int
    properties: str | None = None
    properties_name: str | None = None
    price: str | None = None
    quantity: int | None = None
    with_hold_quantity: int | None = None
    outer_id: str | None = None
    barcode: str | None = None
    status: str | None = None
    modified: str | None = None


class ItemImg(_Wire):
    """A main image; `position` orders them (the first is the main picture)."""

    id: int | None = None
    url: str | None = None
    position: int | None = None


class PropImg(_Wire):
    """The image of one spec value, keyed by `properties` = "pid:vid" (usually a colour)."""

    id: int | None = None
    url: str | None = None
    properties: str | None = None
    position: int | None = None


class Video(_Wire):
    video_id: int | None = None
    url: str | None = None


class MpicVideo(_Wire):
    """The main-picture video: id, cover and duration (sic `video_duaration`), but no URL."""

    video_id: int | None = None
    video_pic: str | None = None
    video_duaration: int | None = None


class TopSkuList(_Wire):
    sku: list[TopSku] = Field(default_factory=list)


class ItemImgList(_Wire):
    item_img: list[ItemImg] = Field(default_factory=list)


class PropImgList(_Wire):
    prop_img: list[PropImg] = Field(default_factory=list)


class VideoList(_Wire):
    video: list[Video] = Field(default_factory=list)


class TopItem(_Wire):
    """A TOP `Item`: prices are yuan strings ("39.00"), `modified` "yyyy-MM-dd HH:mm:ss" GMT+8."""

    num_iid: int
    title: str | None = None
    nick: str | None = None
    price: str | None = None
    cid: int | None = None
    seller_cids: str | None = None
    num: int | None = None
    with_hold_quantity: int | None = None
    approve_status: str | None = None
    outer_id: str | None = None
    sub_title: str | None = None
    sell_point: str | None = None
    props: str | None = None
    props_name: str | None = None
    property_alias: str | None = None
    pic_url: str | None = None
    desc: str | None = None
    modified: str | None = None
    list_time: str | None = None
    sold_quantity: int | None = None
    skus: TopSkuList | None = None
    item_imgs: ItemImgList | None = None
    prop_imgs: PropImgList | None = None
    videos: VideoList | None = None
    mpic_video: MpicVideo | None = None


class OnsalePage(BaseModel):
    """One page of taobao.items.onsale.get: the window's `total_results` and this page's rows.

    Rows stay the dicts TOP sent (list columns only), so they can be stored verbatim; each has been
    checked to read as a `TopItem`.
    """

    model_config = ConfigDict(frozen=True)

    page_no: int
    page_size: int
    total_results: int
    items: tuple[dict[str, Any], ...] = ()

    @field_validator("items")
    @classmethod
    def _rows_are_items(cls, rows: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        for row in rows:
            TopItem.model_validate(row)
        return rows

    @property
    def num_iids(self) -> tuple[int, ...]:
        return tuple(int(row["num_iid"]) for row in self.items)
