"""A deterministic, realistic 1688 wholesale catalog for the AOP emulator.

Offers are built from wholesale goods a 1688 supplier really lists (女鞋 单鞋/凉鞋, 女装 T恤/连衣裙,
收纳盒, 衣架, 餐具 马克杯/套装, 玩具 积木/毛绒), in the exact `productInfo` shape of
alibaba.product.get / alibaba.cross.productInfo (source-platforms.md §1.3), and carry the quirks the
parser must survive at about the rates a real shop shows them:

- pricing: quoteType 1 (SKU `price`), 2 (offer `priceRanges` tiers, SKUs without price), 0 (no
  SKUs, tiers only) and a few 3 (SKU-level `priceRange`); `minOrderQuantity` above 1 on tiered
  offers that start above one piece; `consignPrice` (SKU level, or saleInfo only) on distributable
  offers; prices as JSON doubles in yuan;
- SKUs: 1-3 attributes, `skuImageUrl` on the first (colour-like) attribute only, sometimes only on
  the first SKU of a value; attribute names as `attributeDisplayName`, `attributeName` or absent
  for 1688's standard ids (3216 颜色, 450 尺码, as in the official sample); missing combinations;
  `amountOnSale` 0; `specId` as 32-hex;
- content: relative `img/ibank/...` main and SKU images; description images absolute with
  `?__r__=` cache-busters or `.jpg_.webp` variants, `<map>/<area>` links back to detail.1688.com,
  a repeated picture, a broken one; white-bordered and 3:4 main images; `mainVedio` on ~25% ("")
  otherwise); statuses published / expired / auto expired / member deleted / deleted / auditing.

Same arguments → same offers, byte for byte: each offer draws from its own `random.Random` seeded by
(shop, seed, index), so a bigger catalog extends a smaller one, and times are offsets from a fixed
epoch, not now(). Category ids 126506005 (单鞋) and 1048182 (连衣裙) appear in 1688's own samples; the
others, and the non-standard attribute ids, are stable made-up ids.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from listings.china_time import CHINA_TZ
from sandbox.taobao_images import is_oversize_item
from sandbox.videos import video_file

__all__ = [
    "CATALOG_EPOCH",
    "ShopProfile",
    "generate_catalog",
    "image_path",
    "shop_profile",
]

CATALOG_EPOCH: Final = datetime(2025, 6, 1, 12, 0, 0, tzinfo=CHINA_TZ)
"""`lastUpdateTime`s spread over the 90 days before this instant: output never depends on today."""

COLOUR_ID: Final = 3216
SIZE_ID: Final = 450


def _stable(text: str, *, low: int, span: int) -> int:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return low + int.from_bytes(digest, "big") % span


def _attribute_id(name: str) -> int:
    """A stable made-up attribute id for a non-standard spec name."""
    return _stable(f"1688-attr:{name}", low=100_000_000, span=800_000_000)


@dataclass(frozen=True)
class ShopProfile:
    """Who owns a shop: the member's login id and the company name a supply report needs."""

    login_id: str
    company_name: str


_PROFILES: dict[str, ShopProfile] = {
    "demo-1688-supplier": ShopProfile("yiwuyoupin2019", "义乌市优品日用百货有限公司"),
    "demo-1688-own": ShopProfile("gzmianyu88", "广州市棉语服饰有限公司"),
}
_COMPANY_TOWNS = ("义乌市", "广州市", "汕头市澄海区", "温州市", "晋江市", "揭阳市")
_COMPANY_TRADES = ("日用百货", "鞋业", "服饰", "塑料制品", "玩具", "陶瓷")


def shop_profile(shop_id: str) -> ShopProfile:
    """The fixed profile of a demo shop, or a stable generated one for any other shop id."""
    if shop_id in _PROFILES:
        return _PROFILES[shop_id]
    town = _COMPANY_TOWNS[_stable(f"town:{shop_id}", low=0, span=len(_COMPANY_TOWNS))]
    trade = _COMPANY_TRADES[_stable(f"trade:{shop_id}", low=0, span=len(_COMPANY_TRADES))]
    login = f"seller{_stable(f'login:{shop_id}', low=1000, span=9000)}"
    return ShopProfile(login, f"{town}{login[-4:]}{trade}有限公司")


@dataclass(frozen=True)
class _Value:
    name: str
    hex: str | None = None


