"""A merchant's plan edits applied to a draft (listings/plan_edits.py)."""

from __future__ import annotations

from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import PriceRule
from listings.plan_edits import ItemEdits, apply_edits, check_price_yuan
from tests.samples import sample_migration, tshirt


def _draft() -> KuaishouDraft:
    decision = CategoryDecision(
        category_id=1001, path="服饰 > T恤", confidence=1.0, layer="override"
    )
    draft = build_draft(tshirt(), decision=decision, migration=sample_migration())
    assert isinstance(draft, KuaishouDraft)
    return draft


def test_a_price_edit_sets_every_sku_and_recomputes_the_market_price() -> None:
    rule = PriceRule(market_price_percent=150)
    edited = apply_edits(_draft(), ItemEdits(price_fen=6_660), pricing=rule)
    assert {s.price_fen for s in edited.skus} == {6_660}
    assert {s.market_price_fen for s in edited.skus} == {9_990}


def test_edits_are_idempotent_and_change_only_what_they_name() -> None:
    draft = _draft()
    edits = ItemEdits(title="纯棉 短袖T恤", short_title="纯棉短袖T恤")
    once = apply_edits(draft, edits, pricing=PriceRule())
    assert (once.title, once.short_title, once.skus) == ("纯棉 短袖T恤", "纯棉短袖T恤", draft.skus)
    assert apply_edits(once, edits, pricing=PriceRule()) == once
    assert edits.fields == ("title", "short_title")


def test_prices_are_read_in_yuan_with_at_most_two_decimals() -> None:
    assert [check_price_yuan(t) for t in ("19.9", "￥20", "0.01")] == [1_990, 2_000, 1]
    assert isinstance(check_price_yuan("1e3"), str)
    assert isinstance(check_price_yuan("10000000.01"), str)
