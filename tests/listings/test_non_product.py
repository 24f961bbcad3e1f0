"""Payment links (补差价, 邮费, 定金, 入会, 报价, 测试, 赠品) are not products; products that mention
postage or a resend are (listings/non_product.py)."""

from __future__ import annotations

import csv
from pathlib import Path

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
        ("沙箱测试:自动添加商品8", "test"),
        ("沙箱测试女装上衣毛衣沙箱测试女装上衣毛衣沙箱测试女装上衣毛衣", "test"),
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


NON_PRODUCT_TITLES = Path(__file__).parents[1] / "fixtures" / "non_product_titles.csv"
"""Payment links and products found in other projects' order records, dumps and fixtures, each
with its code-search file id (tests/fixtures/PROVENANCE.md)."""


def _cited() -> list[tuple[str, bool]]:
    with NON_PRODUCT_TITLES.open(encoding="utf-8", newline="") as f:
        return [(row["title"], row["payment_link"] == "yes") for row in csv.DictReader(f)]


@pytest.mark.parametrize(("title", "payment_link"), _cited())
def test_titles_found_in_other_projects_are_told_apart(title: str, payment_link: bool) -> None:
    assert (detect_non_product(title) is not None) == payment_link


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("邮费补差", "price_difference"),  # two payment words, nothing else
        ("补差价 1元/件", "price_difference"),  # with what a seller says around them
        ("偏远地区补邮费", "postage"),
        ("【订金】传祺GS8 新车整车", "deposit"),  # a leading tag of a payment word alone
        ("老客户专拍", "one_off"),  # a link marker and who it is for, no goods
        ("定制链接", "one_off"),
        ("加急费", "fee"),
        ("赠品 不单独发货", "gift"),
        ("测试宝贝 请勿购买", "test"),  # 宝贝: Taobao's word for a listing
    ],
)
def test_a_title_of_payment_words_markers_and_what_is_said_around_them(
    title: str, kind: str
) -> None:
    found = detect_non_product(title)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(
    "title",
    [
        "送运费险 拍下立减 夏季连衣裙",  # 运费险 is insurance for the buyer, 拍下 no marker
        "定金 拍下立减 双11预售 羽绒服",  # a presale product's deposit
        "【定金膨胀】羽绒服女",
        "专用链接线 usb数据线",  # a cable, not a link
        "买一送一 送赠品 保温杯",
        "免安装费 晾衣架",
        "血糖测试仪 专用试纸",
    ],
)
def test_goods_beside_payment_words_stay_goods(title: str) -> None:
    assert detect_non_product(title) is None
