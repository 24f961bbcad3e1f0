"""The mechanical answer to a review that sent an item back: what one `open.item.edit` changes.

Two causes have a fix a program can make without guessing (decision 65):

- `title_forbidden_words`: the title (and short title) without the advertising-law terms, by the
  same rule and word list as drafting (`listings.titles.clean_title`, data/forbidden_words.txt plus
  the migration's extra words), plus any term the reviewer quoted (“最”);
- `image_quality` naming a main image (主图): the main images without the one objected to (the
  position the reviewer names, "第2张主图", else the first, which is the cover a reviewer looks at),
  only if at least `MIN_MAIN_IMAGES` remain, the bar Kuaishou's service-market audit ranks apps by.
  Re-framing would not remove a text overlay or watermark, so with fewer images left the item is
  the merchant's.

Anything else (brand qualification, prohibited goods, category, price, detail, other), or a fix
that changes nothing, is `NoMechanicalFix` with the reason a person reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from listings.images import MIN_MAIN_IMAGES
from listings.titles import clean_title, derive_short_title

__all__ = [
    "MECHANICAL_REASONS",
    "NoMechanicalFix",
    "Resubmission",
    "plan_resubmission",
    "quoted_terms",
]

MECHANICAL_REASONS = ("title_forbidden_words", "image_quality")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,12})[”\"」』]")
_POSITION = re.compile(r"第\s*(\d+)\s*张主图")
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_CHINESE_POSITION = re.compile(r"第([一二两三四五六七八])张主图")


class Resubmission(BaseModel):
    """The fields one edit sends (None: left as they are) and the change in a sentence."""

    model_config = ConfigDict(frozen=True)

    reason_code: str
    change: str
    title: str | None = None
    short_title: str | None = None
    image_urls: tuple[str, ...] | None = None


class NoMechanicalFix(BaseModel):
    model_config = ConfigDict(frozen=True)

    why: str


def quoted_terms(reason: str | None) -> tuple[str, ...]:
    """The terms a reviewer quoted in the reason (“最”, "第一", 「顶级」)."""
    return tuple(dict.fromkeys(_QUOTED.findall(reason or "")))


def _image_position(reason: str) -> int:
    """The 0-based main image the reviewer names ("第2张主图"), else 0, the cover."""
    if found := _POSITION.search(reason):
        return int(found.group(1)) - 1
    if found := _CHINESE_POSITION.search(reason):
        return _CHINESE_DIGITS[found.group(1)] - 1
    return 0


def _found_terms(title: str, words: Sequence[str]) -> list[str]:
    """The terms in `title`, longest first, as `clean_title` removes them (最佳, not 最 in it)."""
    left, found = title, []
    for word in sorted({w for w in words if w}, key=lambda w: (-len(w), title.find(w))):
        if word in left:
            found.append(word)
            left = left.replace(word, " ")
    return found


def _title_fix(
    *, title: str, short_title: str | None, reason: str, forbidden: Sequence[str]
) -> Resubmission | NoMechanicalFix:
    words = (*forbidden, *quoted_terms(reason))
    cleaned = clean_title(title, forbidden=words, action="remove")
    if not isinstance(cleaned, str):
        return NoMechanicalFix(why=cleaned.detail)
    short = None
    if short_title:
        short_cleaned = clean_title(short_title, forbidden=words, action="remove")
        if short_cleaned != short_title:
            fitted = short_cleaned if isinstance(short_cleaned, str) else ""
            short = derive_short_title(tiny_name=fitted, title=cleaned)
            if short is None:
                return NoMechanicalFix(
                    why="the short title has no fitting form without the forbidden terms"
                )
    if cleaned == title and short is None:
        return NoMechanicalFix(
            why="the title holds none of the forbidden terms: Kuaishou's objection needs a person"
        )
    removed = "、".join(_found_terms(title, words)) or "?"
    change = f"title: {title} → {cleaned} (removed {removed})"
    if short is not None:
        change += f"; short title: {short_title} → {short}"
    return Resubmission(
        reason_code="title_forbidden_words",
        change=change,
        title=cleaned if cleaned != title else None,
        short_title=short,
    )


def _image_fix(
    *, image_urls: Sequence[str], reason: str, minimum: int
) -> Resubmission | NoMechanicalFix:
    if "主图" not in reason:
        return NoMechanicalFix(why="the objection is not to a main image (主图)")
    position = _image_position(reason)
    if not 0 <= position < len(image_urls):
        return NoMechanicalFix(why=f"main image {position + 1} is not among the item's images")
    remaining = tuple(url for i, url in enumerate(image_urls) if i != position)
    if len(remaining) < minimum:
        return NoMechanicalFix(
            why=f"dropping main image {position + 1} would leave {len(remaining)}, fewer than "
            f"{minimum}: replace it on the source"
        )
    return Resubmission(
        reason_code="image_quality",
        change=f"main images: dropped image {position + 1} of {len(image_urls)} "
        f"({image_urls[position]})",
        image_urls=remaining,
    )


def plan_resubmission(
    *,
    reason_code: str | None,
    audit_reason: str | None,
    title: str,
    short_title: str | None,
    image_urls: Sequence[str],
    forbidden: Sequence[str],
    rewrite_titles: bool = True,
    min_main_images: int = MIN_MAIN_IMAGES,
) -> Resubmission | NoMechanicalFix:
    """The one edit that answers this review, or why there is none a program should make.

    `rewrite_titles` False: the migration flags titles for the merchant to rewrite
    (`titles.forbidden_words: flag`), so banjia does not rewrite them after the review either.
    """
    reason = audit_reason or ""
    if reason_code == "title_forbidden_words" and not rewrite_titles:
        return NoMechanicalFix(
            why="titles.forbidden_words is flag: the merchant rewrites titles, banjia does not"
        )
    if reason_code == "title_forbidden_words":
        return _title_fix(title=title, short_title=short_title, reason=reason, forbidden=forbidden)
    if reason_code == "image_quality":
        return _image_fix(image_urls=image_urls, reason=reason, minimum=min_main_images)
    return NoMechanicalFix(why=f"{reason_code or 'an unclassified reason'} needs the merchant")
