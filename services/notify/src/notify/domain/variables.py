"""The variables each kind of message may use, with sample values for checks and previews.

The renderer always supplies every variable of the kind (lists may be empty), so a template
that passes the save-time check can never print a blank where a value should be.
"""

from __future__ import annotations

from typing import Any

from notify.domain.kinds import Kind

COMMON = {
    "commune_name": "Xã Chiềng Khương",
    "authority_name": "Ủy ban nhân dân xã Chiềng Khương",
    "dossier_code": "000.22.38.H50-250915-0003",
    "procedure_name": "Đăng ký khai sinh",
    "lookup_url": "https://dichvucong.sonla.gov.vn/tra-cuu?ma=000.22.38.H50-250915-0003",
    "salutation": "Ông/Bà Lò Thị Hoa",
}
STAFF_COMMON = {
    "commune_name": "Xã Chiềng Khương",
    "authority_name": "Ủy ban nhân dân xã Chiềng Khương",
    "salutation": "Đồng chí Phó Chủ tịch UBND xã",
}

SPECIFIC: dict[Kind, dict[str, Any]] = {
    Kind.RECEIPT_CONFIRMATION: {"received_date": "15/09/2025", "due_date": "16:00 ngày 16/09/2025"},
    Kind.SUPPLEMENT_REQUEST: {
        "requested_date": "15/09/2025",
        "missing_items": ["Giấy chứng sinh (bản chính)", "Tờ khai đăng ký khai sinh có chữ ký"],
    },
    Kind.REFUSAL_NOTICE: {
        "refused_date": "15/09/2025",
        "refusal_reasons": [
            "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã."
        ],
    },
    Kind.RESULT_READY: {
        "ready_date": "16/09/2025",
        "approved": True,
        "ceremony": True,
        "ceremony_name": "Lễ trao Giấy khai sinh",
        "ceremony_slots": ["Thứ Hai 08:00", "Thứ Năm 14:00"],
    },
    Kind.CEREMONY_INVITATION: {
        "ready_date": "16/09/2025",
        "ceremony_name": "Lễ trao Giấy khai sinh",
        "certificate_name": "Giấy khai sinh",
        "ceremony_slots": ["Thứ Hai 08:00", "Thứ Năm 14:00"],
        "ceremony_date": "thứ Năm, ngày 18/09/2025",
        "ceremony_time": "08 giờ 30",
        "ceremony_place": "Hội trường Ủy ban nhân dân xã Chiềng Khương",
        "ceremony_rescheduled": False,
    },
    Kind.APOLOGY_NOTICE: {
        "received_date": "10/09/2025",
        "original_due_date": "17:00 ngày 15/09/2025",
        "new_due_date": "17:00 ngày 18/09/2025",
        "reason_text": "hồ sơ cần được xác minh, lấy ý kiến của cơ quan liên quan",
    },
    Kind.CONDOLENCE_LETTER: {"registered_date": "15/09/2025"},
    Kind.SATISFACTION_SURVEY: {
        "returned_date": "16/09/2025",
        "survey_url": "https://dichvucong.sonla.gov.vn/tra-cuu?ma=000.22.38.H50-250915-0003",
    },
    Kind.ESCALATION_ALERT: {
        "due_date": "17:00 ngày 15/09/2025",
        "escalation_reason": "có nguy cơ trễ hạn",
        "level": 1,
    },
    Kind.MORNING_DIGEST: {
        "day": "15/09/2025",
        "at_risk": [{"code": "000.22.38.H50-250915-0003", "due": "17:00 ngày 15/09/2025"}],
        "late": [],
        "at_risk_count": 1,
        "late_count": 0,
        "truncated": False,
    },
}
SPECIFIC[Kind.APOLOGY_MESSAGE] = SPECIFIC[Kind.APOLOGY_NOTICE]
SPECIFIC[Kind.CEREMONY_MESSAGE] = SPECIFIC[Kind.CEREMONY_INVITATION]

STAFF_KINDS = frozenset({Kind.ESCALATION_ALERT, Kind.MORNING_DIGEST})
NO_DOSSIER_KINDS = frozenset({Kind.MORNING_DIGEST})


def common_for(kind: Kind) -> dict[str, Any]:
    if kind in NO_DOSSIER_KINDS:
        return dict(STAFF_COMMON)
    if kind in STAFF_KINDS:
        return {**COMMON, **STAFF_COMMON}
    return dict(COMMON)


def sample(kind: Kind) -> dict[str, Any]:
    return {**common_for(kind), **SPECIFIC[kind]}


def allowed(kind: Kind) -> frozenset[str]:
    return frozenset(sample(kind))
