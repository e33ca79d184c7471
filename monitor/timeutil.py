"""Time helpers. Every stored time is UTC epoch microseconds (DESIGN.md "Time")."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

# 北京时间 (UTC+8, no daylight saving): the time Chinese readers' reports and workbooks print beside UTC
BEIJING = timezone(timedelta(hours=8))


def now_us() -> int:
    return time.time_ns() // 1000


def iso_utc(ts_us: int | None) -> str | None:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-23T10:02:03.412Z."""
    if ts_us is None:
        return None
    dt = datetime.fromtimestamp(ts_us / 1_000_000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
