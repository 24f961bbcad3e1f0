"""vv-tool wire models: the `ks-item-new` request, `ks-open-item`, the token and the double envelope.

`ks-item-new` takes the **2022 variant of `open.item.new`** (seeds/vv-tool-ks-item-new.txt, the whole
field list, modelled here field by field) plus vv-tool's own `shop_id` and `vvtype`. Compared with
today's official param (`connectors.kuaishou.models.ItemNewParam`) it has no `threeQuartersImageUrls`,
`itemVideo`, `shortTitle`, `sellingPoint`, `detailImageUrls` or prop sort numbers, allows webp/bmp
images, and limits `details` to 300 characters (the official limit is 2000). It does have `itemVideoId`,
`purchaseLimit`, `skuCertificate` and other fields banjia does not fill today.

Field names are Kuaishou's camelCase, except vv-tool's own `shop_id` (snake_case, a string) and
`vvtype`. Request models forbid unknown fields to catch our typos; response models ignore unknown
fields because the vendor adds fields over time. As in the Kuaishou models, the publishing rules
live in `rules.py`, not here, so a bad request can be built and have every problem listed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from connectors.kuaishou.models import Envelope

__all__ = [
    "VvtoolCategoryPropValue",
    "VvtoolDateRange",
    "VvtoolEnvelope",
    "VvtoolInnerEnvelope",
    "VvtoolItem",
    "VvtoolItemNewData",
    "VvtoolItemNewRequest",
    "VvtoolItemPropValue",
    "VvtoolOpenItemRequest",
    "VvtoolServiceRule",
    "VvtoolSku",
    "VvtoolSkuCertificate",
    "VvtoolSkuIdMapping",
    "VvtoolSkuInfo",
    "VvtoolSkuProp",
    "VvtoolToken",
    "VvtoolType",
]

VvtoolType = Literal[1, 2]
"""`vvtype`: 1 普通版 (the default when absent), 2 增强版 (the enhanced tier must send 2)."""


class _Request(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, extra="forbid")


class _Response(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, extra="ignore")


# --- ks-item-new request (seeds/vv-tool-ks-item-new.txt) ---------------------------------------


class VvtoolSkuProp(_Request):
    """OpenApiAddSkuPropDTO, 2022: no `propSortNum`/`propValueSortNum`."""

    prop_name: str
    prop_value_name: str
    image_url: str | None = None
    is_main_prop: int = 0
    prop_value_group_id: int | None = None
    prop_version: int = 1


class VvtoolSkuCertificate(_Request):
    """SkuCertificatePropParam: the quality-inspection data of a second-hand SKU."""

    condition: str | None = None
    purchasing_channels: str | None = None
    battery_efficiency: str | None = None
    main_board: str | None = None
    battery_condition: str | None = None
    screen_condition: str | None = None
    shell_collision: str | None = None
    report_url: str | None = None
    quality_inspection_no: str | None = None
    sn: str | None = None
    shell_scratch: str | None = None
    shell_paint: str | None = None
    device_system: str | None = None


class VvtoolSku(_Request):
    """OpenApiAddSkuDTO. Prices in fen; `skuMarketPrice` above the top sale price, at most 10×."""

    rel_sku_id: int
    sku_stock: int
    sku_sale_price: int
    sku_nick: str | None = None
    sku_props: list[VvtoolSkuProp] = Field(default_factory=list)
    sku_certificate: VvtoolSkuCertificate | None = None
    sku_market_price: int | None = None
    goods_id: str | None = None


class VvtoolCategoryPropValue(_Request):
    """CategoryPropValueParam: a radio or checkbox value."""

    prop_value_id: int | None = None
    prop_value: str | None = None


class VvtoolDateRange(_Request):
    start_time_timestamp: int
    end_time_timestamp: int


class VvtoolItemPropValue(_Request):
    """AddItemPropValue: one category attribute, with the value field matching its input type."""

    prop_id: int
    radio_prop_value: VvtoolCategoryPropValue | None = None
    check_box_prop_values_list: list[VvtoolCategoryPropValue] | None = None
    text_prop_value: str | None = None
    datetime_timestamp: int | None = None
    date_range: VvtoolDateRange | None = None
    sort_num: int | None = None
    image_prop_values: list[str] | None = None
    prop_name: str | None = None
    prop_alias: str | None = None
    input_type: int | None = None
    prop_type: int | None = None
    unit_prop_value_id: int | None = None
    unit_prop_value_name: str | None = None


class VvtoolServiceRule(_Request):
    """ServiceRule, 2022: exactly one of promiseDeliveryTime / deliverGoodsInteralTime (seconds)."""

    refund_rule: str
    deliver_goods_interal_time: int | None = None
    promise_delivery_time: int | None = None
    immediately_on_offline_flag: int | None = None
    delivery_method: str | None = None


class VvtoolItemNewRequest(_Request):
    """The JSON body of `POST /tool/erps/ks-item-new` [I: JSON body; the page shows a JSON example]."""

    shop_id: str = Field(alias="shop_id")
    title: str
    rel_item_id: int
    category_id: int
    category_name: str | None = None
    image_urls: list[str]
    sku_list: list[VvtoolSku]
    item_video_id: int | None = None
    purchase_limit: bool | None = None
    limit_count: int | None = None
    item_prop_values: list[VvtoolItemPropValue] | None = None
    details: str
    stock_partner: bool | None = None
    item_remark: str | None = None
    service_rule: VvtoolServiceRule
    express_template_id: int = 0
    sale_time_flag: bool | None = None
    time_of_sale: int | None = None
    pay_way: int | None = None
    multiple_stock: bool | None = None
    vvtype: VvtoolType = 1

    def wire(self) -> dict[str, Any]:
        """The body as sent: wire names, no null fields (a null may be read as a value)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class VvtoolOpenItemRequest(_Request):
    """The body of `POST /tool/erps/ks-open-item` (doc.vv-tool.com/platformErp/ksopenitem).

    The page documents `shop_id`, `kwaiItemId` and `vvtype` [C]. Looking an item up by `relItemId`
    instead is **not documented** [I]: banjia sends `relItemId` in place of `kwaiItemId` to resolve a
    create whose answer was lost, and the sandbox accepts it. Confirm with vv-tool before relying on
    it in production; if it is refused (code 100), the item stays in doubt for a person to check.
    """

    shop_id: str = Field(alias="shop_id")
    kwai_item_id: int | None = None
    rel_item_id: int | None = None
    vvtype: VvtoolType = 1

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


