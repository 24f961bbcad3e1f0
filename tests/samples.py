"""Realistic samples shared by the suite: canonical listings in the shapes of
reference/source-platforms.md, and a Taobao → Kuaishou migration."""

from collections.abc import Sequence
from typing import Any

from connectors.kuaishou import ItemNewParam, ServiceRule, SkuDTO, SkuPropDTO
from listings.migrations import Migration, parse_migrations
from listings.model import Listing, Sku, SourceCategory, SourcePlatform, SpecValue

TSHIRT_CATEGORY = 90011  # synthetic 男装 > T恤 in data/categories/kuaishou_sandbox_tree.csv

MIGRATION_YAML = """
migrations:
  - key: tb-test
    mode: move
    source: {platform: taobao, shop_id: shop-1, app_key: "1", app_secret_env: TB_SECRET,
             session_env: TB_SESSION}
    target: {app_key: ks, sign_secret_env: KS_SIGN, access_token_env: KS_TOKEN}
    pricing: {markup_percent: 10, add_fen: 0}
"""


def sample_migration() -> Migration:
    return parse_migrations(MIGRATION_YAML).migrations[0]


def tshirt(**overrides: object) -> Listing:
    """The constructed example of source-platforms.md §1.1: 2 colours × 2 sizes, only 3 SKUs exist."""
    white = "https://img.alicdn.com/imgextra/i2/2206/O1CN01w_!!2206.jpg"

    def sku(sku_id: str, colour: str, size: str, price: int, stock: int) -> Sku:
        image = white if colour == "奶油白" else None
        return Sku(
            source_sku_id=sku_id,
            specs=(
                SpecValue(name="颜色分类", value=colour, image_url=image),
                SpecValue(name="尺码", value=size),
            ),
            price_fen=price,
            stock=stock,
        )

    data: dict[str, object] = {
        "platform": SourcePlatform.TAOBAO,
        "shop_id": "shop-1",
        "source_item_id": "623917802188",
        "title": "纯棉短袖T恤女2024夏季新款宽松百搭上衣",
        "category": SourceCategory(ids=("50000671",)),
        "skus": (
            sku("4470000000001", "奶油白", "S", 3900, 50),
            sku("4470000000002", "奶油白", "M", 3900, 0),
            sku("4470000000003", "黑色", "M", 4200, 100),
        ),
        "main_images": ("https://img.alicdn.com/imgextra/i1/2206/O1CN01a_!!2206.jpg",),
        "detail_images": (
            "https://img.alicdn.com/imgextra/i3/2206/O1CN01d_!!2206.jpg",
            "https://img.alicdn.com/imgextra/i3/2206/O1CN01size_!!2206.jpg",
        ),
        "origin_url": "https://item.taobao.com/item.htm?id=623917802188",
    }
    data.update(overrides)
    return Listing.model_validate(data)


def tshirt_item_param(urls: Sequence[str], **overrides: Any) -> ItemNewParam:
    """A valid Kuaishou item param, 2×2: 颜色 (main prop, with images) × 尺码, all four combinations."""
    red, blue = urls[0], urls[1]
    skus = []
    for n, (color, image) in enumerate([("红色", red), ("蓝色", blue)]):
        for m, size in enumerate(["M", "L"]):
            skus.append(
                SkuDTO(
                    rel_sku_id=100 + 2 * n + m,
                    sku_stock=10,
                    sku_sale_price=1990 + 100 * m,
                    sku_props=[
                        SkuPropDTO(
                            prop_name="颜色", prop_value_name=color, is_main_prop=1, image_url=image
                        ),
                        SkuPropDTO(prop_name="尺码", prop_value_name=size, is_main_prop=0),
                    ],
                )
            )
    fields: dict[str, Any] = {
        "title": "纯棉圆领T恤",
        "rel_item_id": 7_000_001,
        "category_id": TSHIRT_CATEGORY,
        "image_urls": [red, blue],
        "details": "100%纯棉，宽松版型。",
        "detail_image_urls": [red],
        "sku_list": skus,
        "service_rule": ServiceRule(refund_rule="1", promise_delivery_time=172_800),
    }
    fields.update(overrides)
    return ItemNewParam(**fields)