@dataclass(frozen=True)
class _Dim:
    attribute_id: int
    name: str
    values: tuple[_Value, ...]
    pick: tuple[int, int] = (2, 4)
    images: bool = False
    step_fen: int = 0

    @property
    def standard(self) -> bool:
        """1688's own ids, which SKUs often send without any name."""
        return self.attribute_id in (COLOUR_ID, SIZE_ID)


@dataclass(frozen=True)
class _Kind:
    code: str
    shape: str
    category_id: int
    category_name: str
    weight: int
    noun: str
    parts: tuple[tuple[str, ...], ...]
    price_yuan: tuple[int, int]
    unit: str
    dims: tuple[_Dim, ...]
    third: _Dim | None = None
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _dim(name: str, *values: str, pick: tuple[int, int] = (2, 3), step: int = 0) -> _Dim:
    return _Dim(
        _attribute_id(name), name, tuple(_Value(v) for v in values), pick=pick, step_fen=step
    )


def _colours(*pairs: tuple[str, str], pick: tuple[int, int] = (2, 4), name: str = "颜色") -> _Dim:
    attribute_id = COLOUR_ID if name == "颜色" else _attribute_id(name)
    values = tuple(_Value(colour, hex_) for colour, hex_ in pairs)
    return _Dim(attribute_id, name, values, pick=pick, images=True)


_SHOE_COLOURS = (
    ("黑色", "222222"),
    ("米白色", "efe8d8"),
    ("杏色", "e8cfa8"),
    ("烧焦卡其", "b79e74"),
)
_CLOTH_COLOURS = (
    ("白色", "f4f4f0"),
    ("黑色", "222222"),
    ("粉色", "f2a7b8"),
    ("雾霾蓝", "7e9cb8"),
    ("牛油果绿", "a7c47c"),
)
_HOME_COLOURS = (("白色", "f4f4f0"), ("灰色", "8c8c8c"), ("透明", "dfeef5"), ("北欧绿", "6f9b7c"))
_SHOE_SIZES = _Dim(SIZE_ID, "尺码", tuple(_Value(s) for s in ("35", "36", "37", "38", "39", "40")))
_CLOTH_SIZES = _Dim(SIZE_ID, "尺码", tuple(_Value(s) for s in ("S", "M", "L", "XL", "XXL")))

