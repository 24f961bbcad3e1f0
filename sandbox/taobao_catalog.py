"""A deterministic, realistic Taobao shop for the TOP emulator.

Items are built from product kinds that exist in a real marketplace tree (女装 T恤/连衣裙/
衬衫/卫衣, 女鞋 凉鞋/帆布鞋, 收纳盒, 衣架, 宠物 狗零食/猫砂, 积木, 毛绒玩具, 马克杯, 帐篷), each
with 1-2 sale spec dimensions, and carry the quirks the parser must survive at about the rates a
real shop shows them: missing SKU combinations, items without SKUs, `property_alias` renames,
seller-defined props with negative pid/vid and `#cln#`/`#scln#` escapes in their names, deleted
SKUs, reserved and zero stock, off-shelf items, http:// and protocol-relative images in `desc`,
items with 1-2 main images only, white-bordered and 3:4 main images, broken images and videos.

Same arguments → same items, byte for byte: each item draws from its own `random.Random` seeded by
(shop, seed, index), so a bigger catalog extends a smaller one, and times are offsets from a fixed
epoch, not now(). Property and value ids are real TOP ids where the 2018 itemprops dump has them
(data/categories/original/taobao_bingyiyu1); the rest are stable made-up ids. `cid` 50000671 (T恤)
is the reference's example; the other cids are illustrative, not verified against a live tree.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlsplit

from listings.china_time import CHINA_TZ
from sandbox.taobao_images import is_oversize_item
from sandbox.videos import video_file

__all__ = ["CATALOG_EPOCH", "catalog_num_iids", "generate_catalog", "image_url"]

CATALOG_EPOCH: Final = datetime(2025, 6, 1, 12, 0, 0, tzinfo=CHINA_TZ)
"""`modified` times spread over the 90 days before this instant: output never depends on today."""

_TOP_TIME = "%Y-%m-%d %H:%M:%S"


def _stable_id(text: str, *, low: int = 100_000_000, span: int = 800_000_000) -> int:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return low + int.from_bytes(digest, "big") % span


@dataclass(frozen=True)
class _Value:
    name: str
    vid: int = 0
    hex: str | None = None

    def id_in(self, pid: int) -> int:
        return self.vid or _stable_id(f"{pid}:{self.name}")


@dataclass(frozen=True)
class _Dim:
    pid: int
    name: str
    values: tuple[_Value, ...]
    pick: tuple[int, int] = (2, 4)
    images: bool = False
    step_fen: int = 0  # price added per value index (bigger sizes cost more)


@dataclass(frozen=True)
class _Kind:
    code: str
    shape: str
    cid: int
    weight: int
    noun: str
    parts: tuple[tuple[str, ...], ...]  # title building blocks, one pick from each, "" allowed
    price_yuan: tuple[int, int]
    dims: tuple[_Dim, ...]
    alt_second: tuple[_Dim, ...] = ()  # alternative second dimensions (custom props live here)
    props: tuple[tuple[int, str, _Value], ...] = ()


def _colours(*names: str) -> tuple[_Value, ...]:
    return tuple(_COLOURS[name] for name in names)


_COLOURS: dict[str, _Value] = {
    value.name: value
    for value in (
        _Value("白色", 28320, "f4f4f0"),
        _Value("黑色", 28341, "222222"),
        _Value("红色", 28326, "c8262c"),
        _Value("粉红色", 3232480, "f2a7b8"),
        _Value("浅灰色", 28332, "c9c9c9"),
        _Value("灰色", 28334, "8c8c8c"),
        _Value("杏色", 30155, "e8cfa8"),
        _Value("天蓝色", 3232484, "7ec0ee"),
        _Value("卡其色", 28331, "b79e74"),
        _Value("藏青色", 28866, "1f2a44"),
        _Value("米白色", 4266701, "efe8d8"),
        _Value("绿色", 28335, "3f9a5b"),
        _Value("黄色", 28324, "f2cd3b"),
        _Value("紫色", 28329, "8a5bb5"),
        _Value("棕色", 28336, "7a4e2d"),
        _Value("驼色", 3224419, "b98d5b"),
        _Value("透明", 107121, "dfeef5"),
    )
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "白色": ("奶油白", "本白"),
    "黑色": ("经典黑", "曜石黑"),
    "粉红色": ("樱花粉",),
    "浅灰色": ("雾霾灰", "高级灰"),
    "杏色": ("燕麦杏",),
    "天蓝色": ("雾霾蓝",),
    "卡其色": ("复古卡其",),
    "绿色": ("牛油果绿",),
    "紫色": ("香芋紫",),
    "透明": ("全透明",),
}

_COLOUR = 1627207
_BRAND_NONE = (20000, "品牌", _Value("无", 3275069))
_CLOTH_SIZES = _Dim(
    20509,
    "尺码",
    tuple(
        _Value(name, vid)
        for name, vid in (("S", 28314), ("M", 28315), ("L", 28316), ("XL", 28317), ("XXL", 28318))
    ),
    pick=(3, 5),
)
_SHOE_SIZES = _Dim(
    20549,
    "尺码",
    tuple(
        _Value(name, vid)
        for name, vid in (
            ("35", 670),
            ("36", 671),
            ("37", 29542),
            ("38", 28388),
            ("39", 672),
            ("40", 28389),
        )
    ),
    pick=(4, 6),
)


def _colour_dim(*names: str, pick: tuple[int, int] = (2, 4)) -> _Dim:
    return _Dim(_COLOUR, "颜色分类", _colours(*names), pick=pick, images=True)


def _plain(
    pid: int, name: str, *values: str, pick: tuple[int, int] = (2, 3), step: int = 0
) -> _Dim:
    return _Dim(pid, name, tuple(_Value(value) for value in values), pick=pick, step_fen=step)


_CUSTOM_BOX_SIZE = _Dim(
    -1001,
    "尺寸(长:宽:高)",
    (
        _Value("小号 28:20:15cm", -11),
        _Value("中号 36:26:20cm", -12),
        _Value("大号 45:32:26cm", -13),
    ),
    pick=(2, 3),
    step_fen=800,
)
_CUSTOM_TENT_SET = _Dim(
    -1002,
    "套餐:配件",
    (_Value("单帐篷", -21), _Value("帐篷+地垫", -22), _Value("标配;送地钉+收纳袋", -23)),
    pick=(2, 3),
    step_fen=2000,
)

_FABRIC_LENGTHS = _Dim(
    -1003,
    "长度",
    tuple(_Value(f"{n / 2:g}米", -300 - n) for n in range(1, 41)),
    pick=(40, 40),
    step_fen=900,
)

_KINDS: tuple[_Kind, ...] = (
    # Four spec dimensions (颜色/型号/材质/套餐): Kuaishou takes at most 3, so the 4th must be merged.
    _Kind(
        "SJ",
        "case",
        50023528,
        1,
        "手机壳",
        (("适用苹果15", "适用华为Mate60", "通用"), ("磨砂", "透明", "液态硅胶"), ("防摔", "全包")),
        (19, 59),
        (
            _colour_dim("黑色", "透明", "紫色", "绿色", pick=(2, 3)),
            _plain(122216347, "适用型号", "iPhone 15", "iPhone 15 Pro", "Mate 60", pick=(2, 3)),
            _plain(20021, "材质", "硅胶", "磨砂PC", pick=(2, 2)),
            _plain(5919063, "套餐类型", "单壳", "壳+钢化膜", pick=(2, 2), step=1000),
        ),
        props=(_BRAND_NONE,),
    ),
    # Every colour × 40 lengths: more than Kuaishou's 600 SKUs, so it must be quarantined, saying why.
    _Kind(
        "BL",
        "fabric",
        50016453,
        1,
        "布料",
        (("纯棉", "亚麻", "雪纺"), ("布料", "面料"), ("按米卖", "整卷批发")),
        (9, 39),
        (
            _colour_dim(*list(_COLOURS)[:16], pick=(16, 16)),
            _FABRIC_LENGTHS,
        ),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "TX",
        "tee",
        50000671,
        3,
        "T恤女",
        (
            ("2025夏季新款", "夏装", "新款", "ins风"),
            ("纯棉", "莫代尔", "冰丝", ""),
            ("短袖", "长袖", "半袖"),
            ("宽松百搭上衣", "韩版休闲打底衫", "圆领体恤", "正肩上衣"),
        ),
        (29, 89),
        (_colour_dim("白色", "黑色", "粉红色", "浅灰色", "杏色", "天蓝色"), _CLOTH_SIZES),
        props=(
            _BRAND_NONE,
            (20021, "材质", _Value("纯棉", 28342)),
            (20608, "风格", _Value("韩版", 28105)),
        ),
    ),
    _Kind(
        "LY",
        "dress",
        50010850,
        3,
        "连衣裙",
        (
            ("法式", "复古", "温柔风", "2025新款"),
            ("碎花", "纯色", "格纹"),
            ("收腰显瘦", "中长款", "a字"),
            ("女夏", "女春秋", ""),
        ),
        (69, 259),
        (_colour_dim("米白色", "黑色", "藏青色", "绿色", "紫色"), _CLOTH_SIZES),
        props=(_BRAND_NONE, (20608, "风格", _Value("简约", 109835873))),
    ),
    _Kind(
        "CS",
        "shirt",
        162104,
        3,
        "衬衫女",
        (
            ("白色", "条纹", "棉麻", "雪纺"),
            ("长袖", "短袖"),
            ("通勤", "宽松", "设计感小众"),
            ("上衣", "外套", ""),
        ),
        (59, 169),
        (_colour_dim("白色", "天蓝色", "卡其色", "黑色"), _CLOTH_SIZES),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "WY",
        "hoodie",
        50008898,
        3,
        "卫衣女",
        (
            ("加绒加厚", "薄款", "春秋"),
            ("连帽", "圆领"),
            ("宽松", "oversize", "慵懒风"),
            ("外套", "上衣", ""),
        ),
        (79, 199),
        (_colour_dim("灰色", "黑色", "杏色", "藏青色", "粉红色"), _CLOTH_SIZES),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "LX",
        "sandal",
        50012032,
        2,
        "凉鞋女",
        (
            ("2025夏季", "新款", "仙女风"),
            ("平底", "坡跟", "粗跟"),
            ("一字带", "软底", "罗马"),
            ("百搭", "外穿", ""),
        ),
        (49, 159),
        (_colour_dim("黑色", "米白色", "驼色", "棕色"), _SHOE_SIZES),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "FB",
        "shoe",
        50012042,
        2,
        "帆布鞋女",
        (
            ("经典", "低帮", "高帮"),
            ("小白鞋", "板鞋", ""),
            ("学生", "百搭", "韩版"),
            ("休闲鞋", ""),
        ),
        (39, 129),
        (_colour_dim("白色", "黑色", "米白色", "红色"), _SHOE_SIZES),
        props=(_BRAND_NONE, (20021, "鞋面材质", _Value("帆布", 28401))),
    ),
    _Kind(
        "SN",
        "box",
        50016615,
        2,
        "收纳盒",
        (
            ("家用", "透明", "抽屉式", "桌面"),
            ("塑料", "带盖", "可叠加"),
            ("衣柜衣服", "零食", "杂物"),
            ("整理箱", "储物盒", ""),
        ),
        (12, 69),
        (
            _colour_dim("透明", "白色", "灰色", pick=(1, 3)),
            _plain(31488, "规格", "2个装", "4个装", "6个装", step=900),
        ),
        alt_second=(_CUSTOM_BOX_SIZE,),
        props=(_BRAND_NONE, (1626518, "适用空间", _Value("卧室"))),
    ),
    _Kind(
        "YJ",
        "hanger",
        50003883,
        1,
        "衣架",
        (
            ("家用", "防滑", "无痕"),
            ("加粗", "实木", "浸塑"),
            ("晾衣", "挂衣", ""),
            ("撑子", "衣挂", ""),
        ),
        (9, 49),
        (
            _colour_dim("白色", "黑色", "棕色", "灰色", pick=(1, 3)),
            _plain(31488, "规格", "10只装", "20只装", "50只装", step=1000),
        ),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "GL",
        "bone",
        50006587,
        2,
        "狗零食",
        (
            ("宠物", "狗狗"),
            ("磨牙棒", "鸡肉干", "肉条"),
            ("洁齿", "训练奖励", "补钙"),
            ("幼犬成犬", "泰迪", ""),
        ),
        (15, 79),
        (
            _Dim(
                31560,
                "口味",
                (
                    _Value("鸡肉", 120038, "d9a35b"),
                    _Value("牛肉", 120036, "8b3a2b"),
                    _Value("三文鱼", 110699, "f08a5d"),
                    _Value("鸭肉", 0, "c98d4f"),
                ),
                pick=(1, 3),
                images=True,
            ),
            _Dim(
                33993,
                "净含量",
                (_Value("200g", 75366097), _Value("500g", 75368623), _Value("1kg", 92234)),
                pick=(2, 3),
                step_fen=1500,
            ),
        ),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "MS",
        "litter",
        50012779,
        2,
        "猫砂",
        (
            ("豆腐", "膨润土", "混合"),
            ("除臭", "低尘", "结团"),
            ("猫咪用品", "包邮", ""),
            ("10公斤", "20斤", ""),
        ),
        (25, 99),
        (
            _plain(31488, "规格", "豆腐猫砂", "膨润土猫砂", "混合猫砂", pick=(1, 3)),
            _plain(33993, "净含量", "2.5kg", "6L", "10kg", pick=(1, 3), step=2000),
        ),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "JM",
        "blocks",
        50015380,
        2,
        "积木",
        (
            ("儿童", "大颗粒", "小颗粒"),
            ("拼装", "益智", "拼插"),
            ("男孩女孩", "3-6岁", ""),
            ("玩具", "礼物"),
        ),
        (39, 199),
        (_plain(5919063, "套餐类型", "官方标配", "套餐一", "套餐二", pick=(2, 3), step=3000),),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "MR",
        "bear",
        50023580,
        2,
        "毛绒玩具",
        (
            ("可爱", "超软", "网红"),
            ("小熊", "兔子", "小狗"),
            ("公仔", "玩偶", "抱枕"),
            ("生日礼物女", "布娃娃", ""),
        ),
        (29, 159),
        (
            _colour_dim("棕色", "米白色", "粉红色", "灰色", pick=(1, 3)),
            _Dim(
                20886,
                "尺寸",
                (
                    _Value("30cm", 3224514),
                    _Value("45cm"),
                    _Value("60cm", 4000227),
                    _Value("80cm", 3364019),
                    _Value("100cm", 8067096),
                ),
                pick=(2, 4),
                step_fen=2000,
            ),
        ),
        props=(_BRAND_NONE,),
    ),
    _Kind(
        "MK",
        "mug",
        50013886,
        2,
        "马克杯",
        (
            ("陶瓷", "ins风", "简约"),
            ("杯子", "水杯"),
            ("带盖带勺", "大容量", "情侣"),
            ("办公室", "家用", ""),
        ),
        (19, 79),
        (
            _colour_dim("白色", "黑色", "绿色", "黄色", "天蓝色"),
            _Dim(
                20138,
                "容量",
                (_Value("350ml"), _Value("400ml"), _Value("500ml", 75367556)),
                pick=(1, 3),
                step_fen=500,
            ),
        ),
        props=(_BRAND_NONE, (20021, "材质", _Value("陶瓷", 42749))),
    ),
    _Kind(
        "ZP",
        "tent",
        50012776,
        1,
        "帐篷",
        (
            ("户外", "露营", "野营"),
            ("全自动", "速开", "加厚防雨"),
            ("便携式", "折叠", ""),
            ("野餐", "公园", ""),
        ),
        (129, 599),
        (
            _colour_dim("绿色", "卡其色", "天蓝色", pick=(1, 3)),
            _plain(31480, "适用人数", "2人", "3-4人", "5-8人", step=8000),
        ),
        alt_second=(_CUSTOM_TENT_SET,),
        props=(_BRAND_NONE,),
    ),
)

_NICKS = ("晴天小铺", "棉麻时光", "小鹿的杂货铺", "阿狸生活馆", "橘子家居", "森系女装店")


def image_url(base_url: str, name: str) -> str:
    """Where the emulator serves generated image `name`."""
    return f"{base_url.rstrip('/')}/taobao/img/{name}.jpg"


def _escape(text: str) -> str:
    return text.replace(":", "#cln#").replace(";", "#scln#")


def _yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def _top_time(value: datetime) -> str:
    return value.astimezone(CHINA_TZ).strftime(_TOP_TIME)


def _title(rng: random.Random, kind: _Kind) -> str:
    parts = [rng.choice(options) for options in kind.parts]
    title = "".join([*parts[:3], kind.noun, *parts[3:]])
    while len(title.encode("gbk")) > 60 and parts:
        parts.pop()
        title = "".join([*parts[:3], kind.noun, *parts[3:]])
    return title


def _pick(rng: random.Random, dim: _Dim) -> list[_Value]:
    low, high = dim.pick
    count = min(len(dim.values), rng.randint(low, high))
    chosen = set(rng.sample(range(len(dim.values)), count))
    return [value for index, value in enumerate(dim.values) if index in chosen]


class _ItemBuilder:
    """Builds one item from its own rng; kept small so every quirk is one readable line."""

    def __init__(self, *, rng: random.Random, num_iid: int, base_url: str, nick: str, tmall: bool):
        self.rng = rng
        self.num_iid = num_iid
        self.base_url = base_url
        self.nick = nick
        self.tmall = tmall
        self.kind = rng.choices(_KINDS, weights=[kind.weight for kind in _KINDS])[0]

    def img(self, slot: str, *, hex_colour: str | None = None, variant: str = "") -> str:
        name = f"{self.kind.shape}-{self.num_iid}-{slot}"
        if hex_colour:
            name += f"-{hex_colour}"
        return image_url(self.base_url, name + variant)

    def dims(self) -> list[tuple[_Dim, list[_Value]]]:
        dims = list(self.kind.dims)
        if len(dims) > 1 and self.kind.alt_second and self.rng.random() < 0.4:
            dims[1] = self.rng.choice(self.kind.alt_second)
        if len(dims) > 1 and self.rng.random() < 0.1:
            dims = dims[:1]
        return [(dim, _pick(self.rng, dim)) for dim in dims]

    def build(self) -> dict[str, Any]:
        rng = self.rng
        kind = self.kind
        modified = CATALOG_EPOCH - timedelta(seconds=rng.randrange(90 * 86_400))
        list_time = modified - timedelta(seconds=rng.randrange(30 * 86_400))
        base_fen = rng.randint(*kind.price_yuan) * 100 + rng.choice((0, 0, 90, 80, 50))
        outer = f"{kind.code}{rng.randrange(1000, 9999)}"
        dims = self.dims()
        has_skus = rng.random() >= 0.10
        aliases = self.aliases(dims) if has_skus else {}
        item: dict[str, Any] = {
            "num_iid": self.num_iid,
            "title": _title(rng, kind),
            "nick": self.nick,
            "type": "fixed",
            "cid": kind.cid,
            "seller_cids": f",{rng.randrange(1_000_000_000, 1_999_999_999)},",
            "approve_status": "instock" if rng.random() < 0.03 else "onsale",
            "outer_id": outer,
            "modified": _top_time(modified),
            "list_time": _top_time(list_time),
            "sold_quantity": rng.randrange(0, 3000),
        }
        if self.tmall:
            item["sell_point"] = rng.choice(("官方正品 七天无理由", "旗舰店品质保障", "顺丰包邮"))
        elif rng.random() < 0.3:
            item["sub_title"] = rng.choice(("买二送一", "限时包邮", "新品特惠"))
        props = [(pid, name, value.id_in(pid), value.name) for pid, name, value in kind.props]
        if rng.random() < 0.15:
            props.append((-1, "产地:发货地", -1, rng.choice(("浙江义乌", "广东广州", "福建泉州"))))
        if has_skus:
            for dim, values in dims:
                props.extend(
                    (dim.pid, dim.name, value.id_in(dim.pid), value.name) for value in values
                )
        item["props"] = ";".join(f"{pid}:{vid}" for pid, _, vid, _ in props)
        item["props_name"] = ";".join(
            f"{pid}:{vid}:{_escape(name)}:{_escape(value)}" for pid, name, vid, value in props
        )
        if aliases:
            item["property_alias"] = ";".join(
                f"{pid}:{vid}:{_escape(alias)}" for (pid, vid), alias in aliases.items()
            )
        images = self.main_images()
        item["pic_url"] = images[0]["url"]
        item["item_imgs"] = {"item_img": images}
        if has_skus:
            skus = self.skus(dims, aliases, base_fen, outer)
            item["skus"] = {"sku": skus}
            normal = [sku for sku in skus if sku["status"] == "normal"] or skus
            item["price"] = _yuan(min(int(Decimal(sku["price"]) * 100) for sku in normal))
            item["num"] = sum(sku["quantity"] for sku in skus if sku["status"] == "normal")
            prop_imgs = self.prop_images(dims)
            if prop_imgs:
                item["prop_imgs"] = {"prop_img": prop_imgs}
        else:
            item["price"] = _yuan(base_fen)
            item["num"] = 0 if rng.random() < 0.1 else rng.randrange(10, 800)
            if rng.random() < 0.3:
                item["with_hold_quantity"] = rng.randrange(1, 5)
        item["desc"] = self.desc()
        item.update(self.video())
        return item

    def aliases(self, dims: list[tuple[_Dim, list[_Value]]]) -> dict[tuple[int, int], str]:
        if self.rng.random() >= 0.25:
            return {}
        aliases: dict[tuple[int, int], str] = {}
        for dim, values in dims:
            for value in values:
                options = _ALIASES.get(value.name)
                if dim.pid == _COLOUR and options and self.rng.random() < 0.7:
                    aliases[(dim.pid, value.id_in(dim.pid))] = self.rng.choice(options)
        return aliases

    def skus(
        self,
        dims: list[tuple[_Dim, list[_Value]]],
        aliases: dict[tuple[int, int], str],
        base_fen: int,
        outer: str,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        combos = list(itertools.product(*[list(enumerate(values)) for _, values in dims]))
        if len(dims) > 1 and len(combos) >= 4 and rng.random() < 0.20:
            for _ in range(rng.randint(1, max(1, len(combos) // 4))):
                combos.pop(rng.randrange(len(combos)))
        all_zero = rng.random() < 0.03
        deleted = rng.randrange(len(combos)) if len(combos) > 1 and rng.random() < 0.05 else None
        skus = []
        for index, combo in enumerate(combos):
            price = base_fen + sum(
                dim.step_fen * position for (dim, _), (position, _) in zip(dims, combo, strict=True)
            )
            quantity = 0 if all_zero or rng.random() < 0.1 else rng.randrange(5, 500)
            hold = 0
            if quantity and rng.random() < 0.15:
                hold = rng.randrange(1, min(quantity, 20) + 1)
            elif rng.random() < 0.01:
                hold = quantity + rng.randrange(1, 4)  # oversold: reserved exceeds what is left
            keys = [
                (dim.pid, value.id_in(dim.pid), dim.name, value.name)
                for (dim, _), (_, value) in zip(dims, combo, strict=True)
            ]
            sku: dict[str, Any] = {
                "sku_id": rng.randrange(4_000_000_000_000, 5_999_999_999_999),
                "properties": ";".join(f"{pid}:{vid}" for pid, vid, _, _ in keys),
                "properties_name": ";".join(
                    f"{pid}:{vid}:{_escape(name)}:{_escape(aliases.get((pid, vid), value))}"
                    for pid, vid, name, value in keys
                ),
                "price": _yuan(price),
                "quantity": quantity,
                "outer_id": f"{outer}-{index + 1:02d}",
                "status": "delete" if index == deleted else "normal",
            }
            if hold:
                sku["with_hold_quantity"] = hold
            skus.append(sku)
        return skus

    def prop_images(self, dims: list[tuple[_Dim, list[_Value]]]) -> list[dict[str, Any]]:
        dim, values = dims[0]
        if not dim.images:
            return []
        images = []
        for position, value in enumerate(values):
            if self.rng.random() < 0.1:
                continue  # sellers skip a colour now and then
            vid = value.id_in(dim.pid)
            images.append(
                {
                    "id": self.rng.randrange(10**9, 10**10),
                    "properties": f"{dim.pid}:{vid}",
                    "position": position,
                    "url": self.img(f"p{abs(vid)}", hex_colour=value.hex),
                }
            )
        return images

    def main_images(self) -> list[dict[str, Any]]:
        rng = self.rng
        count = rng.choice((1, 2)) if rng.random() < 0.08 else rng.choice((4, 5, 5, 5))
        white_border = rng.random() < 0.15
        portrait = rng.random() < 0.2
        images = []
        for position in range(count):
            variant = "_wb" if white_border and position == 0 else ""
            if portrait and position == count - 1 and count > 1:
                variant = "_34"
            if position == 1 and not variant and is_oversize_item(self.num_iid):
                variant = "_big"
            images.append(
                {
                    "id": rng.randrange(10**9, 10**10),
                    "position": position,
                    "url": self.img(f"m{position}", variant=variant),
                }
            )
        if rng.random() < 0.3:
            images.reverse()  # TOP does not promise position order
        return images

    def desc(self) -> str:
        rng = self.rng
        if rng.random() < 0.03:
            return ""
        netloc = urlsplit(self.base_url).netloc
        blocks = [f'<p><span style="font-size:14px">{rng.choice(_DESC_LINES)}</span></p>']
        count = rng.randint(3, 6)
        for index in range(count):
            url = self.img(f"d{index}")
            if rng.random() < 0.03:
                url = self.img(f"d{index}-broken")
            if index % 2 == 1 and self.base_url.startswith("https://"):
                # Protocol-relative, as Taobao writes its https CDN; over a plain-http loopback
                # sandbox the page scheme would be http, which the absolute http URL already models.
                url = "//" + netloc + url.split(netloc, 1)[1]
            blocks.append(f'<p><img src="{url}" align="absmiddle" style="max-width:750px"/></p>')
        if rng.random() < 0.2:
            blocks.append(blocks[1])  # the same picture twice, as sellers paste it
        return "".join(blocks)

    def video(self) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        video_id = rng.randrange(10**11, 10**12)
        if roll < 0.30:
            url = f"{self.base_url.rstrip('/')}/taobao/video/{video_file(video_id)}"
            return {"videos": {"video": [{"video_id": video_id, "url": url}]}}
        if roll < 0.38:
            cover = self.img("v0")
            return {
                "mpic_video": {
                    "video_id": video_id,
                    "video_pic": cover,
                    "video_duaration": rng.randint(9, 60),
                }
            }
        return {}


_DESC_LINES = (
    "精选优质面料，亲肤透气，做工精细",
    "实物拍摄，颜色以实物为准，不同显示器略有色差",
    "下单前请参考尺码表，不确定可咨询客服",
    "坚持品质，每一件都经过质检再发货",
    "48小时内发货，支持七天无理由退换",
)


def _shop_nick(shop_id: str) -> tuple[str, bool]:
    tmall = "tmall" in shop_id.lower()
    base = _NICKS[_stable_id(shop_id, low=0, span=len(_NICKS))]
    return (f"{base}旗舰店" if tmall else base), tmall


def _seeded_items(*, shop_id: str, size: int, seed: int) -> Iterator[tuple[random.Random, int]]:
    """Each item's own rng and its num_iid, in catalog order (a collision takes the next free id)."""
    used: set[int] = set()
    for index in range(size):
        rng = random.Random(f"taobao:{shop_id}:{seed}:{index}")
        num_iid = rng.randrange(600_000_000_000, 799_999_999_999)
        while num_iid in used:
            num_iid += 1
        used.add(num_iid)
        yield rng, num_iid


def catalog_num_iids(*, shop_id: str, size: int, seed: int = 0) -> list[int]:
    """The num_iids `generate_catalog` gives the same arguments, without building the items.

    Cheap (one rng seed per item), so the emulator can check ids against a 100,000-item shop it has
    not generated yet.
    """
    return [num_iid for _, num_iid in _seeded_items(shop_id=shop_id, size=size, seed=seed)]


def generate_catalog(
    *, shop_id: str, size: int, seed: int = 0, base_url: str
) -> list[dict[str, Any]]:
    """`size` items in the exact shape taobao.item.seller.get returns under "item".

    Image URLs are `{base_url}/taobao/img/<name>.jpg`, so the emulator passes its request's base URL
    and the catalog works on a loopback port and in-process alike.
    """
    nick, tmall = _shop_nick(shop_id)
    return [
        _ItemBuilder(rng=rng, num_iid=num_iid, base_url=base_url, nick=nick, tmall=tmall).build()
        for rng, num_iid in _seeded_items(shop_id=shop_id, size=size, seed=seed)
    ]
