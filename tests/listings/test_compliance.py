"""Compliance arithmetic: report rate and timeliness per ISO week, quality fill rates."""

from datetime import UTC, datetime, timedelta

from listings.compliance import ComplianceInput, ItemMedia, fill_rates, summarize_weeks

MONDAY = datetime(2026, 11, 16, 9, tzinfo=UTC)


def item(sent_after_h: float | None, **quality: object) -> ComplianceInput:
    return ComplianceInput(
        published_at=MONDAY,
        sent_at=None if sent_after_h is None else MONDAY + timedelta(hours=sent_after_h),
        due_at=MONDAY + timedelta(hours=24),
        **quality,  # type: ignore[arg-type]
    )


def test_report_rate_counts_sent_reports_over_published_items() -> None:
    week = summarize_weeks([item(1), item(2), item(None)], now=MONDAY + timedelta(hours=3))[0]
    assert (week.iso_week, week.published, week.reported, week.report_rate) == (
        "2026-W47",
        3,
        2,
        0.6667,
    )


def test_a_report_sent_after_24_hours_is_reported_but_not_on_time() -> None:
    week = summarize_weeks([item(30)], now=MONDAY + timedelta(days=2))[0]
    assert (week.reported, week.reported_on_time) == (1, 0)


def test_an_unsent_report_past_its_deadline_is_overdue() -> None:
    assert summarize_weeks([item(None)], now=MONDAY + timedelta(hours=25))[0].overdue == 1
    assert summarize_weeks([item(None)], now=MONDAY + timedelta(hours=23))[0].overdue == 0


def test_fill_rates_count_items_with_3_images_video_and_short_title() -> None:
    items = [
        item(1, main_image_count=5, has_video=True, has_short_title=True),
        item(1, main_image_count=2, has_video=False, has_short_title=False),
    ]
    week = summarize_weeks(items, now=MONDAY)[0]
    assert (week.rate_main_images_3, week.rate_video, week.rate_short_title) == (0.5, 0.5, 0.5)


def test_media_fill_rates_are_shares_of_items_and_borders_are_counted() -> None:
    rates = fill_rates(
        [
            ItemMedia(main_images=5, ratio_34_images=5, has_video=True, has_short_title=True),
            ItemMedia(main_images=3, ratio_34_images=0, has_video=False, has_short_title=True),
            ItemMedia(main_images=2, ratio_34_images=1, white_border_images=2),
            ItemMedia(main_images=4, ratio_34_images=1, white_border_images=1),
        ]
    )
    assert rates.items == 4
    assert (rates.rate_main_images_3, rates.rate_ratio_34) == (0.75, 0.75)
    assert (rates.rate_video, rates.rate_short_title) == (0.25, 0.5)
    assert rates.white_border_images_left == 3


def test_an_item_needs_three_main_images_not_more_than_three() -> None:
    assert fill_rates([ItemMedia(main_images=3)]).rate_main_images_3 == 1.0
    assert fill_rates([ItemMedia(main_images=2)]).rate_main_images_3 == 0.0


def test_no_items_give_full_rates_over_zero_items_like_the_weekly_rates() -> None:
    rates = fill_rates([])
    assert rates.items == 0 and rates.rate_video == 1.0 and rates.white_border_images_left == 0