# --- responses ---------------------------------------------------------------------------------


class VvtoolToken(BaseModel):
    """The client-credentials token: `{access_token, expires_in, token_type?}` [I: standard OAuth2
    shape; the vv-tool page shows only the request]."""

    model_config = ConfigDict(extra="ignore")

    access_token: str = Field(min_length=1)
    expires_in: int = Field(default=7200, gt=0)
    token_type: str | None = None


VvtoolInnerEnvelope = Envelope
"""Kuaishou's envelope, forwarded as the outer `data`: success is `result == 1` only."""


class VvtoolEnvelope(BaseModel):
    """`{code, msg, msec, time, data, withholding_money}`. Success is `code == 0` (outer) **and**
    `data.result == 1` (inner); either alone is not enough (kuaishou-api.md §1.7)."""

    model_config = ConfigDict(extra="ignore")

    code: int | None = None
    msg: str | None = None
    msec: int | None = None
    time: int | None = None
    data: Any = None
    withholding_money: Decimal | None = None

    @property
    def ok(self) -> bool:
        return self.code == 0


class VvtoolSkuIdMapping(_Response):
    kwai_sku_id: int
    rel_sku_id: int
    sku_nick: str | None = None


class VvtoolItemNewData(_Response):
    """AddItemResponseParam: the inner `data` of ks-item-new."""

    kwai_item_id: int
    rel_item_id: int
    sku_id_mapping: list[VvtoolSkuIdMapping] = Field(default_factory=list)


class VvtoolSkuInfo(_Response):
    kwai_sku_id: int
    rel_sku_id: int | None = None
    sku_stock: int | None = None
    sku_sale_price: int | None = None
    sku_nick: str | None = None
    image_url: str | None = None


class VvtoolItem(_Response):
    """ItemGetResponseParam: the inner `data` of ks-open-item (open.item.get's shape)."""

    item_id: int
    rel_item_id: int | None = None
    category_id: int | None = None
    category_name: str | None = None
    title: str | None = None
    details: str | None = None
    image_urls: list[str] = Field(default_factory=list)
    detail_image_urls: list[str] = Field(default_factory=list)
    sku_infos: list[VvtoolSkuInfo] = Field(default_factory=list)
    audit_status: int | None = None
    audit_reason: str | None = None
