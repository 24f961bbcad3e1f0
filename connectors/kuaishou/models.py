"""Wire models for the Kuaishou methods banjia uses, with the platform's own camelCase field names.

Python code uses snake_case attributes. The wire uses the camelCase aliases, which are
generated and checked against kuaishou-api.md and the official schemas (the CW source),
including the official typo `deliverGoodsInteralTime`. Dump with
`model_dump(by_alias=True, exclude_none=True)`, or pass the model to `signing.dump_param`.

The request models describe only the types. The publishing rules (counts, ranges, the SKU
Cartesian product) live in `rules.py`, so a bad param can still be built and shown with every
problem listed. If the models enforced the rules, construction would fail on the first one.
Request models forbid unknown fields to catch our typos. Response models ignore unknown fields
because the platform adds fields over time.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "AuditStatus",
    "AutopassSkuDTO",
    "Category",
    "CategoryConfig",
    "CategoryConfigDetail",
    "CategorySuggestParam",
    "CategorySuggestion",
    "Envelope",
    "ImageUploadResult",
    "ItemAutopassEditParam",
    "ItemEditParam",
    "ItemInfo",
    "ItemListPage",
    "ItemNewParam",
    "ItemNewResult",
    "ItemPropValue",
    "ItemVideo",
    "MaterialDetail",
    "MaterialTokenParam",
    "MaterialUploadToken",
    "MaterialVerifyResult",
    "PropConfig",
    "RadioPropValue",
    "ServiceRule",
    "SkuDTO",
    "SkuIdMapping",
    "SkuInfo",
    "SkuPropDTO",
    "StockChangeType",
    "SupplyItem",
    "SupplyItemSeller",
    "UpdateSkuDTO",
]


class _Request(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, extra="forbid")


class _Response(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, extra="ignore")


# --- the envelope every method answers with (kuaishou-api.md §1.5) ----------------------------


class Envelope(BaseModel):
    """`{result, error_msg, code, msg, sub_code, sub_msg, data}`.

    Success is `result == 1` and nothing else: there is no `error_code` field.
    """

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    result: int | None = None
    error_msg: str | None = None
    code: str | None = None
    msg: str | None = None
    sub_code: str | None = None
    sub_msg: str | None = None
    data: Any = None

    @property
    def ok(self) -> bool:
        return self.result == 1


# --- categories (§3) --------------------------------------------------------------------------


class Category(_Response):
    """One row of the flat `open.item.category` list. `categoryPid` 0 marks a root."""

    category_id: int
    category_name: str
    category_pid: int = 0


class CategoryConfigDetail(_Response):
    """The category's refund rules and presale cap.

    `refundRuleList` is `int[]` in the schema, but `serviceRule.refundRule` is a string enum.
    Both are kept as strings so that membership checks compare like with like.
    """

    model_config = ConfigDict(coerce_numbers_to_str=True)

    refund_rule_list: list[str] = Field(default_factory=list)
    pre_sale_time: int | None = None


class PropConfig(_Response):
    """One category attribute. A `required` one must appear exactly once in `itemPropValues`."""

    prop_id: int
    prop_name: str
    required: bool = False
    prop_input_type: str | None = None
    sort_num: int | None = None


class CategoryConfig(_Response):
    """`open.item.category.config` for a leaf: refund rules, presale cap, attribute configs."""

    category_config: CategoryConfigDetail = Field(default_factory=CategoryConfigDetail)
    category_prop_switch: bool | None = None
    prop_configs: list[PropConfig] = Field(default_factory=list)


# --- open.item.new (§1) -----------------------------------------------------------------------


class SkuPropDTO(_Request):
    """One spec of a SKU.

    `isMainProp` 1 marks the dimension whose values carry images. `propVersion` 1 means a
    custom spec, 2 a category template.
    """

    prop_name: str
    prop_value_name: str
    is_main_prop: int = 0
    image_url: str | None = None
    prop_version: int = 1
    prop_sort_num: int | None = None
    prop_value_sort_num: int | None = None


class SkuDTO(_Request):
    """One SKU. Prices in fen (分); `skuMarketPrice` (划线价) only above the top sale price."""

    rel_sku_id: int
    sku_stock: int
    sku_sale_price: int
    sku_market_price: int | None = None
    sku_nick: str | None = None
    sku_props: list[SkuPropDTO] = Field(default_factory=list)


class ServiceRule(_Request):
    """Exactly one of `promiseDeliveryTime` (spot) or `deliverGoodsInteralTime` (presale), s."""

    refund_rule: str
    promise_delivery_time: int | None = None
    deliver_goods_interal_time: int | None = None


class RadioPropValue(_Request):
    prop_value_id: int | None = None
    prop_value: str


class ItemPropValue(_Request):
    """A category attribute value. Only the value kinds banjia fills are modelled: text, radio,
    checkbox."""

    prop_id: int
    sort_num: int | None = None
    prop_name: str | None = None
    input_type: int | None = None
    text_prop_value: str | None = None
    radio_prop_value: RadioPropValue | None = None
    check_box_prop_values_list: list[RadioPropValue] | None = None


class ItemVideo(_Request):
    """`itemVideo{videoId, videoType}`: type 1 is an uploaded material (its videoId from
    `open.item.material.detail.get`), type 2 a Kuaishou short video (§4)."""

    video_id: str
    video_type: int = 1


class ItemNewParam(_Request):
    """The `param` of `open.item.new`. Every image URL must already be hosted by Kuaishou."""

    title: str
    rel_item_id: int
    category_id: int
    category_name: str | None = None
    image_urls: list[str]
    three_quarters_image_urls: list[str] | None = None
    short_title: str | None = None
    selling_point: str | None = None
    details: str
    detail_image_urls: list[str]
    sku_list: list[SkuDTO]
    item_prop_values: list[ItemPropValue] | None = None
    service_rule: ServiceRule
    express_template_id: int = 0
    item_video: ItemVideo | None = None


class SkuIdMapping(_Response):
    kwai_sku_id: int
    rel_sku_id: int
    sku_nick: str | None = None


class ItemNewResult(_Response):
    """`data` of `open.item.new`: the new item id and how our relSkuIds map to Kuaishou's skuIds."""

    kwai_item_id: int
    rel_item_id: int
    sku_id_mapping: list[SkuIdMapping] = Field(default_factory=list)


