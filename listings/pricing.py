"""Per-migration price rules, in integer fen only (no float ever holds money).

Order: markup %, fixed add, the minimum-margin floor, then rounding *up* to the price ending the
merchant chose, so rounding never eats the margin the rule promised.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from listings.migrations import PriceRule

__all__ = ["MARKET_PRICE_FACTOR", "apply_price_rule", "market_price_fen", "round_up"]

# Kuaishou: skuMarketPrice must be above the highest sale price and at most 10× it. The validator
# in connectors/kuaishou/rules.py checks the same bound on the wire; this one decides what to send.
MARKET_PRICE_FACTOR = 10


def round_up(price_fen: int, rounding: str) -> int:
    """The smallest price ≥ `price_fen` ending as chosen: jiao9 → ¥x.90, fen99 → ¥x.99, yuan → ¥x.00."""
    if rounding == "fen" or price_fen <= 0:
        return price_fen
    if rounding == "yuan":
        return -(-price_fen // 100) * 100
    ending = 90 if rounding == "jiao9" else 99
    yuan, fen = divmod(price_fen, 100)
    return yuan * 100 + ending if fen <= ending else (yuan + 1) * 100 + ending


def apply_price_rule(price_fen: int, rule: PriceRule) -> int:
    """The Kuaishou price of a source price (may be ≤ 0: the caller quarantines, never publishes)."""
    marked = (Decimal(price_fen) * (Decimal(100) + Decimal(str(rule.markup_percent)))) / 100
    price = int(marked.quantize(Decimal(1), rounding=ROUND_HALF_UP)) + rule.add_fen
    if rule.min_margin_fen and price_fen > 0:
        price = max(price, price_fen + rule.min_margin_fen)
    return round_up(price, rule.rounding)


def market_price_fen(highest_sale_fen: int, rule: PriceRule) -> int | None:
    """The 划线价 to send, or None when the rule sets none or Kuaishou's bound would refuse it."""
    if rule.market_price_percent is None or highest_sale_fen < 1:
        return None
    scaled = Decimal(highest_sale_fen) * Decimal(str(rule.market_price_percent)) / 100
    market = int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if highest_sale_fen < market <= MARKET_PRICE_FACTOR * highest_sale_fen:
        return market
    return None
