"""Time zone, ISO 8601 and Vietnamese formatting helpers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Vietnam has kept +07:00 without daylight saving since 1975; the arrays in
# TenantCalendar rely on that, and TenantCalendar checks it when built.
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VN_OFFSET = timedelta(hours=7)

WEEKDAY_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def require_aware(moment: datetime, what: str = "thời điểm") -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} phải kèm múi giờ (ví dụ +07:00): {moment.isoformat()}")


def to_local(moment: datetime) -> datetime:
    require_aware(moment)
    return moment.astimezone(VN_TZ)


def iso(moment: datetime) -> str:
    """ISO 8601 in Vietnam time, e.g. 2026-02-23T17:00:00+07:00."""
    return to_local(moment).isoformat(timespec="seconds")


def parse_moment(text: str) -> datetime:
    """Parse ISO 8601; a moment without an offset is taken as Vietnam time."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def parse_hhmm(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def hhmm(seconds_of_day: int) -> str:
    return f"{seconds_of_day // 3600:02d}:{seconds_of_day % 3600 // 60:02d}"


def date_vi(day: date) -> str:
    """E.g. 'thứ Sáu 13/02/2026'."""
    return f"{WEEKDAY_VI[day.weekday()]} {day:%d/%m/%Y}"


def moment_vi(moment: datetime) -> str:
    """E.g. '16:00 thứ Sáu 13/02/2026'."""
    local = to_local(moment)
    return f"{local:%H:%M} {date_vi(local.date())}"


def duration_vi(seconds: int) -> str:
    """Working time as hours and minutes, e.g. '7 giờ 30 phút'."""
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours and minutes:
        return f"{sign}{hours} giờ {minutes} phút"
    if hours:
        return f"{sign}{hours} giờ"
    return f"{sign}{minutes} phút"
