"""The city's calendar: dates are Japanese dates (JST has no daylight saving time)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def today() -> date:
    return datetime.now(JST).date()
