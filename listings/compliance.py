"""Compliance arithmetic: Kuaishou audits each ISO week's report rate (> 95 %) and 24 h timeliness,
and ranks apps by fill rates (≥3 main images, video, short title)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

__all__ = ["ComplianceInput", "WeekSummary", "summarize_weeks"]


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
                rate_main_images_3=_rate(
                    sum(1 for i in group if (i.main_image_count or 0) >= 3), n
                ),
                rate_video=_rate(sum(1 for i in group if i.has_video), n),
                rate_short_title=_rate(sum(1 for i in group if i.has_short_title), n),
                computed_at=now,
            )
        )
    return summaries
