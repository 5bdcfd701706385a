"""Commune-level units (tenants): configuration rules and the lifecycle. Pure: no I/O.

The operator sends a whole configuration; these rules say whether it can be published.
Every violation is reported at once, each with its field, a stable code and a Vietnamese
message, so an onboarding file can be fixed in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from intake.domain.errors import Conflict, DomainError


class TenantStatus(StrEnum):
    PILOT = "pilot"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    MERGED = "merged"  # set only by a merger; final


STATUS_VI = {
    TenantStatus.PILOT: "thí điểm",
    TenantStatus.ACTIVE: "đang hoạt động",
    TenantStatus.SUSPENDED: "tạm ngừng",
    TenantStatus.MERGED: "đã sáp nhập",
}

# The lifecycle as data. A merger is its own operation (it moves dossiers), never a PUT.
TRANSITIONS: dict[TenantStatus, frozenset[TenantStatus]] = {
    TenantStatus.PILOT: frozenset({TenantStatus.ACTIVE, TenantStatus.SUSPENDED}),
    TenantStatus.ACTIVE: frozenset({TenantStatus.SUSPENDED}),
    TenantStatus.SUSPENDED: frozenset({TenantStatus.ACTIVE}),
    TenantStatus.MERGED: frozenset(),
}
INITIAL = frozenset({TenantStatus.PILOT, TenantStatus.ACTIVE})
# A desk accepts new dossiers, and may be named as the resolving unit, only in these states.
RECEIVING = frozenset({TenantStatus.PILOT, TenantStatus.ACTIVE})

AGENCY_CODE = re.compile(r"^[0-9A-Z]{1,6}(\.[0-9A-Z]{1,6}){1,5}$")
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,62}[a-z0-9]$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9\-]{0,39}$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Secrets travel by reference only: an environment variable, a mounted file, a named secret.
SECRET_REF = re.compile(
    r"^(env:[A-Z_][A-Z0-9_]{0,99}|file:/[^\s]{1,300}|secret:[a-z0-9][a-z0-9._/\-]{0,199})$"
)


class TenantInvalidTransition(Conflict):
    """409 with the states the unit may move to."""

    def __init__(self, code: str, message_vi: str, allowed: frozenset[TenantStatus]) -> None:
        super().__init__(code, message_vi, field="status")
        self.allowed = sorted(allowed)


@dataclass(frozen=True)
class FieldProblem:
    field: str
    code: str
    message: str


class InvalidTenant(DomainError):
    """Several field problems at once (422)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        first = problems[0]
        super().__init__(first.code, first.message, field=first.field)
        self.problems = list(problems)


def check_transition(current: TenantStatus | None, wanted: TenantStatus) -> None:
    """Raises TenantInvalidTransition when `wanted` cannot follow `current` (None: a new unit)."""
    if current is None:
        if wanted not in INITIAL:
            raise TenantInvalidTransition(
                "tenant.invalid_initial_status",
                "Đơn vị mới chỉ được tạo ở trạng thái thí điểm (pilot) hoặc hoạt động (active).",
                INITIAL,
            )
        return
    if wanted != current and wanted not in TRANSITIONS[current]:
        raise TenantInvalidTransition(
            "tenant.invalid_transition",
            f"Không thể chuyển đơn vị từ trạng thái “{STATUS_VI[current]}” sang "
            f"“{STATUS_VI[wanted]}”.",
            TRANSITIONS[current],
        )


@dataclass(frozen=True)
class Promise:
    procedure_code: str
    promised_working_days: float | None


@dataclass(frozen=True)
class Configuration:
    """What the rules look at; the HTTP schema has already checked types and formats."""

    tenant_id: str
    agency_code: str
    office_morning: tuple[str, str]
    office_afternoon: tuple[str, str] | None
    closures: tuple[date, ...]
    promises: tuple[Promise, ...]
    cohorts: tuple[str, ...]
    senders: Mapping[str, str] = field(default_factory=dict)
    credentials: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, str] = field(default_factory=dict)


# Statutory time of a procedure in working days (None: unknown or not in force).
StatutoryDays = Callable[[str], float | None]


