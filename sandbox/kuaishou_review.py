"""A realistic review for the Kuaishou emulator: a delay, outcomes in Kuaishou's wording, and items
taken off the shelf later.

The default emulator approves every item on the first `open.item.get`. A real shop's items wait
in 待审核 for a while; some come back 审核待修改 (sent back to be edited: `open.item.edit` is
allowed, kuaishou-api.md §1.6) or 审核拒绝 (final, no edit), each with a reviewer's sentence; and
some approved items are taken off the shelf later by the platform's patrol (巡检). `realistic_review`
turns that on for one `KuaishouSandbox` (tests, `banjia sandbox serve --review realistic`):

- a delay: an item stays auditStatus 0 until `delay` has passed on the emulator's clock (`now`),
  counted again from an edit that sends it back to review;
- brand words without the shop's brand qualification (耐克, 阿迪达斯 …): 审核拒绝 (3), final;
- absolute terms of the advertising law in the title (最, 第一, 顶级, 国家级 …): 审核待修改 (1);
- an image rule that stands in for a reviewer's judgement the emulator cannot make (text or
  watermarks over a main image, "牛皮癣"): one item in `image_reject_every`, chosen by relItemId
  so a run is reproducible, is sent back (1) for its first main image; an edit that drops that
  image passes;
- a shelf patrol: one approved item in `takedown_every` (relItemId % every == 1) goes off the
  shelf `takedown_after` after it was submitted, with Kuaishou's 下架 wording as offlineReason.

The sentences follow the shape of Kuaishou's 商品审核驳回 and 违规下架 notices (what was found,
the rule, what to do); they are written for the emulator, not copied from Kuaishou. Which image a
sampled item was flagged for is kept in the rule (by relItemId), not in the persisted sandbox
state: after `banjia sandbox serve` restarts, an item edited before the restart is judged afresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sandbox.kuaishou_open import (
    KuaishouSandbox,
    ReviewRule,
    StoredItem,
    TakedownRule,
    reject_title_keywords,
)

__all__ = [
    "ABSOLUTE_TERMS",
    "BRAND_REJECTION",
    "BRAND_TERMS",
    "IMAGE_REJECTION",
    "TAKEDOWN_REASON",
    "TITLE_REJECTION",
    "realistic_review",
    "sampled_image_rule",
    "sampled_takedown_rule",
]

NEEDS_CHANGES = 1  # auditStatus 审核待修改
ABSOLUTE_TERMS = ("最", "第一", "顶级", "国家级", "极品", "万能")
TITLE_REJECTION = "商品标题含有极限词“{keyword}”，违反《广告法》相关规定，请修改标题后重新提交审核"
IMAGE_REJECTION = (
    "商品主图存在牛皮癣（文字、水印或二维码遮挡），请更换清晰无遮挡的主图后重新提交审核"
)
BRAND_TERMS = ("耐克", "阿迪达斯", "Nike", "Adidas", "香奈儿")
BRAND_REJECTION = (
    "商品标题涉及品牌“{keyword}”，店铺未关联该品牌的品牌授权资质，审核拒绝；"
    "请在商家后台上传品牌授权书后重新发布"
)
TAKEDOWN_REASON = (
    "平台巡检发现商品信息与实际售卖商品不符，违反《快手小店商品信息发布规范》，商品已被下架"
)


def _sent_back(rule: ReviewRule) -> ReviewRule:
    """The same rule, but its objection sends the item back to be edited (1) instead of 3."""

    def sent_back(param: dict[str, Any]) -> str | tuple[int, str] | None:
        verdict = rule(param)
        if isinstance(verdict, str) and verdict:
            return NEEDS_CHANGES, verdict
        return verdict

    return sent_back


def sampled_image_rule(every: int) -> ReviewRule:
    """Send one item in `every` (by relItemId) back for its first main image, until that image
    is gone from its main images."""
    flagged: dict[int, str] = {}  # relItemId → the main image the reviewer objected to

    def rule(param: dict[str, Any]) -> tuple[int, str] | None:
        rel, images = param.get("relItemId"), param.get("imageUrls") or []
        if not isinstance(rel, int) or rel % every != 0:
            return None
        if rel not in flagged and images:
            flagged[rel] = images[0]
        return (NEEDS_CHANGES, IMAGE_REJECTION) if flagged.get(rel) in images else None

    return rule


def sampled_takedown_rule(every: int, *, after: timedelta) -> TakedownRule:
    """Take one approved item in `every` (relItemId % every == 1) off the shelf once `after` has
    passed since it was submitted for review."""

    def rule(item: StoredItem, now: datetime) -> str | None:
        if every < 2 or item.rel_item_id % every != 1:
            return None
        since = item.submitted_at or item.created_at
        return TAKEDOWN_REASON if now - since >= after else None

    return rule


def realistic_review(
    sandbox: KuaishouSandbox,
    *,
    delay: timedelta = timedelta(minutes=5),
    image_reject_every: int = 12,
    takedown_every: int = 20,
    takedown_after: timedelta | None = None,
) -> KuaishouSandbox:
    """Give `sandbox` a review that takes `delay` and answers as described above; the shelf
    patrol comes `takedown_after` (default: three times `delay`) after submission."""
    sandbox.review_delay = delay
    sandbox.review_rules = [
        reject_title_keywords(*BRAND_TERMS, reason=BRAND_REJECTION),
        _sent_back(reject_title_keywords(*ABSOLUTE_TERMS, reason=TITLE_REJECTION)),
        sampled_image_rule(image_reject_every),
    ]
    sandbox.takedown_rules = [
        sampled_takedown_rule(
            takedown_every, after=takedown_after if takedown_after is not None else 3 * delay
        )
    ]
    return sandbox
