"""Compliance arithmetic: what Kuaishou audits each natural week, and the quality fill rates it ranks.

The rule (seeds/kuaishou-service-market-publishing-rules.md, 考核项1) counts, per natural week (每自然周),
the share of published items whose supply report arrived (> 95 %) and that each arrived within 24 h of
publishing. A week here is the ISO week (Monday to Sunday) of the publishing instant in China time
(Asia/Shanghai), the platform's clock: an item published at 07:00 on a Monday in Shanghai is in that
Monday's week even though it is still Sunday in UTC (decision 36).

A report that is not due yet (published less than 24 h ago, unsent) is neither good nor bad yet: it is
counted as `not_yet_due`, outside the rates, so a week in progress does not look broken just because
its last day's reports are still inside their window. Everything here is pure: `now` is a parameter.

`fill_rates` is the one place the quality shares are computed: per migration and run over the drafted
items (`fill_rates`, the fill_rates asset), and per week over the published ones when no run
was measured.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from listings.china_time import CHINA_TZ
from listings.images import MIN_MAIN_IMAGES

__all__ = [
    "CHINA_TZ",
    "REPORT_RATE_FLOOR",
    "ComplianceInput",
    "FillRates",
    "ItemMedia",
    "MeasuredFillRates",
    "WeekSummary",
    "fill_rates",
    "iso_week",
    "overdue_reports",
    "summarize_weeks",
    "weeks_below_floor",
]

REPORT_RATE_FLOOR = 0.95  # the rule wants > 95 %: a week at exactly 95 % fails


class ComplianceInput(BaseModel):
    """One published item: when it was published, its report's fate, and its quality."""

    model_config = ConfigDict(frozen=True)

    published_at: datetime
    sent_at: datetime | None = None
    due_at: datetime | None = None
    source_item_id: str | None = None
    state: str | None = None  # the outbox state: pending, sent, failed, rejected
    last_error: str | None = None
    main_image_count: int | None = None
    has_video: bool | None = None
    has_short_title: bool | None = None


class ItemMedia(BaseModel):
    """What one item will carry to Kuaishou: hosted main images (distinct Kuaishou copies), how
    many of them are 3:4, whether a video and a short title go with it, and how many of its hosted
    images still have a white border."""

    model_config = ConfigDict(frozen=True)

    main_images: int = Field(default=0, ge=0)
    ratio_34_images: int = Field(default=0, ge=0)
    has_video: bool = False
    has_short_title: bool = False
    white_border_images: int = Field(default=0, ge=0)


class FillRates(BaseModel):
    """The shares Kuaishou ranks apps by, over `items` items (1.0 when there are none, like the
    weekly rates), and the count of images with a white border left (target 0)."""

    items: int
    rate_main_images_3: float
    rate_ratio_34: float
    rate_video: float
    rate_short_title: float
    white_border_images_left: int


class MeasuredFillRates(FillRates):
    """A `fill_rates` row: the fill rates of one run of the media stage."""

    run_id: str
    computed_at: datetime | None = None


class WeekSummary(BaseModel):
    """One migration's week as Kuaishou would audit it (plus what to chase)."""

    iso_week: str
    published: int
    counted: int  # published minus not_yet_due: the denominator of both rates
    reported: int
    reported_on_time: int
    reported_late: int
    overdue: int  # due, not sent
    not_yet_due: int
    rejected: int  # the platform refused the report (result != 1): still unsent
    report_rate: float
    on_time_rate: float
    rate_main_images_3: float | None
    rate_3_4_images: float | None
    rate_video: float | None
    rate_short_title: float | None
    white_border_images_left: int | None
    fill_rates_source: str
    late_items: list[str]
    missing_items: list[str]
    rejected_reports: list[dict[str, str]]
    computed_at: datetime


def iso_week(instant: datetime) -> str:
    """The ISO week of an instant on the China clock, e.g. "2026-W47"."""
    year, week, _ = instant.astimezone(CHINA_TZ).isocalendar()
    return f"{year}-W{week:02d}"


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def fill_rates(items: Iterable[ItemMedia]) -> FillRates:
    """Share of items with ≥ 3 main images, with at least one 3:4 main image, with a video and
    with a short title; and the white-bordered images left, summed over the items."""
    n = main = ratio = video = short = bordered = 0
    for item in items:
        n += 1
        main += item.main_images >= MIN_MAIN_IMAGES
        ratio += item.ratio_34_images > 0
        video += item.has_video
        short += item.has_short_title
        bordered += item.white_border_images
    return FillRates(
        items=n,
        rate_main_images_3=_rate(main, n),
        rate_ratio_34=_rate(ratio, n),
        rate_video=_rate(video, n),
        rate_short_title=_rate(short, n),
        white_border_images_left=bordered,
    )


