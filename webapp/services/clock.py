"""The city's clock: every date is a Japanese date and every time is shown in JST (Asia/Tokyo has
no daylight saving time, so a fixed +09:00 is exact). Stored timestamps stay in UTC; only what
people read, what is decided by the calendar and what is exported goes through here."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def now() -> datetime:
    """The current time in JST (timezone-aware)."""
    return datetime.now(JST)


def today() -> date:
    """Today's date in Japan (not the server's, not UTC's)."""
    return now().date()


def to_jst(value: datetime) -> datetime:
    # Naive datetimes only come from UTC columns read without their offset.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(JST)


def format_date(value: date | datetime | None) -> str:
    """「2027年3月31日」: the one date format of pages, notifications and mail."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_jst(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def format_datetime(value: date | datetime | None, with_time: bool = True) -> str:
    """「2026年12月3日 02:20」 in JST; a plain date is shown as a date."""
    if value is None:
        return ""
    if not isinstance(value, datetime) or not with_time:
        return format_date(value)
    local = to_jst(value)
    return f"{format_date(local)} {local:%H:%M}"


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 for exports and the API: timestamps in JST with +09:00, dates as dates."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return to_jst(value).isoformat()
    return value.isoformat()
