"""A deterministic, realistic Pinduoduo shop for the PDD emulator.

Goods are built from kinds that exist in a real marketplace tree (宠物零食 狗零食/猫条, 收纳 收纳盒/
收纳箱, 女装 T恤/连衣裙, 玩具 积木/毛绒玩具, 餐具 陶瓷碗/马克杯), with 0-3 spec dimensions, and
carry the quirks the parser must survive at about the rates a real shop shows them:

- single-SKU goods with `"spec": []`;
- missing spec combinations;
- `multi_price` (团购) below `price` (单买), both in fen;
- reserved stock (`reserve_quantity`), sometimes above the quantity (oversold);
- SKUs taken off sale (`is_onsale: 0`);
- goods 下架/售罄/已删除 (`status` 2/3/4);
- `tiny_name` on about 60 % and `video_gallery` on about 30 %;
- few main images, white-bordered and 3:4 images;
- SKU thumbs missing for some values;
- PDD's `.jpg.a.jpeg` image names.

Same arguments → same goods, byte for byte: each goods draws from its own `random.Random` seeded by
(shop, seed, index), so a bigger catalog extends a smaller one, and `created_at` lies in the 60 days
before a fixed epoch, not before now(). Images are `{base_url}/pinduoduo/img/<name>.jpeg`, rendered
by the Taobao emulator's renderer (`taobao_images`): the name picks the drawing, colour, border and
ratio. `cat_id`s, spec parent ids and property ids are illustrative (16358 狗零食 is the
reference's constructed example), not checked against pdd.goods.cats.get.
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
    "CREATED_SPAN",
    "MAX_SIZE",
    "CatalogGoods",
    "generate_catalog",
    "image_url",
]

CATALOG_EPOCH: Final = datetime(2025, 6, 1, 12, 0, 0, tzinfo=CHINA_TZ)
CREATED_SPAN: Final = timedelta(days=60)
"""`created_at` lies in the 60 days before CATALOG_EPOCH: output never depends on today."""
MAX_SIZE: Final = 100_000


@dataclass(frozen=True)
class CatalogGoods:
    """One generated goods: its detail.get body, and the creation time the list call filters on.

    `detail` is exactly what pdd.goods.detail.get returns under `goods_detail_get_response` (that
    answer carries no `created_at`; pdd.goods.list.get does).
    """

    created_at: int
    detail: dict[str, Any]

    @property
    def goods_id(self) -> int:
        return int(self.detail["goods_id"])

    @property
    def status(self) -> int:
        return int(self.detail["status"])


def _stable_id(text: str, *, low: int = 1_000, span: int = 9_000_000) -> int:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return low + int.from_bytes(digest, "big") % span


@dataclass(frozen=True)
class _Value:
    name: str
    hex: str | None = None


@dataclass(frozen=True)
class _Dim:
    parent_id: int
    name: str
    values: tuple[_Value, ...]
    pick: tuple[int, int] = (2, 3)
    step_fen: int = 0  # price added per value index (bigger packs cost more)


@dataclass(frozen=True)
class _Prop:
    ref_pid: int
    vvalue: str
    punit: str = ""


@dataclass(frozen=True)
class _Kind:
    code: str
    shape: str  # the taobao_images drawing
    cat_id: int
    weight: int
    noun: str
    parts: tuple[tuple[str, ...], ...]  # title building blocks, one pick from each, "" allowed
    price_yuan: tuple[int, int]
    dims: tuple[_Dim, ...]  # the first is the main spec (its values carry thumbs)
    third: tuple[_Dim, ...] = ()  # optional third dimensions
    props: tuple[_Prop, ...] = ()
    tiny: tuple[str, ...] = ()


def _values(*names: str) -> tuple[_Value, ...]:
    return tuple(_Value(name, _HEX.get(name)) for name in names)


_HEX: dict[str, str] = {
    "白色": "f4f4f0",
    "黑色": "222222",
    "粉色": "f2a7b8",
    "灰色": "8c8c8c",
    "杏色": "e8cfa8",
    "雾霾蓝": "7ea6c0",
    "奶咖色": "c8a98a",
    "透明": "dfeef5",
    "米白色": "efe8d8",
    "牛油果绿": "9cbf6a",
    "棕色": "7a4e2d",
    "藏青色": "1f2a44",
    "鸡肉": "d9a35b",
    "牛肉": "8b3a2b",
    "鸭肉": "c98d4f",
    "三文鱼": "f08a5d",
    "金枪鱼": "c0584a",
    "青花瓷": "3b6fb6",
    "日式樱花": "f3c1cf",
    "北欧灰": "9a9a9a",
}

_SIZES = _Dim(1226, "尺码", _values("S", "M", "L", "XL", "XXL"), pick=(3, 5))
_NO_BRAND = _Prop(1, "无品牌")

_KINDS: tuple[_Kind, ...] = (
    _Kind(
        "GL",
        "bone",
        16358,
        3,
        "狗零食",
        (("宠物", "狗狗"), ("磨牙棒", "鸡肉干", "肉条", "甜甜圈"), ("洁齿", "训练奖励", "补钙")),
        (9, 49),
        (
            _Dim(1215, "口味", _values("鸡肉", "牛肉", "鸭肉", "三文鱼"), pick=(1, 4)),
            _Dim(1218, "规格", _values("200g", "500g", "1kg"), step_fen=1200),
        ),
        third=(_Dim(1219, "包装", _values("袋装", "罐装"), pick=(2, 2), step_fen=300),),
        props=(_NO_BRAND, _Prop(310, "12", "个月"), _Prop(312, "中国大陆")),
        tiny=("磨牙洁齿狗零食", "鸡肉磨牙棒", "训练奖励零食"),
    ),
    _Kind(
        "MT",
        "bone",
        16362,
        2,
        "猫条",
        (("猫咪", "宠物"), ("湿粮", "零食", "营养"), ("增肥发腮", "补水", "幼猫成猫")),
        (12, 59),
        (
            _Dim(1215, "口味", _values("金枪鱼", "鸡肉", "三文鱼", "牛肉"), pick=(1, 4)),
            _Dim(1220, "数量", _values("20支", "50支", "100支"), step_fen=1500),
        ),
        props=(_NO_BRAND, _Prop(311, "15", "g")),
        tiny=("营养猫条", "猫咪湿粮零食"),
    ),
    _Kind(
        "SN",
        "box",
        15706,
        3,
        "收纳盒",
        (("家用", "透明", "抽屉式", "桌面"), ("塑料", "带盖", "可叠加"), ("衣柜", "零食", "杂物")),
        (6, 39),
        (
            _Dim(1001, "颜色", _values("透明", "白色", "灰色", "奶咖色"), pick=(1, 3)),
            _Dim(1002, "尺寸", _values("小号", "中号", "大号"), step_fen=500),
        ),
        third=(_Dim(1220, "数量", _values("1个装", "3个装", "5个装"), step_fen=900),),
        props=(_NO_BRAND, _Prop(320, "PP")),
        tiny=("透明收纳盒", "桌面收纳神器"),
    ),
    _Kind(
        "SX",
        "box",
        15707,
        2,
        "收纳箱",
        (("大号", "加厚", "折叠"), ("衣服", "被子", "玩具"), ("整理箱", "储物箱")),
        (15, 79),
        (
            _Dim(1001, "颜色", _values("白色", "灰色", "雾霾蓝", "米白色"), pick=(1, 3)),
            _Dim(1002, "尺寸", _values("35L", "55L", "80L"), step_fen=1200),
        ),
        props=(_NO_BRAND,),
        tiny=("加厚收纳箱",),
    ),
    _Kind(
        "TX",
        "tee",
        8493,
        3,
        "T恤女",
        (
            ("2025夏季新款", "ins风", "韩版"),
            ("纯棉", "冰丝", ""),
            ("短袖", "半袖"),
            ("宽松上衣", ""),
        ),
        (15, 59),
        (_Dim(1001, "颜色", _values("白色", "黑色", "粉色", "杏色", "雾霾蓝")), _SIZES),
        third=(_Dim(1003, "款式", _values("常规款", "加长款"), pick=(2, 2), step_fen=300),),
        props=(_NO_BRAND, _Prop(330, "棉")),
        tiny=("纯棉宽松T恤", "百搭短袖"),
    ),
    _Kind(
        "LY",
        "dress",
        8494,
        2,
        "连衣裙",
        (("法式", "复古", "温柔风"), ("碎花", "纯色", "格纹"), ("收腰显瘦", "中长款", "a字")),
        (39, 129),
        (_Dim(1001, "颜色", _values("米白色", "黑色", "藏青色", "牛油果绿")), _SIZES),
        props=(_NO_BRAND,),
        tiny=("法式碎花裙", "收腰连衣裙"),
    ),
    _Kind(
        "JM",
        "blocks",
        9437,
        2,
        "积木",
        (("儿童", "大颗粒", "小颗粒"), ("拼装", "益智", "拼插"), ("男孩女孩", "3-6岁", "")),
        (19, 129),
        (
            _Dim(
                1004, "款式", _values("城市警察局", "恐龙乐园", "太空站", "公主城堡"), pick=(2, 4)
            ),
            _Dim(1005, "颗粒数", _values("300颗", "600颗", "1000颗"), step_fen=2000),
        ),
        props=(_NO_BRAND, _Prop(340, "3", "岁")),
        tiny=("益智拼装积木",),
    ),
    _Kind(
        "MR",
        "bear",
        9440,
        2,
        "毛绒玩具",
        (("可爱", "超软", "网红"), ("小熊", "兔子", "小狗"), ("公仔", "玩偶", "抱枕")),
        (15, 99),
        (
            _Dim(1001, "颜色", _values("棕色", "米白色", "粉色", "灰色"), pick=(1, 3)),
            _Dim(1002, "尺寸", _values("30cm", "45cm", "60cm", "80cm"), step_fen=1500),
        ),
        props=(_NO_BRAND,),
        tiny=("软萌毛绒公仔", "生日礼物玩偶"),
    ),
    _Kind(
        "TW",
        "mug",
        9771,
        2,
        "陶瓷碗",
        (("家用", "日式", "北欧"), ("釉下彩", "简约", "ins风"), ("饭碗", "面碗", "汤碗")),
        (8, 49),
        (
            _Dim(1006, "花色", _values("青花瓷", "日式樱花", "北欧灰", "白色"), pick=(1, 4)),
            _Dim(1002, "尺寸", _values("4.5英寸", "6英寸", "8英寸"), step_fen=600),
        ),
        third=(_Dim(1007, "套装", _values("单只", "4只装", "6只装"), step_fen=1800),),
        props=(_NO_BRAND, _Prop(350, "陶瓷")),
        tiny=("日式陶瓷碗", "釉下彩饭碗"),
    ),
    _Kind(
        "MK",
        "mug",
        9773,
        2,
        "马克杯",
        (("陶瓷", "ins风", "简约"), ("杯子", "水杯"), ("带盖带勺", "大容量", "情侣")),
        (9, 39),
        (
            _Dim(1001, "颜色", _values("白色", "黑色", "牛油果绿", "雾霾蓝")),
            _Dim(1008, "容量", _values("350ml", "400ml", "500ml"), pick=(1, 3), step_fen=400),
        ),
        props=(_NO_BRAND, _Prop(351, "400", "ml")),
        tiny=("ins风马克杯",),
    ),
)

_DESC_LINES = (
    "精选优质材料，做工精细，品质保证",
    "实物拍摄，颜色以实物为准，不同显示器略有色差",
    "48小时内发货，支持七天无理由退换",
    "下单前请看好规格，不确定可咨询客服",
    "厂家直供，拼单更优惠",
)


def image_url(base_url: str, name: str, *, a_jpeg: bool = False) -> str:
    """Where the emulator serves image `name`; `a_jpeg` writes PDD's `<name>.jpg.a.jpeg` form."""
    return f"{base_url.rstrip('/')}/pinduoduo/img/{name}{'.jpg.a.jpeg' if a_jpeg else '.jpeg'}"


