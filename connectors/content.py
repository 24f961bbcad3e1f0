"""What the three source parsers (Taobao, Pinduoduo, 1688) share: one home, so a fix lands once.

Every parser raises the same `ParseProblem`, so every source quarantines the same way; money goes
from yuan to integer fen through `Decimal` only; image URLs are made https only on CDNs known to
serve it (`listings.images.normalize_image_url`, with each platform's CDN). Nothing here knows a platform's
payload: the platform quirks stay in each connector's `parse.py`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Final

from pydantic import ValidationError

__all__ = [
    "ALICDN_DOMAINS",
    "MAX_PRICE_FEN",
    "ParseProblem",
    "dedupe",
    "field_path",
    "parser_failure",
    "price_range_problem",
    "read_time",
    "validation_problem",
    "yuan_to_fen",
]

ALICDN_DOMAINS: Final = ("alicdn.com",)
"""Alibaba's image CDN, which Taobao/Tmall and 1688 both serve from (and which serves https)."""

MAX_PRICE_FEN: Final = 1_000_000_000
"""10,000,000 yuan. No listing moved here costs more; a price above it is a data error (2**63 fen
has been seen from a fuzzer), and Kuaishou's per-category caps are far lower [I]."""

_YUAN = re.compile(r"^\d+(?:\.\d{1,2})?$")
_BEIJING = timezone(timedelta(hours=8))
_FIXED_WIDTH: Final = {
    # TOP: "2025-05-16 16:08:58"
    "%Y-%m-%d %H:%M:%S": re.compile(
        r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})()()"
    ),
    # 1688: "20250516160858000+0800"
    "%Y%m%d%H%M%S%f%z": re.compile(
        r"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{3})(\+0800)"
    ),
}


logger = logging.getLogger(__name__)


class ParseProblem(Exception):
    """An item the parser cannot turn into a `Listing`, with what to fix on the source platform.

    One class for all sources, so the pipeline quarantines any platform's item the same way.
    """

    def __init__(self, *, item_id: str, field: str, reason: str) -> None:
        super().__init__(f"item {item_id}: {field}: {reason}")
        self.item_id = item_id
        self.field = field
        self.reason = reason


def parser_failure(item_id: str, exc: Exception, *, platform: str) -> ParseProblem:
    """The quarantine of an item a parser failed on by a bug, not by the item's data.

    Logged with its traceback for us; for the merchant it is one item quarantined under the field
    `(item)`, so a batch (the pipeline's, `banjia sources parse`) goes on with the other items.
    """
    logger.exception("%s parser failed on item %s", platform, item_id)
    return ParseProblem(
        item_id=item_id,
        field="(item)",
        reason=f"banjia's {platform} parser failed on this item ({type(exc).__name__}); it is "
        "quarantined and the other items go on: please report it with the item's payload",
    )


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location written the way the parsers name fields: `sku_list[0].price`.

    The hand-written ParseProblem fields use this form, so a model validation error and a parser
    check on the same field read alike in the quarantine.
    """
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def validation_problem(item_id: str, exc: ValidationError, *, whole: str) -> ParseProblem:
    """The first pydantic error as a ParseProblem; `whole` names the field when it has no location
    (an error about the whole payload)."""
    first = exc.errors()[0]
    return ParseProblem(
        item_id=item_id, field=field_path(first["loc"]) or whole, reason=str(first["msg"])
    )


def yuan_to_fen(text: str | None) -> int:
    """ "39.00" → 3900, "39.9" → 3990, in exact decimal arithmetic; ValueError for anything else.

    A float would turn 0.29 yuan into 28 fen; negatives and more than two decimals are not prices.
    """
    cleaned = (text or "").strip()
    if not _YUAN.match(cleaned):
        raise ValueError(f"{text!r} is not a yuan amount like 39.00")
    try:
        return int(Decimal(cleaned) * 100)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise ValueError(f"{text!r} is not a yuan amount like 39.00") from exc


def read_time(text: str, form: str) -> datetime:
    """`datetime.strptime(text, form)`, read directly when `text` has the fixed-width shape the
    platforms send (strptime costs a tenth of parsing a small item); anything else, and anything
    whose numbers are out of range, goes to strptime, which reads it or raises its ValueError.

    strptime's regex tries the two-digit form of each field first, so where the fixed-width shape
    makes a valid time, that is the time strptime reads too (`tests/connectors/test_read_time`).
    """
    shape = _FIXED_WIDTH.get(form)
    found = shape.fullmatch(text) if shape is not None else None
    if found is not None:
        year, month, day, hour, minute, second, millis, zone = found.groups()
        try:
            return datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second),
                int(millis) * 1000 if millis else 0,
                tzinfo=_BEIJING if zone else None,
            )
        except ValueError:
            pass
    return datetime.strptime(text, form)


def price_range_problem(fen: int, *, platform: str) -> str | None:
    """Why a source price in fen cannot be moved, or None when it can.

    Kuaishou's `skuSalePrice` is at least 1 fen [C], so a price of 0 would only fail at publishing;
    saying so at parse time names the source field to fix.
    """
    if fen < 1:
        return f"price {fen} fen: Kuaishou needs at least 1 fen (0.01 yuan); set the price on {platform}"
    if fen > MAX_PRICE_FEN:
        return (
            f"price {fen} fen is above {MAX_PRICE_FEN // 100:,} yuan, a data error; correct it on "
            f"{platform}"
        )
    return None


def dedupe(urls: Iterable[str | None]) -> tuple[str, ...]:
    """The non-empty values, first occurrence kept, order preserved (the first image is the main)."""
    return tuple(dict.fromkeys(url for url in urls if url))
