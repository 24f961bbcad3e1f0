"""PDD goods JSON (pdd.goods.detail.get) → the canonical `Listing`.

Every quirk of the PDD payload is resolved here, once:

- Prices are already integer fen. Each SKU has two: `price` (单买, buying alone) and `multi_price`
  (团购, the group-buy price, lower). Which one is the base price is the migration's business rule
  (`PriceRule.pdd_price`), passed in as `price="single" | "group"`.
- A single-SKU goods has `"spec": []`: it becomes one SKU without specs.
- `spec[{parent_name, spec_name}]` is ordered; the first SKU's order fixes the dimension order.
- `thumb_url` is per SKU; it becomes the image of the SKU's value in the first spec dimension (the
  main spec). SKUs sharing that value keep the first non-empty thumb, so each value has one image.
- SKU `is_onsale: 0` (下架的 SKU) becomes `SkuStatus.DELETED`: it is not for sale and never moved.
- Goods `status` 1 上架 / 2 下架 / 3 售罄 / 4 已删除 → ONSALE / OFFSHELF / SOLDOUT / DELETED.
- Stock is `quantity - reserve_quantity` (预扣库存), never below zero.
- `goods_property_list` carries ids and values but no names (those live in the category template,
  pdd.goods.cat.template.get). A value is kept as a prop only when the caller passes its name in
  `property_names` (keyed by `ref_pid`, else `template_pid`); a made-up name such as "属性1215"
  would only mislead the Kuaishou prop matching and a merchant, so unnamed values stay in `raw`.
- `market_price` (划线价) is not a selling price: it stays in `raw` only.
- `goods_desc` is plain text; it is carried as `description_html` unchanged.
- Images on PDD's CDN (pddpic.com, yangkeduo.com) are made https; PDD's `.jpg.a.jpeg` names (a
  JPEG rendition of `.jpg`) are cut back to the original, so the two forms of one picture are one
  URL (`listings.images.normalize_image_url`, decision 26).

Anything that cannot be read raises `ParseProblem` (`connectors.content`'s, shared by every source
parser, so every source quarantines the same way), whose reason is a sentence the merchant can act
on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, get_args

from pydantic import ValidationError

from connectors.content import (
    ParseProblem,
    dedupe,
    parser_failure,
    price_range_problem,
    validation_problem,
)
from connectors.pinduoduo.models import PddGoods, PddSku
from listings import images
from listings.model import (
    ItemProp,
    Listing,
    ListingStatus,
    Sku,
    SkuStatus,
    SourceCategory,
    SourcePlatform,
    SpecValue,
)

__all__ = [
    "PDD_IMAGE_HOSTS",
    "PRICE_KINDS",
    "ParseProblem",
    "PriceKind",
    "origin_url",
    "parse_goods",
]

PriceKind = Literal["single", "group"]
PRICE_KINDS: tuple[str, ...] = get_args(PriceKind)
_PRICE_FIELD: Final[dict[str, str]] = {"single": "price", "group": "multi_price"}
_PRICE_WORD: Final[dict[str, str]] = {"single": "单买价 (price)", "group": "团购价 (multi_price)"}
_STATUS: Final = {
    1: ListingStatus.ONSALE,
    2: ListingStatus.OFFSHELF,
    3: ListingStatus.SOLDOUT,
    4: ListingStatus.DELETED,
}
_SKU_STATUS: Final = {1: SkuStatus.NORMAL, 0: SkuStatus.DELETED}
PDD_IMAGE_HOSTS: Final = ("pddpic.com", "yangkeduo.com", "pinduoduo.com")
_DETAIL_KEY: Final = "goods_detail_get_response"


def origin_url(goods_id: int | str) -> str:
    """The public goods page Kuaishou's supply report needs as `originItemUrl`."""
    return f"https://mobile.yangkeduo.com/goods.html?goods_id={goods_id}"


def _image_url(url: str | None) -> str | None:
    """The canonical URL of a PDD picture: https on PDD's own CDN (`listings.images`)."""
    return images.normalize_image_url(url, https_domains=PDD_IMAGE_HOSTS)


