"""Vietnamese words notify puts in front of people: dates, reasons, ceremonies."""

from __future__ import annotations

from datetime import date, datetime

from motcua_clock import VN_TZ

# Refusal reason codes are free codes typed at the desk; unknown ones get a general line
# pointing to Form 03, which the desk hands over with the reasons written in full.
REFUSAL_REASONS_VI = {
    "not_competent": "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã.",
    "incomplete": "Hồ sơ chưa đầy đủ thành phần theo quy định.",
    "ineligible": "Hồ sơ chưa đáp ứng điều kiện theo quy định.",
    "invalid_documents": "Giấy tờ trong hồ sơ không hợp lệ.",
    "duplicate": "Hồ sơ đã được tiếp nhận trước đó.",
}
REFUSAL_OTHER_VI = (
    "Lý do cụ thể được ghi trong Phiếu từ chối tiếp nhận (Mẫu 03) tại Bộ phận một cửa."
)

APOLOGY_REASONS_VI = {
    "verification": "hồ sơ cần được xác minh, lấy ý kiến của cơ quan liên quan",
    "workload": "số lượng hồ sơ tăng cao, cán bộ chưa kịp xử lý xong",
    "system": "hệ thống phần mềm, đường truyền gặp sự cố",
    "staff": "công chức phụ trách vắng mặt vì lý do khách quan",
    "other": "có vướng mắc phát sinh trong quá trình giải quyết",
}


def apology_reason(reason_vi: object, reason_code: object) -> str:
    """The leader's own words (ApologyIssued v2), verbatim but for the final punctuation the
    letter's sentence adds; v1 events carried only a code, whose standard wording is used."""
    if isinstance(reason_vi, str):
        text = reason_vi.strip().rstrip(".;,!").rstrip()
        if text:
            return text
    return APOLOGY_REASONS_VI.get(str(reason_code), APOLOGY_REASONS_VI["other"])


CEREMONY_VI = {
    "birth": ("Lễ trao Giấy khai sinh", "Giấy khai sinh"),
    "marriage": ("Lễ trao Giấy chứng nhận kết hôn", "Giấy chứng nhận kết hôn"),
}

ESCALATION_VI = {
    "at_risk": "có nguy cơ trễ hạn",
    "late": "đã quá hạn",
    "raised_up": "chưa được xử lý sau khi đã báo lãnh đạo trực",
}


def local(moment: datetime) -> datetime:
    return moment.astimezone(VN_TZ)


def date_vi(moment: datetime | date) -> str:
    day = local(moment).date() if isinstance(moment, datetime) else moment
    return day.strftime("%d/%m/%Y")


def moment_vi(moment: datetime) -> str:
    at = local(moment)
    return f"{at:%H:%M} ngày {at:%d/%m/%Y}"


def date_line_vi(place: str, day: date) -> str:
    """'Chiềng Khương, ngày 05 tháng 9 năm 2025': day < 10 and month < 3 take a 0 (NĐ 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def time_vi(moment: datetime) -> str:
    """'08 giờ 30' (local time), as invitations write it."""
    at = local(moment)
    return f"{at:%H} giờ {at:%M}"


def day_vi(moment: datetime) -> str:
    """'thứ Hai, ngày 16/02/2026' (local date)."""
    at = local(moment)
    return f"{WEEKDAYS_VI[at.weekday()]}, ngày {at:%d/%m/%Y}"