def _pick(rng: random.Random, dim: _Dim) -> list[_Value]:
    low, high = dim.pick
    count = min(len(dim.values), rng.randint(low, high))
    chosen = set(rng.sample(range(len(dim.values)), count))
    return [value for index, value in enumerate(dim.values) if index in chosen]


class _GoodsBuilder:
    """Builds one goods from its own rng; kept small so every quirk is one readable line."""

    def __init__(self, *, rng: random.Random, goods_id: int, base_url: str) -> None:
        self.rng = rng
        self.goods_id = goods_id
        self.base_url = base_url
        self.kind = rng.choices(_KINDS, weights=[kind.weight for kind in _KINDS])[0]
        self.a_jpeg = rng.random() < 0.2  # this goods' images use PDD's .jpg.a.jpeg names

    def img(self, slot: str, *, hex_colour: str | None = None, variant: str = "") -> str:
        name = f"{self.kind.shape}-{self.goods_id}-{slot}"
        if hex_colour:
            name += f"-{hex_colour}"
        return image_url(self.base_url, name + variant, a_jpeg=self.a_jpeg)

    def title(self) -> str:
        parts = [self.rng.choice(options) for options in self.kind.parts]
        return "".join([*parts[:2], self.kind.noun, *parts[2:]])

    def dims(self) -> list[tuple[_Dim, list[_Value]]]:
        """0 dimensions for a single-SKU goods, else 1-3 (the third only where the kind has one)."""
        roll = self.rng.random()
        if roll < 0.12:
            return []
        dims = list(self.kind.dims)
        if roll < 0.30:
            dims = dims[:1]
        elif self.kind.third and roll > 0.80:
            dims.append(self.rng.choice(self.kind.third))
        return [(dim, _pick(self.rng, dim)) for dim in dims]

    def build(self) -> CatalogGoods:
        rng = self.rng
        kind = self.kind
        created_at = CATALOG_EPOCH - timedelta(
            seconds=rng.randrange(int(CREATED_SPAN.total_seconds()))
        )
        roll = rng.random()
        status = 1 if roll < 0.88 else 2 if roll < 0.93 else 3 if roll < 0.97 else 4
        base_fen = rng.randint(*kind.price_yuan) * 100 + rng.choice((0, 0, 90, 80, 50))
        outer = f"{kind.code}{rng.randrange(1000, 9999)}"
        dims = self.dims()
        skus = self.skus(dims, base_fen=base_fen, outer=outer, sold_out=status == 3)
        carousel = self.carousel()
        detail: dict[str, Any] = {
            "goods_id": self.goods_id,
            "goods_name": self.title(),
            "cat_id": kind.cat_id,
            "goods_type": 1,
            "status": status,
            "image_url": carousel[0],
            "carousel_gallery_list": carousel,
            "detail_gallery_list": [self.img(f"d{index}") for index in range(rng.randint(3, 8))],
            "goods_desc": self.desc(),
            "market_price": self.market_price(skus),
            "customer_num": 2,
            "is_pre_sale": 0,
            "is_refundable": 1,
            "shipment_limit_second": rng.choice((86_400, 172_800)),
            "outer_goods_id": outer,
            "goods_property_list": self.properties(),
            "sku_list": skus,
        }
        if rng.random() < 0.6:
            detail["tiny_name"] = rng.choice(kind.tiny)
        if rng.random() < 0.3:
            file_id = rng.randrange(10**9, 10**10)
            url = f"{self.base_url.rstrip('/')}/pinduoduo/video/{video_file(file_id)}"
            detail["video_gallery"] = [{"file_id": file_id, "video_url": url}]
        else:
            detail["video_gallery"] = []
        return CatalogGoods(created_at=int(created_at.timestamp()), detail=detail)

    def skus(
        self,
        dims: list[tuple[_Dim, list[_Value]]],
        *,
        base_fen: int,
        outer: str,
        sold_out: bool,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        combos = list(itertools.product(*[list(enumerate(values)) for _, values in dims]))
        if len(dims) > 1 and len(combos) >= 4 and rng.random() < 0.20:
            for _ in range(rng.randint(1, max(1, len(combos) // 4))):
                combos.pop(rng.randrange(len(combos)))
        thumbs = self.thumbs(dims)
        off_sale = rng.randrange(len(combos)) if len(combos) > 1 and rng.random() < 0.06 else None
        group_discount = rng.choice((100, 200, 300, 500, 1000))
        skus = []
        for index, combo in enumerate(combos):
            multi = base_fen + sum(
                dim.step_fen * position for (dim, _), (position, _) in zip(dims, combo, strict=True)
            )
            quantity = 0 if sold_out or rng.random() < 0.08 else rng.randrange(5, 999)
            reserve = 0
            if quantity and rng.random() < 0.15:
                reserve = rng.randrange(1, min(quantity, 20) + 1)
            elif rng.random() < 0.01:
                reserve = quantity + rng.randrange(1, 4)  # oversold: more reserved than in stock
            specs = [
                {
                    "parent_id": dim.parent_id,
                    "parent_name": dim.name,
                    "spec_id": _stable_id(f"{dim.parent_id}:{value.name}"),
                    "spec_name": value.name,
                }
                for (dim, _), (_, value) in zip(dims, combo, strict=True)
            ]
            skus.append(
                {
                    "sku_id": rng.randrange(10**10, 10**11),
                    "price": multi + group_discount,
                    "multi_price": multi,
                    "quantity": quantity,
                    "reserve_quantity": reserve,
                    "is_onsale": 0 if index == off_sale else 1,
                    "out_sku_sn": f"{outer}-{index + 1:02d}",
                    "thumb_url": thumbs.get(combo[0][1].name, "") if combo else self.img("t0"),
                    "weight": rng.choice((100, 250, 500, 1000)),
                    "spec": specs,
                }
            )
        return skus

    def thumbs(self, dims: list[tuple[_Dim, list[_Value]]]) -> dict[str, str]:
        """Main-spec value → its thumb; sellers skip one now and then (PDD then sends "")."""
        if not dims:
            return {}
        _, values = dims[0]
        return {
            value.name: self.img(f"s{_stable_id(value.name) % 1000}", hex_colour=value.hex)
            for value in values
            if self.rng.random() >= 0.1
        }

    def carousel(self) -> list[str]:
        rng = self.rng
        count = rng.choice((1, 2)) if rng.random() < 0.08 else rng.randint(3, 8)
        white_border = rng.random() < 0.15
        portrait = rng.random() < 0.2
        urls = []
        for position in range(count):
            variant = "_wb" if white_border and position == 0 else ""
            if portrait and position == count - 1 and count > 1:
                variant = "_34"
            if position == 1 and not variant and is_oversize_item(self.goods_id):
                variant = "_big"
            urls.append(self.img(f"m{position}", variant=variant))
        return urls

    def desc(self) -> str:
        if self.rng.random() < 0.05:
            return ""
        return "\n".join(self.rng.sample(_DESC_LINES, self.rng.randint(1, 3)))

    def market_price(self, skus: list[dict[str, Any]]) -> int:
        highest = max(sku["price"] for sku in skus)
        return highest * self.rng.choice((13, 15, 20)) // 1000 * 100

    def properties(self) -> list[dict[str, Any]]:
        return [
            {
                "ref_pid": prop.ref_pid,
                "template_pid": prop.ref_pid + 100_000,
                "vid": _stable_id(f"{prop.ref_pid}:{prop.vvalue}"),
                "vvalue": prop.vvalue,
                "punit": prop.punit,
            }
            for prop in self.kind.props
        ]


def generate_catalog(
    *, shop_id: str, size: int, seed: int = 0, base_url: str
) -> list[CatalogGoods]:
    """`size` goods (0-100,000) in the exact shape pdd.goods.detail.get returns.

    Image URLs start with `{base_url}/pinduoduo/img/`, so the emulator passes its request's base
    URL and the catalog works on a loopback port and in-process alike.
    """
    if not 0 <= size <= MAX_SIZE:
        raise ValueError(f"a catalog holds 0 to {MAX_SIZE} goods, not {size}")
    goods: list[CatalogGoods] = []
    used: set[int] = set()
    for index in range(size):
        rng = random.Random(f"pinduoduo:{shop_id}:{seed}:{index}")
        goods_id = rng.randrange(100_000_000_000, 699_999_999_999)
        while goods_id in used:
            goods_id += 1
        used.add(goods_id)
        goods.append(_GoodsBuilder(rng=rng, goods_id=goods_id, base_url=base_url).build())
    return goods