class _GoodsParser:
    """Holds one goods' settings while its SKUs and props are built."""

    def __init__(
        self, goods: PddGoods, *, price: PriceKind, property_names: Mapping[int, str]
    ) -> None:
        self.goods = goods
        self.goods_id = str(goods.goods_id)
        self.price = price
        self.property_names = property_names

    def problem(self, field: str, reason: str) -> ParseProblem:
        return ParseProblem(item_id=self.goods_id, field=field, reason=reason)

    # -- SKUs -------------------------------------------------------------------------------------

    def sku_specs(self, sku: PddSku, index: int) -> list[tuple[str, str]]:
        """(dimension, value) pairs in the order PDD lists them."""
        pairs: list[tuple[str, str]] = []
        for position, spec in enumerate(sku.spec or []):
            name = (spec.parent_name or "").strip()
            value = (spec.spec_name or "").strip()
            if not name or not value:
                raise self.problem(
                    f"sku_list[{index}].spec[{position}]",
                    f"SKU {sku.sku_id} has a spec without a name or value; "
                    "re-save the goods' specs on Pinduoduo",
                )
            if any(name == seen for seen, _ in pairs):
                raise self.problem(
                    f"sku_list[{index}].spec",
                    f"SKU {sku.sku_id} lists the spec {name!r} twice; re-save the goods' specs",
                )
            pairs.append((name, value))
        return pairs

    def skus(self) -> list[Sku]:
        raw_skus = self.goods.sku_list or []
        if not raw_skus:
            raise self.problem(
                "sku_list", "the goods has no SKUs; add at least one on Pinduoduo and run again"
            )
        rows = [self.sku_specs(sku, index) for index, sku in enumerate(raw_skus)]
        if len(raw_skus) == 1 and not rows[0]:
            return [self.sku(raw_skus[0], 0, ())]
        for index, (sku, row) in enumerate(zip(raw_skus, rows, strict=True)):
            if not row:
                raise self.problem(
                    f"sku_list[{index}].spec",
                    f"SKU {sku.sku_id} has no spec although the goods has {len(raw_skus)} SKUs; "
                    "every SKU must name its spec values",
                )
        order = [name for name, _ in rows[0]]
        images = self.main_spec_images(raw_skus, rows, order[0])
        skus: list[Sku] = []
        for index, (sku, row) in enumerate(zip(raw_skus, rows, strict=True)):
            by_name = dict(row)
            if sorted(by_name) != sorted(order):
                raise self.problem(
                    f"sku_list[{index}].spec",
                    f"SKU {sku.sku_id} has other spec dimensions ({' × '.join(by_name)}) than the "
                    f"first SKU ({' × '.join(order)}); every SKU needs one value of each",
                )
            values = tuple(
                SpecValue(
                    name=name,
                    value=by_name[name],
                    image_url=images.get(by_name[name]) if position == 0 else None,
                )
                for position, name in enumerate(order)
            )
            skus.append(self.sku(sku, index, values))
        return skus

    @staticmethod
    def main_spec_images(
        raw_skus: list[PddSku], rows: list[list[tuple[str, str]]], main: str
    ) -> dict[str, str]:
        """Value of the main dimension → the first non-empty `thumb_url` of a SKU carrying it."""
        images: dict[str, str] = {}
        for sku, row in zip(raw_skus, rows, strict=True):
            url = _image_url(sku.thumb_url)
            value = dict(row).get(main)
            if url and value:
                images.setdefault(value, url)
        return images

    def sku(self, sku: PddSku, index: int, specs: tuple[SpecValue, ...]) -> Sku:
        field = f"sku_list[{index}]"
        if sku.is_onsale is not None and sku.is_onsale not in _SKU_STATUS:
            raise self.problem(
                f"{field}.is_onsale", f"SKU is_onsale {sku.is_onsale!r} is neither 1 nor 0"
            )
        return Sku(
            source_sku_id=str(sku.sku_id),
            specs=specs,
            price_fen=self.price_fen(sku, field),
            stock=max(0, (sku.quantity or 0) - (sku.reserve_quantity or 0)),
            outer_id=(sku.out_sku_sn or "").strip() or None,
            status=_SKU_STATUS[1 if sku.is_onsale is None else sku.is_onsale],
        )

    def price_fen(self, sku: PddSku, field: str) -> int:
        key = _PRICE_FIELD[self.price]
        value = sku.price if self.price == "single" else sku.multi_price
        if value is None:
            raise self.problem(
                f"{field}.{key}",
                f"SKU {sku.sku_id} has no {_PRICE_WORD[self.price]}; set it on Pinduoduo or "
                f"move this shop with the other price (price: "
                f"{'group' if self.price == 'single' else 'single'})",
            )
        if value < 0:
            raise self.problem(f"{field}.{key}", f"SKU {sku.sku_id} has a negative price {value}")
        problem = price_range_problem(value, platform="Pinduoduo")
        if problem:
            raise self.problem(f"{field}.{key}", f"SKU {sku.sku_id}: {problem}")
        return value

    # -- the rest ---------------------------------------------------------------------------------

    def props(self) -> tuple[ItemProp, ...]:
        props: dict[tuple[str, str], ItemProp] = {}
        for prop in self.goods.goods_property_list or []:
            value = (prop.vvalue or "").strip()
            unit = (prop.punit or "").strip()
            if unit and not value.endswith(unit):
                value += unit
            name = self._property_name(prop.ref_pid) or self._property_name(prop.template_pid)
            if value and name:
                props.setdefault((name, value), ItemProp(name=name, value=value))
        return tuple(props.values())

    def _property_name(self, pid: int | None) -> str | None:
        name = self.property_names.get(pid) if pid else None
        return name.strip() if name and name.strip() else None

    def status(self) -> ListingStatus:
        status = self.goods.status
        if status is None:
            return ListingStatus.ONSALE
        if status not in _STATUS:
            raise self.problem(
                "status", f"goods status {status!r} is not 1 上架, 2 下架, 3 售罄 or 4 已删除"
            )
        return _STATUS[status]

    def main_images(self) -> tuple[str, ...]:
        carousel = dedupe(_image_url(url) for url in self.goods.carousel_gallery_list or [])
        return carousel or dedupe([_image_url(self.goods.image_url)])

    def detail_images(self) -> tuple[str, ...]:
        return dedupe(_image_url(url) for url in self.goods.detail_gallery_list or [])

    def video_url(self) -> str | None:
        for video in self.goods.video_gallery or []:
            url = _image_url(video.video_url)
            if url:
                return url
        return None


