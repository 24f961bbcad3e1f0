"""Compliance arithmetic: Kuaishou audits each ISO week's report rate (> 95 %) and 24 h timeliness,
and ranks apps by fill rates (≥3 main images, 3:4 main images, video, short title; no white borders).

`fill_rates` is the one place those shares are computed: per migration and run over the drafted
items (`media_fill_rates`), and per ISO week over the published ones (`summarize_weeks`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from listings.images import MIN_MAIN_IMAGES

__all__ = [
    "ComplianceInput",
    "FillRates",
    "ItemMedia",
    "WeekSummary",
    "fill_rates",
    "summarize_weeks",
]


class ComplianceInput(BaseModel):
    """One published item: when it was published, when (if) its report went out, and its quality."""

    model_config = ConfigDict(frozen=True)

    published_at: datetime
    sent_at: datetime | None = None
    due_at: datetime | None = None
    main_image_count: int | None = None
    has_video: bool | None = None
    has_short_title: bool | None = None


class WeekSummary(BaseModel):
    iso_week: str
    published: int
    reported: int
    reported_on_time: int
    overdue: int
    report_rate: float
    on_time_rate: float
    rate_main_images_3: float
    rate_video: float
    rate_short_title: float
    computed_at: datetime


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


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
    return item.due_at is None or (item.sent_at is not None and item.sent_at <= item.due_at)


def summarize_weeks(
    items: list[ComplianceInput], *, now: datetime | None = None
) -> list[WeekSummary]:
    """One summary per ISO week of publishing. An unsent report past its due time is overdue."""
    now = now or datetime.now(UTC)
    by_week: dict[str, list[ComplianceInput]] = defaultdict(list)
    for item in items:
        year, week, _ = item.published_at.isocalendar()
        by_week[f"{year}-W{week:02d}"].append(item)
    summaries = []
    for iso_week, group in sorted(by_week.items()):
        n = len(group)
        quality = fill_rates(
            ItemMedia(
                main_images=i.main_image_count or 0,
                has_video=bool(i.has_video),
                has_short_title=bool(i.has_short_title),
            )
            for i in group
        )
        reported = [i for i in group if i.sent_at is not None]
        on_time = [i for i in reported if _on_time(i)]
        overdue = [
            i for i in group if i.sent_at is None and i.due_at is not None and i.due_at < now
        ]
        summaries.append(
            WeekSummary(
                iso_week=iso_week,
                published=n,
                reported=len(reported),
                reported_on_time=len(on_time),
                overdue=len(overdue),
                report_rate=_rate(len(reported), n),
                on_time_rate=_rate(len(on_time), n),
                rate_main_images_3=quality.rate_main_images_3,
                rate_video=quality.rate_video,
                rate_short_title=quality.rate_short_title,
                computed_at=now,
            )
        )
    return summaries
