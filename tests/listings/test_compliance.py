"""Compliance arithmetic: report rate and timeliness per China-time ISO week, overdue and rejected
reports by item, quality fill rates measured or derived. `now` is always given: no wall clock."""

from datetime import UTC, datetime, timedelta

from listings.compliance import (
    ComplianceInput,
    ItemMedia,
    MeasuredFillRates,
    fill_rates,
    iso_week,
    overdue_reports,
    summarize_weeks,
    weeks_below_floor,
)

MONDAY = datetime(2026, 11, 16, 9, tzinfo=UTC)  # 17:00 in Shanghai, ISO week 2026-W47


def item(
    sent_after_h: float | None, *, source_item_id: str = "6001", **fields: object
) -> ComplianceInput:
    return ComplianceInput.model_validate(
        {
            "published_at": MONDAY,
            "sent_at": None if sent_after_h is None else MONDAY + timedelta(hours=sent_after_h),
            "due_at": MONDAY + timedelta(hours=24),
            "source_item_id": source_item_id,
            "state": "pending" if sent_after_h is None else "sent",
            **fields,
        }
    )


def test_report_rate_counts_sent_reports_over_items_whose_report_is_due() -> None:
    items = [item(1), item(2), item(None, source_item_id="6003")]
    week = summarize_weeks(items, now=MONDAY + timedelta(hours=25))[0]
    assert (week.iso_week, week.published, week.counted, week.reported) == ("2026-W47", 3, 3, 2)
    assert week.report_rate == 0.6667
    assert week.missing_items == ["6003"]


def test_a_report_still_inside_its_24_hours_is_not_yet_due_and_not_counted() -> None:
    week = summarize_weeks([item(1), item(None)], now=MONDAY + timedelta(hours=3))[0]
    assert (week.counted, week.not_yet_due, week.overdue, week.report_rate) == (1, 1, 0, 1.0)


def test_a_report_sent_after_24_hours_is_reported_but_late() -> None:
    week = summarize_weeks([item(30, source_item_id="6009")], now=MONDAY + timedelta(days=2))[0]
    assert (week.reported, week.reported_on_time, week.reported_late) == (1, 0, 1)
    assert (week.report_rate, week.on_time_rate, week.late_items) == (1.0, 0.0, ["6009"])


def test_an_unsent_report_past_its_deadline_is_overdue() -> None:
    assert summarize_weeks([item(None)], now=MONDAY + timedelta(hours=25))[0].overdue == 1
    assert summarize_weeks([item(None)], now=MONDAY + timedelta(hours=23))[0].overdue == 0
    assert overdue_reports([item(None), item(2)], now=MONDAY + timedelta(hours=25)) == [item(None)]


def test_rejected_reports_are_listed_with_the_platform_reason() -> None:
    refused = item(None, source_item_id="6007", state="rejected", last_error="item.title: required")
    week = summarize_weeks([refused], now=MONDAY + timedelta(hours=2))[0]
    assert week.rejected == 1
    assert week.rejected_reports == [{"source_item_id": "6007", "reason": "item.title: required"}]


def test_weeks_follow_the_china_clock_monday_to_sunday() -> None:
    sunday_utc = datetime(2026, 11, 22, 17, tzinfo=UTC)  # Monday 01:00 in Shanghai
    assert iso_week(sunday_utc) == "2026-W48"
    assert iso_week(sunday_utc - timedelta(hours=2)) == "2026-W47"  # Sunday 23:00 in Shanghai


def test_a_week_at_exactly_95_percent_is_below_the_floor() -> None:
    items = [item(1, source_item_id=str(i)) for i in range(19)] + [item(None)]
    week = summarize_weeks(items, now=MONDAY + timedelta(days=2))[0]
    assert week.report_rate == 0.95
    assert weeks_below_floor([week]) == [week]
    better = summarize_weeks(items[:19], now=MONDAY + timedelta(days=2))
    assert weeks_below_floor(better) == []


def test_a_week_with_nothing_due_yet_is_never_below_the_floor() -> None:
    weeks = summarize_weeks([item(None)], now=MONDAY + timedelta(hours=1))
    assert weeks_below_floor(weeks) == []


def test_fill_rates_from_the_listings_when_none_were_measured() -> None:
    items = [
        item(1, main_image_count=5, has_video=True, has_short_title=True),
        item(1, main_image_count=2, has_video=False, has_short_title=False),
    ]
    week = summarize_weeks(items, now=MONDAY)[0]
    assert (week.rate_main_images_3, week.rate_video, week.rate_short_title) == (0.5, 0.5, 0.5)
    assert week.fill_rates_source == "listings"


def test_measured_fill_rates_replace_the_listing_figures() -> None:
    measured = MeasuredFillRates(
        run_id="r-42",
        items=2,
        rate_main_images_3=1.0,
        rate_ratio_34=0.5,
        rate_video=0.0,
        rate_short_title=1.0,
        white_border_images_left=3,
    )
    week = summarize_weeks([item(1, main_image_count=1)], now=MONDAY, measured=measured)[0]
    assert (week.rate_main_images_3, week.rate_3_4_images, week.white_border_images_left) == (
        1.0,
        0.5,
        3,
    )
    assert week.fill_rates_source == "fill_rates r-42"


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