def _parse_goods(
    detail_json: dict[str, Any],
    *,
    shop_id: str,
    price: PriceKind = "single",
    property_names: Mapping[int, str] | None = None,
) -> Listing:
    """One pdd.goods.detail.get answer (the `goods_detail_get_response` object) as a `Listing`.

    `price` picks the base price: "single" = 单买价 `price`, "group" = 团购价 `multi_price`.
    `property_names` (ref_pid/template_pid → name, from the category template) names item props;
    without it the goods' props stay in `raw` only. A body still wrapped in
    `goods_detail_get_response` is unwrapped; `raw` is the inner dict, verbatim.
    """
    if price not in PRICE_KINDS:
        raise ValueError(f"price must be one of {PRICE_KINDS}, not {price!r}")
    if isinstance(detail_json.get(_DETAIL_KEY), dict):
        detail_json = detail_json[_DETAIL_KEY]
    goods_id = str(detail_json.get("goods_id", "?"))
    try:
        goods = PddGoods.model_validate(detail_json)
    except ValidationError as exc:
        raise validation_problem(goods_id, exc, whole="goods") from None
    if not (goods.goods_name or "").strip():
        raise ParseProblem(
            item_id=goods_id,
            field="goods_name",
            reason="the goods has no name; give it one on Pinduoduo",
        )
    parser = _GoodsParser(goods, price=price, property_names=property_names or {})
    try:
        return Listing(
            platform=SourcePlatform.PINDUODUO,
            shop_id=shop_id,
            source_item_id=goods_id,
            title=goods.goods_name or "",
            short_title=(goods.tiny_name or "").strip() or None,
            category=SourceCategory(ids=(str(goods.cat_id),) if goods.cat_id else ()),
            props=parser.props(),
            skus=tuple(parser.skus()),
            main_images=parser.main_images(),
            detail_images=parser.detail_images(),
            video_url=parser.video_url(),
            description_html=(goods.goods_desc or "").strip() or None,
            origin_url=origin_url(goods.goods_id),
            status=parser.status(),
            raw=detail_json,
        )
    except ValidationError as exc:
        raise validation_problem(goods_id, exc, whole="goods") from None


def parse_goods(
    detail_json: dict[str, Any],
    *,
    shop_id: str,
    price: PriceKind = "single",
    property_names: Mapping[int, str] | None = None,
) -> Listing:
    """One pdd.goods.detail.get answer as a `Listing` (`_parse_goods`); raises `ParseProblem` for
    any goods it cannot take, also when the parser itself fails."""
    if price not in PRICE_KINDS:
        raise ValueError(f"price must be one of {PRICE_KINDS}, not {price!r}")
    try:
        return _parse_goods(
            detail_json, shop_id=shop_id, price=price, property_names=property_names
        )
    except ParseProblem:
        raise
    except Exception as exc:
        goods = detail_json.get(_DETAIL_KEY, detail_json) if isinstance(detail_json, dict) else {}
        goods_id = goods.get("goods_id") if isinstance(goods, dict) else None
        raise parser_failure(str(goods_id or "?")[:40], exc, platform="Pinduoduo") from exc
