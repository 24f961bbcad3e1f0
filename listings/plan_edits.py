"""A merchant's per-item edits from the publish plan CSV: checked here, applied to the draft here.

The plan CSV (`banjia plan export | import`) carries, besides approve/exclude, a new title, a new
short title and a new price in yuan per item (the category goes through the category overrides,
listings/categories.py). Each is checked with the rules the pipeline applies to source titles
(the advertising-law word list; the short title's >4 and <20 characters) plus two for what a person
types: a title no wider than Taobao's and Kuaishou's backend allow, and a price of 0.01 to
10,000,000 yuan with at most two decimals (decision 54's bounds).

The price is the one price of the item, what Kuaishou shows: it replaces every SKU's price (the
price rule is not applied on top). An item whose SKUs have different prices is refused, since one
price would flatten them (docs/decisions.md §67).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from listings.draft import KuaishouDraft
from listings.migrations import PriceRule
from listings.pricing import market_price_fen
from listings.titles import SHORT_TITLE_MAX_EXCLUSIVE, SHORT_TITLE_MIN_EXCLUSIVE

__all__ = [
    "MAX_PRICE_FEN",
    "MAX_TITLE_WIDTH",
    "ItemEdits",
    "apply_edits",
    "check_price_yuan",
    "check_short_title",
    "check_title",
    "title_width",
]

# 30 汉字 = 60 half-width characters: Taobao's limit, and what Kuaishou's merchant backend shows
# for 商品标题 [I] (no schema states one, reference/kuaishou-api.md §1.1).
MAX_TITLE_WIDTH = 60
MAX_PRICE_FEN = 1_000_000_000  # 10,000,000 yuan (decision 54)
_PRICE = re.compile(r"^\d+(\.\d{1,2})?$")
_SPACES = re.compile(r"\s+")


class ItemEdits(BaseModel):
    """The merchant's edits of one item; None keeps what the pipeline derived."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    short_title: str | None = None
    price_fen: int | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """The edited fields, by name (what the plan shows as the merchant's)."""
        return tuple(k for k, v in self.model_dump().items() if v is not None)


def title_width(text: str) -> int:
    """A CJK or full-width character counts 2, anything else 1 (how Taobao counts 60)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _forbidden_found(text: str, forbidden: Sequence[str]) -> list[str]:
    return sorted({w for w in forbidden if w and w in text}, key=len, reverse=True)


def check_title(text: str, *, forbidden: Sequence[str]) -> str | None:
    """Why a typed title cannot be sent (None: it can). Forbidden words are refused, never cut
    out: the merchant typed them, so the merchant chooses the words that replace them."""
    title = _SPACES.sub(" ", text).strip()
    if not title:
        return "is blank: write a title, or leave the cell empty to keep the current one"
    if title_width(title) > MAX_TITLE_WIDTH:
        return (
            f"is {title_width(title)} wide (a 汉字 counts 2), at most {MAX_TITLE_WIDTH} "
            "(30 汉字): shorten it"
        )
    found = _forbidden_found(title, forbidden)
    if found:
        return f"contains advertising-law absolute terms {'、'.join(found)}: reword it without them"
    return None


def check_short_title(text: str, *, forbidden: Sequence[str]) -> str | None:
    """Why a typed short title cannot be sent (None: it can)."""
    short = _SPACES.sub(" ", text).strip()
    if not SHORT_TITLE_MIN_EXCLUSIVE < len(short) < SHORT_TITLE_MAX_EXCLUSIVE:
        return (
            f"has {len(short)} characters; Kuaishou needs more than {SHORT_TITLE_MIN_EXCLUSIVE} "
            f"and fewer than {SHORT_TITLE_MAX_EXCLUSIVE}: rewrite it"
        )
    found = _forbidden_found(short, forbidden)
    if found:
        return f"contains advertising-law absolute terms {'、'.join(found)}: reword it without them"
    return None


def check_price_yuan(text: str) -> int | str:
    """The price in fen, or why the cell is not a price (`19.9`, `19.90` and `20` are)."""
    cell = text.strip().removeprefix("¥").removeprefix("￥").strip()
    if not _PRICE.match(cell):
        return f"{text!r} is not a price in yuan: write digits with at most 2 decimals, e.g. 19.90"
    fen = int(Decimal(cell) * 100)  # the pattern admits only plain decimals
    if not 1 <= fen <= MAX_PRICE_FEN:
        return f"{text!r} is outside 0.01 to 10000000 yuan: write a price in that range"
    return fen


def apply_edits(draft: KuaishouDraft, edits: ItemEdits, *, pricing: PriceRule) -> KuaishouDraft:
    """The draft with the merchant's edits. Applying twice gives the same draft, so the drafts
    stage and the publish stage may both apply them."""
    update: dict[str, object] = {}
    if edits.title is not None:
        update["title"] = _SPACES.sub(" ", edits.title).strip()
    if edits.short_title is not None:
        update["short_title"] = _SPACES.sub(" ", edits.short_title).strip()
    if edits.price_fen is not None:
        market = market_price_fen(edits.price_fen, pricing)
        update["skus"] = tuple(
            sku.model_copy(update={"price_fen": edits.price_fen, "market_price_fen": market})
            for sku in draft.skus
        )
    return draft.model_copy(update=update) if update else draft
