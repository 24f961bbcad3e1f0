"""A realistic review for the Kuaishou emulator: a delay, and rejections in Kuaishou's wording.

The default emulator approves every item on the first `open.item.get`. A real shop's items wait
in 待审核 for a while and some come back 审核拒绝 with a reviewer's sentence. `realistic_review`
turns that on for one `KuaishouSandbox` (tests, `banjia sandbox serve --review realistic`):

- a delay: an item stays auditStatus 0 until `delay` has passed on the emulator's clock (`now`);
- title rules: absolute terms of the advertising law (最, 第一, 顶级, 国家级 …);
- an image rule that stands in for a reviewer's judgement the emulator cannot make (text or
  watermarks over a main image, "牛皮癣"): one item in `image_reject_every`, chosen by relItemId
  so a run is reproducible.

The sentences follow the shape of Kuaishou's 商品审核驳回 notices (what was found, the rule, what
to do); they are written for the emulator, not copied from Kuaishou.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.kuaishou_open import KuaishouSandbox, ReviewRule, reject_title_keywords

__all__ = ["ABSOLUTE_TERMS", "IMAGE_REJECTION", "realistic_review", "sampled_image_rule"]

ABSOLUTE_TERMS = ("最", "第一", "顶级", "国家级", "极品", "万能")
TITLE_REJECTION = "商品标题含有极限词“{keyword}”，违反《广告法》相关规定，请修改标题后重新提交审核"
IMAGE_REJECTION = (
    "商品主图存在牛皮癣（文字、水印或二维码遮挡），请更换清晰无遮挡的主图后重新提交审核"
)


def sampled_image_rule(every: int) -> ReviewRule:
    """Reject one item in `every` (by relItemId) for its main images."""

    def rule(param: dict[str, Any]) -> str | None:
        rel = param.get("relItemId")
        return IMAGE_REJECTION if isinstance(rel, int) and rel % every == 0 else None

    return rule


def realistic_review(
    sandbox: KuaishouSandbox,
    *,
    delay: timedelta = timedelta(minutes=5),
    image_reject_every: int = 12,
) -> KuaishouSandbox:
    """Give `sandbox` a review that takes `delay` and rejects as described above."""
    sandbox.review_delay = delay
    sandbox.review_rules = [
        reject_title_keywords(*ABSOLUTE_TERMS, reason=TITLE_REJECTION),
        sampled_image_rule(image_reject_every),
    ]
    return sandbox
