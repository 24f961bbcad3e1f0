"""Links that sell no product: price-difference, postage, deposit, membership, custom-quote, test.

Why: a shop's 补差价 or 入会专拍 link is a payment slot, not goods. Published on Kuaishou it is a
listing no buyer can use, and its category is meaningless (any leaf the matcher finds is wrong).
Such items stop before the category decision with reason `not_a_product` and a sentence the
merchant can act on. The words are generic Chinese e-commerce wording, not one shop's.

A product whose title *mentions* postage or a deposit (包邮, 定金膨胀, 破损补寄) is still a product:
only titles whose subject is the payment are caught, i.e. a payment phrase that is the whole
title, or one that comes with a "this link is for ..." marker (专拍, 专用, 链接, 勿拍).
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, ConfigDict

from listings.quarantine import Problem, Stage

__all__ = ["NOT_A_PRODUCT", "NonProduct", "detect_non_product", "not_a_product_problem"]

NOT_A_PRODUCT = "not_a_product"
"""The quarantine reason code (and category decision layer) of an item that sells nothing."""


class NonProduct(BaseModel):
    """Why an item is not a product: a short kind for counting and a sentence for the merchant."""

    model_config = ConfigDict(frozen=True)

    kind: str
    reason: str


_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "price_difference",
        "a price-difference (补差价) link",
        ("补差价", "补差", "差价", "补价", "改价", "补款", "补拍"),
    ),
    ("postage", "a postage top-up (补邮费) link", ("补邮费", "邮费", "运费", "补运费", "快递费")),
    (
        "deposit",
        "a deposit or balance (定金/尾款) link",
        ("定金", "订金", "尾款", "押金", "预付款"),
    ),
    (
        "membership",
        "a membership (入会) link",
        ("入会", "会员专拍", "会员卡", "开通会员", "vip专拍"),
    ),
    (
        "custom_quote",
        "a custom-quote (定制报价/专拍) link",
        ("定制报价", "报价专拍", "客服报价", "按客服", "联系客服拍", "专属链接"),
    ),
    (
        "one_off",
        "a link for one buyer or one flash sale (专用链接)",
        ("专用链接", "链接专用", "秒杀链接"),
    ),
    ("coupon", "a shop coupon (店铺优惠券)", ("店铺优惠券", "店铺券")),
    (
        "test",
        "a test link",
        ("测试链接", "测试商品", "测试勿拍", "勿拍", "请勿拍", "不要拍", "请勿乱拍"),
    ),
)

_SELF_MARKED = ("test", "one_off", "coupon")
"""Kinds whose words already say the title is a link, not goods."""
_LINK_MARKERS = ("专拍", "专用", "链接", "勿拍", "不发货", "拍下", "请勿", "补拍")
_NOISE = re.compile(r"[\W_\d]+|元|块|rmb|¥|￥")


def _norm(title: str) -> str:
    return unicodedata.normalize("NFKC", title).lower()


def detect_non_product(title: str) -> NonProduct | None:
    """`NonProduct` when the title is a payment slot rather than goods, else None.

    Rules (each generic): a payment word together with a link marker (补差价专用链接, 入会专拍链接,
    邮费补拍); or a title that is nothing but payment words, digits and currency (补差价, 运费 5元).
    A test link is caught by its own words (测试链接, 勿拍).
    """
    text = _norm(title)
    if not text.strip():
        return None
    for kind, label, words in _KINDS:
        hits = [w for w in words if w in text]
        if not hits:
            continue
        marked = any(m in text for m in _LINK_MARKERS) or kind in _SELF_MARKED
        bare = not _NOISE.sub("", _strip(text, words))
        if marked or bare:
            return NonProduct(
                kind=kind,
                reason=f"title {title!r} is {label} ({hits[0]}), not goods: it is not "
                "published; sell it on the source shop only, or remove it from the migration",
            )
    return None


def _strip(text: str, words: tuple[str, ...]) -> str:
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "")
    for marker in _LINK_MARKERS:
        text = text.replace(marker, "")
    return text


def not_a_product_problem(title: str) -> Problem | None:
    """The quarantine entry for a title that sells nothing (stage `category`, reason
    `not_a_product`, the merchant's sentence as detail), or None for a product."""
    found = detect_non_product(title)
    if found is None:
        return None
    return Problem(
        stage=Stage.CATEGORY, reason_code=NOT_A_PRODUCT, detail=f"category: {found.reason}"
    )
