"""Payment links (补差价, 邮费, 定金, 入会, 报价, 测试) are not products; products that mention
postage or a resend are (listings/non_product.py)."""

from __future__ import annotations

import pytest

from listings.non_product import detect_non_product, not_a_product_problem
from listings.quarantine import Stage


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("补差价", "price_difference"),
        ("【补差价专用链接】请根据客服沟通指引下单，请勿乱拍", "price_difference"),
        ("邮费补拍 差几元拍几件", "price_difference"),
        ("运费 5元", "postage"),
        ("补邮费专用链接", "postage"),
        ("0.01入会专拍链接", "membership"),
        ("【汽车分期】上汽好车e贷 金融产品 专拍链接 订金支付", "deposit"),
        ("定制报价专拍 按客服报价拍", "custom_quote"),
        ("测试链接 勿拍", "test"),
    ],
)
def test_payment_links_are_caught_with_their_kind(title: str, kind: str) -> None:
    found = detect_non_product(title)
    assert found is not None and found.kind == kind
    assert title in found.reason and "not published" in found.reason


@pytest.mark.parametrize(
    "title",
    [
        "破损补寄 赠垫 通用马桶盖 加厚缓降坐便盖UVO型老式座便器马桶盖",
        "【破损免费补发放心购】浴室置物架落地卫生间收纳柜洗手间储物柜",
        "现磨黑芝麻糊核桃桑葚黑豆黑米乌发干吃包邮",
        "UGG闪亮爆款 银色码齐 黑色请找专拍链接",
        "送运费险 夏季新款连衣裙女",
        "",
    ],
)
def test_products_that_mention_postage_or_links_are_products(title: str) -> None:
    assert detect_non_product(title) is None


def test_the_quarantine_entry_names_the_stage_code_and_what_to_do() -> None:
    problem = not_a_product_problem("补差价专用")
    assert problem is not None
    assert (problem.stage, problem.reason_code) == (Stage.CATEGORY, "not_a_product")
    assert problem.detail.startswith("category: ")
    assert not_a_product_problem("简易鞋架多层家用") is None


@pytest.mark.parametrize(
    "title",
    [
        "【周周家】525-孤品2位数秒杀专用链接",
        "戴敦邦专属 定做裱框链接专用",
        "维洛芬venof女包满200元-10元店铺优惠券06/19-06/19",
    ],
)
def test_one_off_links_and_shop_coupons_sell_nothing(title: str) -> None:
    assert detect_non_product(title) is not None


def test_a_product_for_a_special_use_is_still_a_product() -> None:
    assert detect_non_product("汽车专用脚垫全包围定制链接式卡扣") is None