_KINDS: tuple[_Kind, ...] = (
    _Kind(
        "DX", "shoe", 126506005, "女式单鞋", 3, "女鞋单鞋",
        (("2025春季新款", "新品原创", "韩版"), ("手工", "百搭", "森系"), ("浅口", "尖头", "方头"),
         ("低跟舒适", "平底软底", "粗跟")),
        (25, 89), "双", (_colours(*_SHOE_COLOURS), _SHOE_SIZES),
        attributes=(("鞋面材质", ("PU", "超纤", "头层牛皮")), ("流行元素", ("花朵", "金属", "蝴蝶结"))),
    ),
    _Kind(
        "LX", "sandal", 127424004, "女式凉鞋", 2, "凉鞋女",
        (("2025夏季", "仙女风", "外穿"), ("一字带", "罗马", "软底"), ("坡跟", "平底"), ("厂家直销", "")),
        (18, 69), "双", (_colours(*_SHOE_COLOURS), _SHOE_SIZES),
        attributes=(("鞋底材质", ("橡胶", "EVA")),),
    ),
    _Kind(
        "TX", "tee", 1031918, "女式T恤", 3, "T恤女",
        (("2025夏装", "ins风", "韩版"), ("纯棉", "冰丝", "莫代尔"), ("宽松百搭", "修身显瘦"),
         ("一件代发", "跨境货源", "")),
        (9, 39), "件", (_colours(*_CLOTH_COLOURS), _CLOTH_SIZES),
        third=_dim("款式", "短袖", "长袖", pick=(2, 2), step=500),
        attributes=(("面料名称", ("纯棉", "涤纶", "莫代尔")), ("风格", ("韩版", "简约", "休闲"))),
    ),
    _Kind(
        "LY", "dress", 1048182, "连衣裙", 2, "连衣裙",
        (("法式", "复古", "温柔风"), ("碎花", "纯色", "格纹"), ("收腰显瘦", "中长款"), ("女夏", "")),
        (29, 99), "件", (_colours(*_CLOTH_COLOURS[:4]), _CLOTH_SIZES),
        attributes=(("流行元素", ("印花", "系带", "荷叶边")),),
    ),
    _Kind(
        "SN", "box", 1042754, "收纳盒", 3, "收纳盒",
        (("家用", "桌面", "抽屉式"), ("塑料", "带盖", "可叠加"), ("衣柜衣服", "零食杂物"), ("整理箱", "")),
        (3, 29), "个",
        (_colours(*_HOME_COLOURS, pick=(1, 3)), _dim("规格", "小号", "中号", "大号", step=400)),
        attributes=(("材质", ("PP塑料", "PET")),),
    ),
    _Kind(
        "YJ", "hanger", 1043040, "衣架", 1, "衣架",
        (("家用", "防滑", "无痕"), ("加粗", "浸塑", "实木"), ("晾衣", "挂衣"), ("批发", "")),
        (2, 15), "包",
        (_colours(*_HOME_COLOURS[:2], pick=(1, 2)), _dim("数量", "10只装", "20只装", "50只装", step=600)),
    ),
    _Kind(
        "MK", "mug", 1037063, "马克杯", 2, "马克杯",
        (("陶瓷", "ins风", "简约"), ("杯子", "水杯"), ("带盖带勺", "大容量"), ("办公室", "")),
        (4, 25), "个",
        (_colours(*_HOME_COLOURS, pick=(2, 4)), _dim("容量", "350ml", "400ml", "500ml", step=200)),
        third=_dim("套餐", "单杯", "杯+盖勺", pick=(2, 2), step=300),
        attributes=(("材质", ("陶瓷",)),),
    ),
    _Kind(
        "CJ", "mug", 1036949, "餐具套装", 1, "陶瓷餐具套装",
        (("家用", "北欧", "日式"), ("碗碟", "碗盘"), ("釉下彩", "金边"), ("礼盒装", "")),
        (19, 99), "套",
        (_colours(("青花", "2f4f8f"), ("粉金", "e7b7a3"), ("墨绿", "2f5d50"), name="花色"),
         _dim("件数", "4头", "6头", "10头", step=1500)),
        third=_dim("包装", "普通包装", "礼盒包装", pick=(2, 2), step=800),
        attributes=(("材质", ("陶瓷",)), ("工艺", ("釉下彩", "釉中彩"))),
    ),
    _Kind(
        "JM", "blocks", 1046684, "积木", 2, "积木",
        (("儿童", "大颗粒", "小颗粒"), ("拼装", "益智"), ("男孩女孩", "3-6岁"), ("玩具", "")),
        (6, 49), "盒", (_dim("款式", "城堡", "汽车", "恐龙", "飞机", pick=(2, 4), step=300),),
        attributes=(("材质", ("ABS塑料",)), ("适用年龄", ("3-6岁", "6岁以上"))),
    ),
    _Kind(
        "MR", "bear", 1046667, "毛绒玩具", 2, "毛绒玩具",
        (("可爱", "超软", "网红"), ("小熊", "兔子", "小狗"), ("公仔", "玩偶"), ("抓机娃娃", "")),
        (5, 59), "个",
        (_colours(("棕色", "7a4e2d"), ("米白色", "efe8d8"), ("粉色", "f2a7b8"), pick=(1, 3)),
         _dim("尺寸", "30cm", "45cm", "60cm", "80cm", pick=(2, 4), step=1200)),
        attributes=(("填充物", ("PP棉",)),),
    ),
)  # fmt: skip

_ORIGINS = ("浙江义乌", "广东汕头", "福建晋江", "广东广州", "浙江温州")
_DESC_LINES = (
    "厂家直销，一件代发，支持混批",
    "实物拍摄，颜色以实物为准",
    "大货现货，48小时内发货",
    "支持来图来样定制，量大从优",
    "工厂质检，每件出厂前检验",
)
_TIER_SETS = ((1, 10, 100), (2, 50, 200), (3, 5, 10), (1, 50), (10, 100, 1000), (1, 3))
_STATUSES = (
    (0.03, "expired"),
    (0.05, "member deleted"),
    (0.06, "deleted"),
    (0.08, "auditing"),
    (0.09, "auto expired"),
)


def image_path(shape: str, product_id: int, slot: str, *, suffix: str = "") -> str:
    """The relative image-bank path of a generated picture, as 1688 returns them; the name encodes
    what `taobao_images.render_image` draws (shape, slot, colour, `_wb`/`_34`)."""
    digest = hashlib.blake2b(f"{product_id}:{slot}".encode(), digest_size=4).digest()
    year = 2019 + digest[0] % 6
    folder = f"img/ibank/{year}/{digest[1] % 1000:03d}/{digest[2] % 1000:03d}"
    return f"{folder}/{shape}-{product_id}-{slot}{suffix}.jpg"