# --- open.item.get / open.item.list.get (§1.6) ------------------------------------------------


class AuditStatus(IntEnum):
    PENDING = 0  # 待审核
    NEEDS_CHANGES = 1  # 审核待修改
    APPROVED = 2  # 审核通过
    REJECTED = 3  # 审核拒绝


class SkuInfo(_Response):
    kwai_sku_id: int
    rel_sku_id: int | None = None
    sku_stock: int | None = None
    sku_sale_price: int | None = None
    sku_nick: str | None = None
    image_url: str | None = None
    specification: str | None = None


class ItemInfo(_Response):
    """An item as `open.item.get` (`itemId`, `skuInfos`) or `open.item.list.get` (`kwaiItemId`,
    `skuList`) returns it. Both spellings are accepted."""

    item_id: int = Field(
        validation_alias=AliasChoices("itemId", "kwaiItemId"),
        serialization_alias="itemId",
    )
    rel_item_id: int | None = None
    title: str | None = None
    category_id: int | None = None
    category_name: str | None = None
    audit_status: int | None = None
    audit_reason: str | None = None
    image_urls: list[str] = Field(default_factory=list)
    detail_image_urls: list[str] = Field(default_factory=list)
    sku_infos: list[SkuInfo] = Field(
        default_factory=list,
        validation_alias=AliasChoices("skuInfos", "skuList"),
        serialization_alias="skuInfos",
    )
    details: str | None = None
    short_title: str | None = None
    link_url: str | None = None
    on_offline_status: int | None = None
    offline_reason: str | None = None

    @property
    def kwai_item_id(self) -> int:
        return self.item_id


class ItemListPage(_Response):
    """`data` of `open.item.list.get` as a page. The official schema says that with `relItemId` the
    data is one item instead. The client accepts both shapes."""

    total_item_count: int = 0
    current_page_item_count: int | None = None
    current_page_number: int | None = None
    total_page: int | None = None
    items: list[ItemInfo] = Field(default_factory=list)


# --- open.item.image.upload (§4) --------------------------------------------------------------


class ImageUploadResult(_Response):
    origin_img_url: str | None = None
    kwai_img_url: str


# --- open.supply.item.sync (§2) ---------------------------------------------------------------


class SupplyItemSeller(_Request):
    """`seller{name, platform, platformName}`: platform 1 = 1688 货源, 2 = own supply, 3 = other."""

    name: str | None = None
    platform: int
    platform_name: str | None = None


class SupplyItem(_Request):
    """The `item` of `open.supply.item.sync`. `itemId` is a string: the source platform's own id.
    Prices are in fen."""

    scene: int
    item_id: str
    kwai_item_id: int
    origin_item_url: str | None = None
    title: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    image_url: str | None = None
    category_id: int | None = None
    seller: SupplyItemSeller | None = None
    upload_method: int | None = None


# --- open.item.edit / open.item.autopass.edit (§1.6) ------------------------------------------


