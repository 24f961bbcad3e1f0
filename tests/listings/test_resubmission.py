"""The mechanical answer to a review that sent an item back: what one edit changes, or why none."""

from __future__ import annotations

import pytest

from listings.resubmission import NoMechanicalFix, Resubmission, plan_resubmission, quoted_terms

WORDS = ("最", "第一", "最佳")
IMAGES = ("https://k/1.jpg", "https://k/2.jpg", "https://k/3.jpg", "https://k/4.jpg")


def plan(
    code: str,
    reason: str,
    *,
    title: str = "纯棉T恤",
    short_title: str | None = None,
    images: tuple[str, ...] = IMAGES,
) -> Resubmission | NoMechanicalFix:
    return plan_resubmission(
        reason_code=code,
        audit_reason=reason,
        title=title,
        short_title=short_title,
        image_urls=images,
        forbidden=WORDS,
    )


def test_the_title_loses_its_forbidden_terms_by_the_drafting_rule() -> None:
    found = plan("title_forbidden_words", "标题含有极限词“最佳”", title="最佳纯棉T恤 第一")
    assert isinstance(found, Resubmission)
    assert found.title == "纯棉T恤" and found.image_urls is None
    assert "removed 最佳、第一" in found.change


def test_a_term_only_the_reviewer_names_is_removed_too() -> None:
    assert quoted_terms("商品标题含有极限词“爆款”，请修改") == ("爆款",)
    found = plan("title_forbidden_words", "商品标题含有极限词“爆款”", title="爆款纯棉T恤")
    assert isinstance(found, Resubmission) and found.title == "纯棉T恤"


def test_a_short_title_with_the_term_is_cleaned_as_well() -> None:
    found = plan(
        "title_forbidden_words", "极限词“最”", title="最舒服的纯棉T恤", short_title="最舒服纯棉T恤"
    )
    assert isinstance(found, Resubmission) and found.short_title == "舒服纯棉T恤"


def test_a_migration_that_flags_titles_keeps_them_for_the_merchant_after_the_review() -> None:
    found = plan_resubmission(
        reason_code="title_forbidden_words",
        audit_reason="极限词“最”",
        title="最舒服的T恤",
        short_title=None,
        image_urls=IMAGES,
        forbidden=WORDS,
        rewrite_titles=False,
    )
    assert isinstance(found, NoMechanicalFix) and "flag" in found.why


def test_a_title_without_any_term_has_no_mechanical_fix() -> None:
    found = plan("title_forbidden_words", "标题不规范，请修改", title="纯棉T恤")
    assert isinstance(found, NoMechanicalFix) and "needs a person" in found.why


def test_a_title_that_is_only_terms_has_no_mechanical_fix() -> None:
    assert isinstance(plan("title_forbidden_words", "极限词", title="最佳 第一"), NoMechanicalFix)


def test_the_cover_is_dropped_when_the_reviewer_names_no_image() -> None:
    found = plan("image_quality", "商品主图存在牛皮癣")
    assert isinstance(found, Resubmission) and found.image_urls == IMAGES[1:]


@pytest.mark.parametrize("position", ["第2张主图", "第二张主图"])
def test_the_main_image_the_reviewer_names_is_the_one_dropped(position: str) -> None:
    found = plan("image_quality", f"{position}存在水印")
    assert isinstance(found, Resubmission)
    assert found.image_urls == (IMAGES[0], *IMAGES[2:])


def test_an_image_is_not_dropped_below_kuaishous_minimum_of_three() -> None:
    found = plan("image_quality", "商品主图存在牛皮癣", images=IMAGES[:3])
    assert isinstance(found, NoMechanicalFix) and "fewer than 3" in found.why


def test_an_objection_to_other_images_has_no_mechanical_fix() -> None:
    assert isinstance(plan("image_quality", "详情图片模糊"), NoMechanicalFix)


@pytest.mark.parametrize(
    "code", ["brand_qualification_missing", "prohibited_goods", "wrong_category", "other"]
)
def test_other_causes_are_the_merchants(code: str) -> None:
    found = plan(code, "审核拒绝")
    assert isinstance(found, NoMechanicalFix) and code in found.why
