"""Links that sell no product: price-difference, postage, deposit, membership, custom-quote, service
fee, order padding, a free gift, test.

Why: a shop's 补差价 or 入会专拍 link is a payment slot, not goods. Published on Kuaishou it is a
listing no buyer can use, and its category is meaningless (any leaf the matcher finds is wrong).
Such items stop before the category decision with reason `not_a_product` and a sentence the
merchant can act on. The words are generic Chinese e-commerce wording, not one shop's.

A product whose title *mentions* postage or a deposit (包邮, 定金膨胀, 破损补寄) is still a product:
only titles whose subject is the payment are caught, i.e. a payment phrase that is the whole
title (with what sellers say around it: 差几元拍几件, 老客户, 偏远地区), one in a leading tag of its
own (【订金】), or one that comes with a "this link is for ..." marker (专拍, 专用, 链接, 勿拍).
Checked against real payment links and products found in other projects' order records and
fixtures (tests/fixtures/non_product_titles.csv) and every product of the category dev set
(docs/decisions.md §104).
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
        ("补差价", "补差", "差价", "补价", "改价", "补款", "补拍", "加价"),
    ),
    ("postage", "a postage top-up (补邮费) link", ("补邮费", "邮费", "运费", "补运费", "快递费")),
    (
        "deposit",
        "a deposit or balance (定金/尾款) link",
        ("定金", "订金", "尾款", "押金", "预付款", "保证金", "余款"),
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
        "fee",
        "a service-fee (加工费/加急费) link",
        ("手工费", "加工费", "加急费", "包装费", "样品费", "打样费", "服务费", "设计费"),
    ),
    (
        "one_off",
        "a link for one buyer or one flash sale (专用链接)",
        ("专用链接", "链接专用", "秒杀链接"),
    ),
    ("padding", "an order-padding (凑单) link", ("凑单专用", "凑单链接", "凑单专拍")),
    ("gift", "a free gift (赠品), not sold alone", ("赠品",)),
    ("coupon", "a shop coupon (店铺优惠券)", ("店铺优惠券", "店铺券")),
    (
        "test",
        "a test link",
        (
            "测试链接",
            "沙箱测试",
            "测试商品",
            "测试宝贝",
            "测试产品",
            "测试专用",
            "测试勿拍",
            "勿拍",
            "请勿拍",
            "不要拍",
            "请勿乱拍",
            "请勿拍下",
            "请勿购买",
            "请勿下单",
        ),
    ),
)

_SELF_MARKED = ("test", "one_off", "coupon")
"""Kinds whose words already say the title is a link, not goods."""
_LINK_MARKERS = (
    "专拍",
    "专用",
    "专链",
    "链接",
    "勿拍",
    "不发货",
    "不单独发",
    "单拍不发",
    "补拍",
    "请勿",
    "不要拍",
)
"""Words saying "this listing is a link for ...": with a payment word, the payment is the subject.
(拍下 is not one: 拍下立减 and 拍下备注 are in product titles.)"""
_EXCUSED = ("运费险", "退货补运费", "链接线", "链接头", "链接器", "链接件", "链接扣", "链接式")
"""Product words and service promises holding a payment word or a marker (送运费险, 链接线):
taken out before anything is looked for."""
_FILLERS = (
    "偏远地区",
    "联系客服",
    "退换货",
    "老客户",
    "老顾客",
    "直播间",
    "拍前",
    "拍下",
    "客服",
    "几元",
    "几件",
    "几个",
    "多少",
    "每件",
    "一件",
    "专享",
    "专属",
    "客户",
    "顾客",
    "粉丝",
    "福利",
    "直播",
    "自提",
    "会员",
    "地区",
    "偏远",
    "顺丰",
    "到付",
    "换货",
    "补发",
    "重拍",
    "定制",
    "定做",
    "尺寸",
    "费用",
    "其他",
    "其它",
    "拿样",
    "擅自",
    "下单",
    "购买",
    "付钱",
    "付费",
    "乱拍",
    "测试",
    "联系",
    "vip",
    "请",
    "拍",
    "少",
    "差",
    "就",
    "件",
    "个",
    "款",
    "付",
    "和",
    "及",
    "的",
    "用",
    "勿",
    "此",
    "本",
)
"""The words a payment slot's title says around its payment words (拍前请联系客服, 差几元拍几件,
偏远地区, 老客户, 直播间): a title of only these, payment words and markers sells nothing. They
count only for that: a title naming anything else (a product) is never emptied by them."""
_NOISE = re.compile(r"[\W_\d]+|元|块|rmb|¥|￥")
_LEAD = re.compile(r"\s*[【\[(（]([^】\])）]*)[】\])）]")
"""A bracketed tag the title starts with (【订金】, [补差价]): what the listing is, when it holds
a payment word and nothing else."""
_PAYMENT_WORDS = tuple(
    sorted({w for _kind, _label, words in _KINDS for w in words}, key=len, reverse=True)
)
_ANY = re.compile("|".join(re.escape(w) for w in (*_PAYMENT_WORDS, *_LINK_MARKERS)))
"""Any payment word or marker: most titles have none, and are products at one C-level search
(the detector runs on every listing of the categories stage)."""
_EMPTIED_BY = (*_PAYMENT_WORDS, *sorted((*_LINK_MARKERS, *_FILLERS), key=len, reverse=True))


def _norm(title: str) -> str | None:
    """The title as the rules read it, or None when it holds no payment word or marker."""
    text = unicodedata.normalize("NFKC", title).lower()
    if _ANY.search(text) is None:
        return None
    for word in _EXCUSED:
        text = text.replace(word, " ")
    return text


def detect_non_product(title: str) -> NonProduct | None:
    """`NonProduct` when the title is a payment slot rather than goods, else None.

    Rules (each generic): a payment word together with a link marker (补差价专用链接, 入会专拍链接,
    邮费补拍) or in a leading tag of its own (【订金】); a title that is nothing but payment words,
    link markers, the words said around them, digits and currency (补差价, 运费 5元, 邮费补差,
    老客户专拍, 定制链接); a free gift named first or marked as not sent alone (赠品礼包,
    赠品拍下不发货). A test link is caught by its own words (测试链接, 勿拍).
    """
    text = _norm(title)
    if text is None or not text.strip():
        return None
    lead = _LEAD.match(text)
    marked = any(m in text for m in _LINK_MARKERS) or bool(
        lead and any(w in lead[1] for w in _PAYMENT_WORDS) and _is_bare(lead[1])
    )
    bare = _is_bare(text)
    for kind, label, words in _KINDS:
        hits = [w for w in words if w in text]
        if not hits:
            continue
        first = kind == "gift" and _NOISE.sub("", text).startswith(hits[0])
        if marked or bare or first or kind in _SELF_MARKED:
            return _found(title, kind, label, hits[0])
    if marked and bare:  # markers and what is said around them only: 老客户专拍, 定制链接
        kind, label, _words = next(k for k in _KINDS if k[0] == "one_off")
        marker = next(m for m in _LINK_MARKERS if m in text)
        return _found(title, kind, label, marker)
    return None


def _found(title: str, kind: str, label: str, word: str) -> NonProduct:
    return NonProduct(
        kind=kind,
        reason=f"title {title!r} is {label} ({word}), not goods: it is not "
        "published; sell it on the source shop only, or remove it from the migration",
    )


def _is_bare(text: str) -> bool:
    """Nothing is left of `text` once payment words, markers, fillers and noise are taken out."""
    return not _NOISE.sub("", _emptied(text))


def _emptied(text: str) -> str:
    """`text` without any payment word, link marker or filler (longest first)."""
    for word in _EMPTIED_BY:
        text = text.replace(word, "")
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