class StockChangeType(IntEnum):
    """`skuStockChangeType`: how `skuChangeStock` applies. Autopass edits accept only 1 and 2."""

    ADD = 1
    SUBTRACT = 2
    SET = 3


class UpdateSkuDTO(_Request):
    """One SKU of `open.item.edit` (OpenApiUpdateSkuDTO).

    `skuId` names an existing SKU (a field left out keeps its value); without it the SKU is
    new and needs `relSkuId`, a price and its props. The list replaces the item's SKUs: an
    existing SKU left out is deleted, and the result must stay the full Cartesian product.
    Stock changes are relative unless `skuStockChangeType` is 3 (set).
    """

    sku_id: int | None = None
    rel_sku_id: int | None = None
    sku_sale_price: int | None = None
    sku_market_price: int | None = None
    sku_nick: str | None = None
    sku_props: list[SkuPropDTO] | None = None
    sku_stock_change_type: int | None = None
    sku_change_stock: int | None = None


class ItemEditParam(_Request):
    """The `param` of `open.item.edit`: `itemId` and the fields of new to change.

    A field left out (None) keeps its value. Detail images, attributes and 3:4 images change only
    with their `update*` flag set to true, and `[]` with the flag clears them. Title, details,
    main images and category changes send the item back to review.
    """

    item_id: int
    title: str | None = None
    category_id: int | None = None
    category_name: str | None = None
    image_urls: list[str] | None = None
    three_quarters_image_urls: list[str] | None = None
    update_three_quarters_image_urls: bool | None = None
    short_title: str | None = None
    selling_point: str | None = None
    details: str | None = None
    detail_image_urls: list[str] | None = None
    update_detail_image_urls: bool | None = None
    sku_list: list[UpdateSkuDTO] | None = None
    item_prop_values: list[ItemPropValue] | None = None
    update_item_prop_values: bool | None = None
    service_rule: ServiceRule | None = None
    express_template_id: int | None = None
    item_video: ItemVideo | None = None


class AutopassSkuDTO(_Request):
    """One SKU of `open.item.autopass.edit` (OpenApiAutoPassSkuDTO): price and stock of an
    existing SKU. Stock changes only by adding (1) or subtracting (2)."""

    sku_id: int
    sku_sale_price: int | None = None
    sku_market_price: int | None = None
    sku_stock_change_type: int | None = None
    sku_change_stock: int | None = None


class ItemAutopassEditParam(_Request):
    """The `param` of `open.item.autopass.edit`: price, stock and service changes that take
    effect without review. Only the SKUs listed change; the others keep their values."""

    item_id: int
    sku_list: list[AutopassSkuDTO] | None = None
    service_rule: ServiceRule | None = None
    express_template_id: int | None = None


# --- open.item.category.suggested.get (§3) ----------------------------------------------------


class CategorySuggestParam(_Request):
    """The `param` of `open.item.category.suggested.get`. The images must be Kuaishou URLs."""

    image_urls: list[str]
    item_title: str
    item_desc: str | None = None


class CategorySuggestion(_Response):
    """One suggested category: names and ids from the root down to the leaf.

    `open` tells whether this merchant may publish into it.
    """

    category_name_path: list[str] = Field(default_factory=list)
    category_code_path: list[int] = Field(default_factory=list)
    open: bool = False

    @property
    def category_id(self) -> int | None:
        """The leaf: the last id of the path."""
        return self.category_code_path[-1] if self.category_code_path else None


# --- open.item.material.* (§4, item video) ----------------------------------------------------


class MaterialTokenParam(_Request):
    """The `param` of `open.item.material.upload.token.issue`. `fileLength` (bytes) lets the
    platform refuse an oversized file before the upload."""

    material_upload_type: int = 1
    file_name: str | None = None
    file_length: int | None = None


class MaterialUploadToken(_Response):
    """A single-use upload token and where to POST the file.

    The response shape is not documented [?]: the URL is read from `uploadUrl` or `endpoint`.
    A relative URL is resolved against the client's base URL.
    """

    model_config = ConfigDict(coerce_numbers_to_str=True)

    token: str
    upload_url: str = Field(validation_alias=AliasChoices("uploadUrl", "endpoint"))
    expire_time: int | None = None


class MaterialVerifyResult(_Response):
    """`data` of `open.item.material.upload.token.verify`: the material the upload became."""

    material_id: int


class MaterialDetail(_Response):
    """`data` of `open.item.material.detail.get`. `videoId` is what `itemVideo` takes.

    Status values are not documented [?]; banjia relies only on `videoId` being present.
    """

    model_config = ConfigDict(coerce_numbers_to_str=True)

    material_id: int
    material_upload_type: int | None = None
    status: int | None = None
    video_id: str | None = None
    file_name: str | None = None
    file_length: int | None = None
