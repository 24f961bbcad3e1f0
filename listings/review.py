"""Kuaishou's review of a created item: its rejection reasons as actions.

`open.item.get` answers `auditStatus` (0 待审核, 1 审核待修改, 2 审核通过, 3 审核拒绝) and
`auditReason`, a sentence in Kuaishou's words. A merchant with a hundred rejections needs them
counted by cause and answered once per cause: `classify_rejection` maps the sentence to a reason
code and a fix by the words Kuaishou's reviewers use. An unknown sentence is `other`, with the
reviewer's own words as the fix: never hidden, never guessed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["RejectionClass", "classify_rejection"]


class RejectionClass(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason_code: str
    fix: str


# (reason code, words any of which marks it, the fix). Order matters: the first match wins, so the
# specific causes come before the general ones (a 主图 with 牛皮癣 is an image problem, not a title one).
_RULES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "brand_qualification_missing",
        ("品牌授权", "资质", "授权书", "商标"),
        "Upload the brand authorisation or qualification in the Kuaishou shop backend, then "
        "resubmit the item.",
    ),
    (
        "prohibited_goods",
        ("禁售", "违禁商品", "限售", "不允许发布"),
        "The goods may not be sold on Kuaishou: take the item off the migration.",
    ),
    (
        "image_quality",
        ("主图", "图片", "牛皮癣", "水印", "二维码", "模糊", "白底"),
        "Replace the main images on the source (clear, no text overlays, watermarks or QR codes), "
        "then re-run.",
    ),
    (
        "title_forbidden_words",
        ("极限词", "违禁词", "广告法", "标题"),
        "Rewrite the title without absolute or forbidden terms (最, 第一, 顶级…), then re-run.",
    ),
    (
        "wrong_category",
        ("类目", "错放"),
        "Choose the right category (category.overrides or `banjia categories review`), then "
        "re-run.",
    ),
    (
        "price_abnormal",
        ("价格", "低价", "划线价", "虚假折扣"),
        "Check the price rule and the source prices (no fake market price), then re-run.",
    ),
    (
        "detail_incomplete",
        ("详情", "描述不符", "信息不全", "属性"),
        "Complete the description and attributes on the source so they match the item, then "
        "re-run.",
    ),
)


def classify_rejection(reason: str | None) -> RejectionClass:
    """The cause of a rejection in Kuaishou's words, as a reason code and what to do."""
    text = (reason or "").strip()
    for code, words, fix in _RULES:
        if any(word in text for word in words):
            return RejectionClass(reason_code=code, fix=fix)
    return RejectionClass(
        reason_code="other",
        fix=f"Kuaishou says: {text}" if text else "Kuaishou gave no reason: ask its support.",
    )
