"""Wire models of 1688 `productInfo` JSON (alibaba.product.get, alibaba.cross.productInfo) and of
the seller's product list page (alibaba.product.list.get).

Field names are 1688's own, `mainVedio` [sic] included. Money is yuan as a JSON double (`178.0`,
`17.1`), so amounts are read into `Decimal` through their shortest repr (`repr(17.1)` is "17.1"),
never through float arithmetic. Stock (`amountOnSale`) is a Double on saleInfo and an Integer on
SKUs; both are read as whole numbers. Arrays the platform may send as null read as empty.
`extra="allow"` keeps every field we do not model: the raw payload is stored verbatim.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "AopAttribute",
    "AopImageInfo",
    "AopPriceRange",
    "AopProductInfo",
    "AopSaleInfo",
    "AopSkuAttribute",
    "AopSkuInfo",
    "ProductIdPage",
]


def _yuan(value: Any) -> Any:
    """A yuan amount as Decimal: floats through repr (exact as written), never bools or NaN."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("a yuan amount, not a boolean")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a finite yuan amount")
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a yuan amount") from None
    return value


def _whole(value: Any) -> Any:
    """A count (stock, quantity) that may arrive as a Double: the whole part, floored."""
    if isinstance(value, bool):
        raise ValueError("a number, not a boolean")
    if isinstance(value, float) and math.isfinite(value):
        return math.floor(value)
    return value


def _empty_if_none(value: Any) -> Any:
    return [] if value is None else value


Yuan = Annotated[Decimal, BeforeValidator(_yuan)]
Whole = Annotated[int, BeforeValidator(_whole)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)


class AopSkuAttribute(_Wire):
    """One spec value of a SKU. Names come from `attributeDisplayName`/`attributeName` when sent;
    `skuImageUrl` (a relative `img/ibank/...` path) marks the attribute whose values have images."""

    attributeID: int | None = None
    attValueID: int | None = None
    attributeValue: str | None = None
    customValueName: str | None = None
    skuImageUrl: str | None = None
    attributeDisplayName: str | None = None
    attributeName: str | None = None


class AopPriceRange(_Wire):
    """A quantity tier: from `startQuantity` pieces on, `price` yuan each."""

    startQuantity: Whole | None = None
    price: Yuan | None = None


class AopSkuInfo(_Wire):
    """A SKU: `specId` (hex string) is the id orders use; `price` only with quoteType 1,
    `priceRange` only with quoteType 3, `consignPrice` = 分销基准价."""

    attributes: Annotated[list[AopSkuAttribute], BeforeValidator(_empty_if_none)] = Field(
        default_factory=list
    )
    cargoNumber: str | None = None
    amountOnSale: Whole | None = None
    price: Yuan | None = None
    retailPrice: Yuan | None = None
    consignPrice: Yuan | None = None
    priceRange: Annotated[list[AopPriceRange], BeforeValidator(_empty_if_none)] = Field(
        default_factory=list
    )
    skuCode: str | None = None
    skuId: int | None = None
    specId: str | None = None


class AopSaleInfo(_Wire):
    """quoteType: 0 按数量报价 (no SKU prices), 1 按规格报价 (SKU `price`), 2 SKU + 按数量报价
    (offer-level `priceRanges`), 3 SKU-level `priceRange`."""

    quoteType: int | None = None
    priceRanges: Annotated[list[AopPriceRange], BeforeValidator(_empty_if_none)] = Field(
        default_factory=list
    )
    minOrderQuantity: Whole | None = None
    amountOnSale: Whole | None = None
    unit: str | None = None
    consignPrice: Yuan | None = None
    retailprice: Yuan | None = None
    saleType: str | None = None
    mixWholeSale: bool | None = None
    supportOnlineTrade: bool | None = None


class AopAttribute(_Wire):
    """An offer-level attribute; one attribute may repeat with several values (流行元素: 花朵, 金属)."""

    attributeID: int | None = None
    attributeName: str | None = None
    valueID: int | None = None
    value: str | None = None
    isCustom: bool | None = None


class AopImageInfo(_Wire):
    """Main images as relative paths ("img/ibank/..."), to be prefixed with the image host."""

    images: Annotated[list[str], BeforeValidator(_empty_if_none)] = Field(default_factory=list)


class AopProductInfo(_Wire):
    """A 1688 `productInfo`. Times are "yyyyMMddHHmmssSSS+0800". The supplier's company name is
    not in it (only `supplierLoginId`)."""

    productID: int
    productType: str | None = None
    categoryID: int | None = None
    categoryName: str | None = None
    subject: str | None = None
    description: str | None = None
    status: str | None = None
    image: AopImageInfo | None = None
    attributes: Annotated[list[AopAttribute], BeforeValidator(_empty_if_none)] = Field(
        default_factory=list
    )
    skuInfos: Annotated[list[AopSkuInfo], BeforeValidator(_empty_if_none)] = Field(
        default_factory=list
    )
    saleInfo: AopSaleInfo | None = None
    supplierLoginId: str | None = None
    sellerLoginId: str | None = None
    mainVedio: str | None = None
    productCargoNumber: str | None = None
    referencePrice: str | None = None
    lastUpdateTime: str | None = None
    createTime: str | None = None


class ProductIdPage(BaseModel):
    """One page of alibaba.product.list.get reduced to what listing needs: ids and the total."""

    model_config = ConfigDict(frozen=True)

    page: int
    page_size: int
    total_records: int
    product_ids: tuple[int, ...] = ()
    last_update_times: tuple[str | None, ...] = ()
    """Each row's `lastUpdateTime` (AOP time text), in the order of `product_ids`: the version
    that incremental extraction compares."""
