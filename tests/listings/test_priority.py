"""Which items go first when the daily quota cannot take the whole shop."""

from datetime import UTC, datetime

from listings.priority import PublishPriority, RankFacts, publish_order
from tests.samples import tshirt


def _facts() -> list[RankFacts]:
    return [
        RankFacts(source_item_id="a", sales=5, listed_at=datetime(2025, 1, 1, tzinfo=UTC)),
        RankFacts(source_item_id="b", sales=None, listed_at=None),
        RankFacts(source_item_id="c", sales=900, listed_at=datetime(2024, 6, 1, tzinfo=UTC)),
        RankFacts(source_item_id="d", sales=5, listed_at=datetime(2025, 9, 1, tzinfo=UTC)),
    ]


def test_source_order_keeps_the_drafts_order() -> None:
    assert publish_order(_facts(), PublishPriority.SOURCE_ORDER) == ["a", "b", "c", "d"]


def test_best_sellers_go_first_and_ties_keep_source_order() -> None:
    assert publish_order(_facts(), PublishPriority.BEST_SELLERS) == ["c", "a", "d", "b"]


def test_newest_listings_go_first() -> None:
    assert publish_order(_facts(), PublishPriority.NEWEST) == ["d", "a", "c", "b"]


def test_an_item_without_the_figure_goes_after_those_with_it() -> None:
    facts = [RankFacts(source_item_id="x"), RankFacts(source_item_id="y", sales=0)]
    assert publish_order(facts, PublishPriority.BEST_SELLERS) == ["y", "x"]


def test_the_facts_are_read_from_the_listing() -> None:
    listed = datetime(2025, 3, 3, tzinfo=UTC)
    facts = RankFacts.of(tshirt(sales=42, listed_at=listed))
    assert (facts.source_item_id, facts.sales, facts.listed_at) == ("623917802188", 42, listed)