def _yuan(fen: int) -> float:
    """Fen as the JSON double 1688 sends (1999 → 19.99; whole amounts as 258, like the sample)."""
    return fen // 100 if fen % 100 == 0 else fen / 100


def _aop_time(value: datetime) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y%m%d%H%M%S000%z")


def _pick(rng: random.Random, dim: _Dim) -> list[_Value]:
    low, high = dim.pick
    count = min(len(dim.values), rng.randint(low, high))
    chosen = set(rng.sample(range(len(dim.values)), count))
    return [value for index, value in enumerate(dim.values) if index in chosen]


class _OfferBuilder:
    """Builds one offer from its own rng; each quirk is one readable line."""

    def __init__(
        self,
        *,
        rng: random.Random,
        product_id: int,
        image_base: str,
        profile: ShopProfile,
        distributable_share: float,
    ) -> None:
        self.rng = rng
        self.product_id = product_id
        self.image_base = image_base if image_base.endswith("/") else image_base + "/"
        self.profile = profile
        self.distributable = rng.random() < distributable_share
        self.kind = rng.choices(_KINDS, weights=[kind.weight for kind in _KINDS])[0]

    def build(self) -> dict[str, Any]:
        rng, kind = self.rng, self.kind
        updated = CATALOG_EPOCH - timedelta(seconds=rng.randrange(90 * 86_400))
        created = updated - timedelta(seconds=rng.randrange(365 * 86_400))
        base_fen = rng.randint(*kind.price_yuan) * 100 + rng.choice((0, 0, 50, 80, 90, 10))
        has_skus = rng.random() >= 0.12
        quote = (rng.choices((1, 2, 3), weights=(50, 42, 8))[0]) if has_skus else 0
        cargo = f"{kind.code}{rng.randrange(1000, 9999)}"
        offer: dict[str, Any] = {
            "productID": self.product_id,
            "productType": "wholesale",
            "categoryID": kind.category_id,
            "categoryName": kind.category_name,
            "status": self.status(),
            "subject": self.subject(),
            "description": self.description(),
            "language": "CHINESE",
            "bizType": 1,
            "image": {"images": self.main_images()},
            "productCargoNumber": cargo,
            "supplierLoginId": self.profile.login_id,
            "sellerLoginId": self.profile.login_id,
            "mainVedio": self.video(),
            "createTime": _aop_time(created),
            "lastUpdateTime": _aop_time(updated),
        }
        dims = self.dims() if has_skus else []
        offer["attributes"] = self.attributes(cargo, dims)
        tiers = self.tiers(base_fen)
        skus = self.skus(dims, base_fen=base_fen, quote=quote, tiers=tiers) if has_skus else []
        if skus:
            offer["skuInfos"] = skus
        offer["saleInfo"] = self.sale_info(quote, tiers=tiers, skus=skus, base_fen=base_fen)
        prices = [tier["price"] for tier in tiers] or [
            sku["price"] for sku in skus if "price" in sku
        ]
        if prices:
            offer["referencePrice"] = f"{min(prices):.2f}-{max(prices):.2f}"
        return offer

    # -- text and media --

    def status(self) -> str:
        roll = self.rng.random()
        return next((status for limit, status in _STATUSES if roll < limit), "published")

    def subject(self) -> str:
        parts = [self.rng.choice(options) for options in self.kind.parts]
        return "".join([*parts[:3], self.kind.noun, *parts[3:]])[:128]

    def img(self, slot: str, *, suffix: str = "") -> str:
        return image_path(self.kind.shape, self.product_id, slot, suffix=suffix)

    def main_images(self) -> list[str]:
        rng = self.rng
        count = rng.choice((1, 2)) if rng.random() < 0.05 else rng.randint(3, 6)
        white_border = rng.random() < 0.15
        portrait = rng.random() < 0.2
        images = []
        for position in range(count):
            suffix = "_wb" if white_border and position == 0 else ""
            if portrait and position == count - 1 and count > 1:
                suffix = "_34"
            if position == 1 and not suffix and is_oversize_item(self.product_id):
                suffix = "_big"
            images.append(self.img(f"m{position}", suffix=suffix))
        return images

    def description(self) -> str:
        rng = self.rng
        if rng.random() < 0.03:
            return ""
        has_map = rng.random() < 0.4
        blocks = [f'<p><span style="font-size:16px">{rng.choice(_DESC_LINES)}</span></p>']
        for index in range(rng.randint(3, 6)):
            url = self.image_base + self.img(f"d{index}")
            roll = rng.random()
            if roll < 0.03:
                url = self.image_base + self.img(f"d{index}-broken")
            elif roll < 0.18:
                url += "_.webp"
            else:
                url += f"?__r__={rng.randrange(1_600_000_000_000, 1_750_000_000_000)}"
            usemap = ' usemap="#_sdmap_0"' if has_map and index == 0 else ""
            blocks.append(f'<img src="{url}"{usemap} style="width:790px;display:block"/>')
        if rng.random() < 0.2:
            blocks.append(blocks[1])  # the same picture twice, as suppliers paste it
        if has_map:
            other = self.product_id + rng.randrange(1, 10_000)
            blocks.append(
                '<map name="_sdmap_0"><area shape="rect" coords="0,0,790,260" '
                f'href="https://detail.1688.com/offer/{other}.html" target="_blank"></map>'
            )
        return f'<div id="offer-template-0">{"".join(blocks)}</div>'

    def video(self) -> str:
        if self.rng.random() >= 0.25:
            return ""
        return f"{self.image_base}video/{video_file(self.rng.randrange(10**11, 10**12))}"

    # -- attributes and specs --

    def dims(self) -> list[tuple[_Dim, list[_Value]]]:
        rng, kind = self.rng, self.kind
        dims = list(kind.dims)
        if len(dims) > 1 and rng.random() < 0.1:
            dims = dims[:1]
        if kind.third is not None and len(dims) == 2 and rng.random() < 0.25:
            dims.append(kind.third)
        return [(dim, _pick(rng, dim)) for dim in dims]

    def attributes(self, cargo: str, dims: list[tuple[_Dim, list[_Value]]]) -> list[dict[str, Any]]:
        rng = self.rng
        pairs: list[tuple[int, str, str]] = [
            (2176, "品牌", rng.choice(("其他", "无", "OEM"))),
            (346, "货号", cargo),
            (1398, "产地", rng.choice(_ORIGINS)),
        ]
        for name, options in self.kind.attributes:
            multi = name == "流行元素" and len(options) > 1  # one attribute, several values
            chosen = rng.sample(options, 2) if multi else [rng.choice(options)]
            pairs.extend((_attribute_id(name), name, value) for value in chosen)
        if dims and rng.random() < 0.3:  # the SKU values repeated as offer attributes
            for dim, values in dims:
                pairs.extend((dim.attribute_id, dim.name, value.name) for value in values)
        return [
            {"attributeID": aid, "attributeName": name, "value": value, "isCustom": False}
            for aid, name, value in pairs
        ]

    def tiers(self, base_fen: int) -> list[dict[str, Any]]:
        starts = self.rng.choice(_TIER_SETS)
        tiers = []
        for position, start in enumerate(starts):
            fen = base_fen * (100 - 7 * position) // 100 // 10 * 10  # whole jiao, cheaper in bulk
            tiers.append({"startQuantity": start, "price": _yuan(max(fen, 10))})
        return tiers

    def skus(
        self,
        dims: list[tuple[_Dim, list[_Value]]],
        *,
        base_fen: int,
        quote: int,
        tiers: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        rng = self.rng
        combos = list(itertools.product(*[list(enumerate(values)) for _, values in dims]))
        if len(dims) > 1 and len(combos) >= 4 and rng.random() < 0.2:
            for _ in range(rng.randint(1, max(1, len(combos) // 4))):
                combos.pop(rng.randrange(len(combos)))
        naming = rng.choice(("none", "display", "name"))
        nameless_custom = rng.random() < 0.005  # a half-configured offer: the parser must refuse
        image_dim = dims[0][0] if dims[0][0].images and rng.random() < 0.85 else None
        first_only = rng.random() < 0.4
        empty_image_field = rng.random() < 0.3
        all_zero = rng.random() < 0.03
        sku_consign = self.distributable and rng.random() < 0.7
        missing_price = quote == 1 and rng.random() < 0.01
        seen_values: set[str] = set()
        skipped = {v.name for v in dims[0][1] if rng.random() < 0.1}
        skus = []
        for index, combo in enumerate(combos):
            price_fen = base_fen + sum(
                dim.step_fen * position for (dim, _), (position, _) in zip(dims, combo, strict=True)
            )
            attributes = []
            for (dim, _), (_, value) in zip(dims, combo, strict=True):
                attr: dict[str, Any] = {
                    "attributeID": dim.attribute_id,
                    "attributeValue": value.name,
                }
                if not (dim.standard and naming == "none") and not (
                    nameless_custom and not dim.standard
                ):
                    attr["attributeDisplayName" if naming != "name" else "attributeName"] = dim.name
                if dim is image_dim and value.name not in skipped:
                    if not (first_only and value.name in seen_values):
                        attr["skuImageUrl"] = self.img(f"p{dim.values.index(value)}-{value.hex}")
                    seen_values.add(value.name)
                elif empty_image_field:
                    attr["skuImageUrl"] = ""
                attributes.append(attr)
            sku: dict[str, Any] = {
                "attributes": attributes,
                "cargoNumber": "" if rng.random() < 0.5 else f"{self.kind.code}-{index + 1:02d}",
                "amountOnSale": 0 if all_zero or rng.random() < 0.1 else rng.randrange(20, 5000),
                "skuId": rng.randrange(3_000_000_000_000, 5_999_999_999_999),
                "specId": hashlib.blake2b(
                    f"{self.product_id}:{index}".encode(), digest_size=16
                ).hexdigest(),
            }
            if quote == 1 and not (missing_price and index == 0):
                sku["price"] = _yuan(price_fen)
                sku["retailPrice"] = _yuan(price_fen * 2)
            if quote == 3:
                sku["priceRange"] = [
                    {"startQuantity": tier["startQuantity"],
                     "price": _yuan(round(tier["price"] * 100) + price_fen - base_fen)}
                    for tier in tiers
                ]  # fmt: skip
            if sku_consign:
                sku["consignPrice"] = _yuan((price_fen * 115 // 100) // 10 * 10)
            skus.append(sku)
        return skus

    def sale_info(
        self,
        quote: int,
        *,
        tiers: list[dict[str, Any]],
        skus: list[dict[str, Any]],
        base_fen: int,
    ) -> dict[str, Any]:
        rng = self.rng
        stock = sum(sku["amountOnSale"] for sku in skus) if skus else rng.randrange(0, 20_000)
        sale: dict[str, Any] = {
            "supportOnlineTrade": True,
            "mixWholeSale": rng.random() < 0.6,
            "saleType": "normal",
            "priceAuth": False,
            "amountOnSale": float(stock),
            "unit": self.kind.unit,
            "quoteType": quote,
        }
        if quote == 1:
            moq = rng.choice((1, 1, 1, 2, 3))
            if rng.random() < 0.5:
                prices = [sku["price"] for sku in skus if "price" in sku]
                sale["priceRanges"] = [{"startQuantity": moq, "price": min(prices or [0])}]
            else:
                sale["priceRanges"] = []
        else:
            moq = tiers[0]["startQuantity"]
            sale["priceRanges"] = tiers
        sale["minOrderQuantity"] = moq
        if self.distributable and not any("consignPrice" in sku for sku in skus):
            sale["consignPrice"] = _yuan((base_fen * 118 // 100) // 10 * 10)
        return sale


def generate_catalog(
    *,
    shop_id: str,
    size: int,
    seed: int = 0,
    image_base: str,
    distributable_share: float | None = None,
) -> list[dict[str, Any]]:
    """`size` offers in the exact shape alibaba.product.get returns under "productInfo".

    Main and SKU images are relative `img/ibank/...` paths (the parser prefixes its image host);
    description images and videos are absolute under `image_base`, where the emulator serves
    them. `distributable_share` is the fraction of offers with a consignPrice (default: 85% for a
    shop whose id names a supplier, 20% otherwise).
    """
    profile = shop_profile(shop_id)
    if distributable_share is None:
        distributable_share = 0.85 if "supplier" in shop_id.lower() else 0.2
    band = 500_000_000_000 + _stable(f"band:{shop_id}", low=0, span=4_000) * 100_000_000
    offers: list[dict[str, Any]] = []
    used: set[int] = set()
    for index in range(size):
        rng = random.Random(f"1688:{shop_id}:{seed}:{index}")
        product_id = band + rng.randrange(100_000_000)
        while product_id in used:
            product_id += 1
        used.add(product_id)
        builder = _OfferBuilder(
            rng=rng,
            product_id=product_id,
            image_base=image_base,
            profile=profile,
            distributable_share=distributable_share,
        )
        offers.append(builder.build())
    return offers
