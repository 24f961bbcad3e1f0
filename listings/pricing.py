"""Per-migration price rules, in integer fen only (no float ever holds money)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from listings.migrations import PriceRule

__all__ = ["apply_price_rule"]


def apply_price_rule(price_fen: int, rule: PriceRule) -> int:
    """The Kuaishou price of a source price: markup %, then the fixed add, rounded half-up to a fen."""
    marked = (Decimal(price_fen) * (Decimal(100) + Decimal(str(rule.markup_percent)))) / 100
    return int(marked.quantize(Decimal(1), rounding=ROUND_HALF_UP)) + rule.add_fen
