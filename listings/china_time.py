"""China's clock: the platforms' days, weeks and timestamps are Beijing time (UTC+8, no DST since 1991).

One place for the offset, so a quota day, an audited week and a TOP timestamp all agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

__all__ = ["CHINA_TZ", "CHINA_TZ_NAME", "start_of_china_day"]

CHINA_TZ_NAME = "Asia/Shanghai"
CHINA_TZ = timezone(timedelta(hours=8), CHINA_TZ_NAME)


def start_of_china_day(now: datetime) -> datetime:
    """Midnight Beijing time of the day `now` falls in (when Kuaishou's daily quotas reset)."""
    return now.astimezone(CHINA_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