def problems_of(config: Configuration, statutory_days: StatutoryDays) -> list[FieldProblem]:
    """Every rule a configuration breaks; empty when it can be published."""
    out: list[FieldProblem] = []

    def bad(where: str, code: str, message: str) -> None:
        out.append(FieldProblem(where, f"tenant.{code}", message))

    if not TENANT_ID.match(config.tenant_id):
        bad(
            "tenant_id",
            "id_format",
            "Mã đơn vị chỉ gồm chữ thường không dấu, số, dấu chấm và gạch nối (3–64 ký tự).",
        )
    if not AGENCY_CODE.match(config.agency_code):
        bad(
            "agency_code",
            "agency_code_format",
            "Mã định danh cơ quan phải gồm các nhóm chữ in hoa hoặc số, cách nhau bởi dấu chấm "
            "(ví dụ 000.22.38.H50).",
        )
    _office_hours(config, bad)
    seen_days: set[date] = set()
    for i, day in enumerate(config.closures):
        if day in seen_days:
            bad(f"closures.{i}", "closure_duplicate", "Ngày nghỉ riêng bị khai báo hai lần.")
        seen_days.add(day)
        if not date(2000, 1, 1) <= day <= date(2060, 12, 31):
            bad(f"closures.{i}", "closure_range", "Ngày nghỉ riêng nằm ngoài phạm vi lịch.")
    seen_codes: set[str] = set()
    for i, promise in enumerate(config.promises):
        where = f"enabled_procedures.{i}"
        if promise.procedure_code in seen_codes:
            bad(where, "procedure_duplicate", "Thủ tục được khai báo hai lần.")
        seen_codes.add(promise.procedure_code)
        statutory = statutory_days(promise.procedure_code)
        if statutory is None:
            bad(
                f"{where}.procedure_code",
                "procedure_unknown",
                "Thủ tục hành chính không có trong danh mục hoặc chưa có hiệu lực.",
            )
        elif promise.promised_working_days is not None and (
            promise.promised_working_days > statutory
        ):
            bad(
                f"{where}.promised_working_days",
                "promise_too_long",
                f"Thời hạn cam kết ({promise.promised_working_days:g} ngày làm việc) dài hơn "
                f"thời hạn theo quy định ({statutory:g} ngày làm việc).",
            )
    for i, tag in enumerate(config.cohorts):
        if not SLUG.match(tag):
            bad(
                f"cohorts.{i}",
                "cohort_format",
                "Nhãn nhóm chỉ gồm chữ thường không dấu, số và gạch nối (ví dụ: pilot).",
            )
    for channel, value in config.credentials.items():
        if not SECRET_REF.match(value):
            bad(
                f"credentials.{channel}",
                "secret_not_reference",
                "Không được gửi bí mật trực tiếp: dùng tham chiếu env:TEN_BIEN, file:/duong/dan "
                "hoặc secret:ten-bi-mat.",
            )
    for channel, value in config.senders.items():
        if _looks_secret(value):
            bad(
                f"senders.{channel}",
                "secret_not_reference",
                "Tên người gửi có dạng một bí mật (khóa, mật khẩu): hãy khai báo ở credentials "
                "dưới dạng tham chiếu.",
            )
    for key, value in config.templates.items():
        if _looks_secret(value):
            bad(f"templates.{key}", "secret_not_reference", "Mẫu thông báo không được chứa bí mật.")
    return out


def _office_hours(config: Configuration, bad: Callable[[str, str, str], None]) -> None:
    sessions = [("office_hours.morning", config.office_morning)]
    if config.office_afternoon is not None:
        sessions.append(("office_hours.afternoon", config.office_afternoon))
    previous_end: str | None = None
    for where, (start, end) in sessions:
        if not (HHMM.match(start) and HHMM.match(end)):
            bad(where, "office_hours_format", "Giờ làm việc phải có dạng HH:MM (ví dụ 07:30).")
            return
        if start >= end:
            bad(where, "office_hours_order", "Giờ bắt đầu phải trước giờ kết thúc.")
        if previous_end is not None and start < previous_end:
            bad(
                where, "office_hours_overlap", "Buổi chiều phải bắt đầu sau khi buổi sáng kết thúc."
            )
        previous_end = end


_SECRETISH = re.compile(
    r"(-----BEGIN|\b(sk|pk|xox[abp])[-_][A-Za-z0-9_\-]{8,}|\b[A-Fa-f0-9]{32,}\b|"
    r"\b[A-Za-z0-9+/]{40,}={0,2}|password=|passwd=|api[_-]?key=)"
)


def _looks_secret(value: str) -> bool:
    return bool(_SECRETISH.search(value))


def refuse_new_dossiers(status: TenantStatus, merged_into: str | None) -> DomainError | None:
    """Why this desk cannot register a dossier now, or None. Open dossiers are unaffected."""
    if status == TenantStatus.SUSPENDED:
        return Conflict(
            "tenant.suspended",
            "Đơn vị đang tạm ngừng tiếp nhận hồ sơ mới; các hồ sơ đang giải quyết vẫn tiếp tục.",
        )
    if status == TenantStatus.MERGED:
        return Conflict(
            "tenant.merged",
            f"Đơn vị đã được sáp nhập vào “{merged_into}”; vui lòng tiếp nhận tại đơn vị mới.",
        )
    return None
