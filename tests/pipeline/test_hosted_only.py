"""What a draft sends when some of its images failed to re-host: those are left out, a SKU's
main-prop image falls back to the first hosted main image, and a draft whose every image was
re-hosted is sent as it was drafted."""

import pytest

from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from pipeline.publish import hosted_only
from tests.samples import sample_migration, tshirt


@pytest.fixture
def draft() -> KuaishouDraft:
    decision = CategoryDecision(category_id=1, path="服饰>T恤", confidence=1.0, layer="override")
    built = build_draft(tshirt(), decision=decision, migration=sample_migration())
    assert isinstance(built, KuaishouDraft)
    return built


def _hosted(urls: set[str]) -> dict[str, str]:
    return {url: f"https://p1.kwaixiaodian.com/{n}.jpg" for n, url in enumerate(sorted(urls))}


def test_a_draft_whose_every_image_was_rehosted_is_sent_as_drafted(draft: KuaishouDraft) -> None:
    assert hosted_only(draft, _hosted(set(draft.image_urls))) is draft


def test_a_sku_image_that_failed_falls_back_to_the_first_hosted_main_image(
    draft: KuaishouDraft,
) -> None:
    failed = draft.main_images[1]  # the image of the first two SKUs' colour
    ready = hosted_only(draft, _hosted(set(draft.image_urls) - {failed}))
    assert ready.main_images == (draft.main_images[0], draft.main_images[2])
    images = [next(p.image_url for p in sku.props if p.is_main) for sku in ready.skus]
    assert images == [draft.main_images[0]] * 2 + [draft.main_images[0]] * 2
    assert ready.skus[2] is draft.skus[2]  # a SKU whose image was hosted is not copied


def test_a_failed_detail_image_is_left_out_and_none_left_means_the_main_images(
    draft: KuaishouDraft,
) -> None:
    first, second = draft.detail_images
    assert hosted_only(draft, _hosted(set(draft.image_urls) - {second})).detail_images == (first,)
    none_left = hosted_only(draft, _hosted(set(draft.image_urls) - {first, second}))
    assert none_left.detail_images == none_left.main_images == draft.main_images[:2]
