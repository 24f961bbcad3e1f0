"""A draft's versions tell a price/stock change (no review) from any other change (review)."""

from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration
from tests.samples import tshirt

DECISION = CategoryDecision(category_id=1001, path="a>b", confidence=1.0, layer="override")


def _draft(migration: Migration, **changes: object) -> KuaishouDraft:
    draft = build_draft(tshirt(**changes), decision=DECISION, migration=migration)
    assert isinstance(draft, KuaishouDraft)
    return draft


def _with_first_sku(draft: KuaishouDraft, **changes: object) -> KuaishouDraft:
    skus = list(draft.skus)
    skus[0] = skus[0].model_copy(update=changes)
    return draft.model_copy(update={"skus": tuple(skus)})


def test_the_same_source_item_gives_the_same_versions(migration: Migration) -> None:
    assert _draft(migration).versions == _draft(migration).versions


def test_a_new_price_or_stock_changes_only_the_offer_version(migration: Migration) -> None:
    draft = _draft(migration)
    for changed in (
        _with_first_sku(draft, price_fen=draft.skus[0].price_fen + 100),
        _with_first_sku(draft, stock=draft.skus[0].stock + 1),
    ):
        assert changed.versions[0] == draft.versions[0]
        assert changed.versions[1] != draft.versions[1]


def test_a_new_title_changes_the_content_version_only(migration: Migration) -> None:
    draft = _draft(migration)
    changed = draft.model_copy(update={"title": draft.title + "新"})
    assert changed.versions[0] != draft.versions[0]
    assert changed.versions[1] == draft.versions[1]
