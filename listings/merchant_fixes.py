"""What a merchant does about each quarantine reason, in one sentence per reason code.

A quarantine row's `detail` names the field and the particulars of one item; the report and
`banjia items` also need the general answer per reason, so that a merchant reading fifty rows of
`category_uncertain` sees one action. Reason codes not listed fall back to the detail.
"""

from __future__ import annotations

__all__ = ["FIXES", "fix_for"]

FIXES: dict[str, str] = {
    "detail_missing": "Check the item on the source platform (it may be deleted or hidden), then re-run.",
    "unparseable": "Correct the field the detail names on the source platform, then re-run.",
    "no_active_sku": "Restore at least one SKU on the source platform.",
    "ambiguous_skus": "Give each SKU its own spec value on the source platform.",
    "too_many_skus": "Split the listing, or drop spec values, so it has at most 600 combinations.",
    "price_not_positive": "Fix the source price or the migration's price rule (pricing:).",
    "source_not_onsale": "Put the item on sale on the source platform, or set include_inventory.",
    "category_unmatched": "Add a category override for its source category (category.overrides).",
    "category_uncertain": "Choose its category: `banjia categories review export`, edit, import.",
    "category_prop_missing": "Add the required attribute on the source (e.g. 品牌 = 无品牌).",
    "refund_rule_not_allowed": "Change the migration's refund rule (service.refund_rule) or the "
    "category.",
    "forbidden_words": "Rewrite the title without absolute terms, or set titles.forbidden_words: "
    "remove.",
    "title_empty_after_cleaning": "Give the item a descriptive title on the source platform.",
    "too_few_main_images": "Add main images on the source until it has at least 3.",
    "rule_violation": "Correct the field Kuaishou's rule names (see the detail) on the source.",
    "rejected_by_kuaishou": "Read Kuaishou's reason in the detail, correct the item, then re-run.",
}


def fix_for(reason_code: str | None, detail: str | None = None) -> str | None:
    """The general fix for a reason code; the item's detail when the code has none."""
    if reason_code is None:
        return None
    return FIXES.get(reason_code, detail)
