"""Local time of the desks: Vietnam keeps +07:00 all year."""

from datetime import date, datetime, time, timedelta

from motcua_clock import VN_TZ

VN = VN_TZ  # the one zone: motcua_clock's


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), VN)
    return start, start + timedelta(days=1)


WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def moment_vi(moment: datetime) -> str:
    """E.g. "16 giờ 00 phút, Thứ Sáu ngày 13/02/2026"."""
    local = moment.astimezone(VN)
    return f"{local:%H} giờ {local:%M} phút, {WEEKDAYS_VI[local.weekday()]} ngày {local:%d/%m/%Y}"


def day_vi(moment: datetime) -> str:
    local = moment.astimezone(VN)
    return f"{WEEKDAYS_VI[local.weekday()]} ngày {local:%d/%m/%Y}"