def _on_time(item: ComplianceInput) -> bool:
    return item.sent_at is not None and (item.due_at is None or item.sent_at <= item.due_at)


def _is_overdue(item: ComplianceInput, now: datetime) -> bool:
    return item.sent_at is None and item.due_at is not None and item.due_at < now


def _ids(items: Iterable[ComplianceInput]) -> list[str]:
    return sorted(i.source_item_id or "?" for i in items)


def _quality(
    group: Sequence[ComplianceInput], measured: MeasuredFillRates | None
) -> dict[str, float | int | str | None]:
    """The measured fill rates when there are some, else what the week's listings say (no 3:4 or
    white-border facts there: those two stay empty)."""
    rates: FillRates
    if measured is not None:
        rates, source = measured, f"fill_rates {measured.run_id}"
    else:
        rates = fill_rates(
            ItemMedia(
                main_images=i.main_image_count or 0,
                has_video=bool(i.has_video),
                has_short_title=bool(i.has_short_title),
            )
            for i in group
        )
        source = "listings"
    return {
        "rate_main_images_3": rates.rate_main_images_3,
        "rate_3_4_images": rates.rate_ratio_34 if measured else None,
        "rate_video": rates.rate_video,
        "rate_short_title": rates.rate_short_title,
        "white_border_images_left": rates.white_border_images_left if measured else None,
        "fill_rates_source": source,
    }


def summarize_weeks(
    items: Iterable[ComplianceInput],
    *,
    now: datetime | None = None,
    measured: MeasuredFillRates | None = None,
) -> list[WeekSummary]:
    """One summary per China-time ISO week of publishing, oldest first.

    `measured` (the migration's latest `fill_rates` row) replaces the listing-based quality
    figures.
    """
    now = now or datetime.now(UTC)
    by_week: dict[str, list[ComplianceInput]] = defaultdict(list)
    for item in items:
        by_week[iso_week(item.published_at)].append(item)
    summaries = []
    for week, group in sorted(by_week.items()):
        reported = [i for i in group if i.sent_at is not None]
        on_time = [i for i in reported if _on_time(i)]
        late = [i for i in reported if not _on_time(i)]
        overdue = [i for i in group if _is_overdue(i, now)]
        waiting = [i for i in group if i.sent_at is None and not _is_overdue(i, now)]
        rejected = [i for i in group if i.sent_at is None and i.state == "rejected"]
        counted = len(group) - len(waiting)
        summaries.append(
            WeekSummary.model_validate(
                {
                    "iso_week": week,
                    "published": len(group),
                    "counted": counted,
                    "reported": len(reported),
                    "reported_on_time": len(on_time),
                    "reported_late": len(late),
                    "overdue": len(overdue),
                    "not_yet_due": len(waiting),
                    "rejected": len(rejected),
                    "report_rate": _rate(len(reported), counted),
                    "on_time_rate": _rate(len(on_time), counted),
                    **_quality(group, measured),
                    "late_items": _ids(late),
                    "missing_items": _ids(overdue),
                    "rejected_reports": [
                        {"source_item_id": i.source_item_id or "?", "reason": i.last_error or "?"}
                        for i in sorted(rejected, key=lambda i: i.source_item_id or "")
                    ],
                    "computed_at": now,
                }
            )
        )
    return summaries


def weeks_below_floor(weeks: Iterable[WeekSummary]) -> list[WeekSummary]:
    """The weeks whose report rate is at or below 95 % (weeks with nothing due yet never are)."""
    return [w for w in weeks if w.counted > 0 and w.report_rate <= REPORT_RATE_FLOOR]


def overdue_reports(items: Iterable[ComplianceInput], *, now: datetime) -> list[ComplianceInput]:
    """The items whose report is past its 24 h deadline and still not sent, at `now`."""
    return [i for i in items if _is_overdue(i, now)]
