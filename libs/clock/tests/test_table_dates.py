"""Real dates, each with the source of the day off or working day it relies on.

Rules these cases pin down (docs/clock.md, "Counting rules"):
- same day: received on a working day before 15:00 -> 17:00 that day; at or after
  15:00, or on a day off -> 17:00 the next working day;
- N working days, count_mode "end_of_day" (default in the catalogue): day 1 is the
  working day after the (deemed) day of receipt; due at 17:00 on day N. A receipt
  after 17:00 or on a day off is deemed made on the next working day;
- count_mode "working_hours": N x 8 working hours from the receipt moment, counted
  only inside the sessions 07:30-11:30 and 13:30-17:00.
Default tenant: office hours 07:30-11:30 / 13:30-17:00, national calendar only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import partial
from typing import Any

import pytest
from motcua_clock import (
    Catalogue,
    ClockEvent,
    DayOff,
    NationalCalendar,
    OfficeHours,
    ProcedureVersion,
    TenantCalendar,
    TenantConfig,
    TimeLimit,
    compute_clock,
    compute_due,
)
from motcua_clock.timeutil import VN_TZ

at = partial(datetime, tzinfo=VN_TZ)  # a moment in Vietnam time


def procedure(
    catalogue: Catalogue, code: str, received: datetime, **changes: Any
) -> ProcedureVersion:
    version = catalogue.version_at(code, received)
    return replace(version, **changes) if changes else version


# Sources, named once.
DOMAIN_TET = "docs/domain.md §5.3: Tết nghỉ thực tế 2025 = 25/1–2/2, 2026 = 14–22/2"
DOMAIN_MAKEUP = "docs/domain.md §5.3: làm bù thứ Bảy 26/4/2025 và 22/8/2026"
DOMAIN_HUNG = "Issue + holidays pkg: Giỗ Tổ 2026 rơi Chủ nhật 26/4, nghỉ bù thứ Hai 27/4"
DOMAIN_1505 = "docs/domain.md §4: quy tắc 15 giờ (Luật Hộ tịch 2014 Đ.5(3); NĐ 23/2015 Đ.7)"
LABOR_CODE = "Bộ luật Lao động 2019 Đ.112 (holidays pkg): 1/1, 30/4, 1/5, 2/9 + 1 ngày liền kề"
CV_2450 = "Công văn 2450/VPCP-KGVX (2024): nghỉ 29/4/2024, làm bù thứ Bảy 4/5/2024"
TB_6150 = "Thông báo 6150/TB-BLĐTBXH (holidays pkg): nghỉ 2/5/2025, làm bù 26/4/2025"
SEP_2026 = "holidays pkg / lịch nghỉ 2026: nghỉ 31/8 (bù bằng 22/8), 1–2/9/2026"
SEP_2024 = "holidays pkg: Quốc khánh 2024 nghỉ thứ Hai 2/9 và thứ Ba 3/9"
CULTURE = "docs/domain.md §5.3: 24/11/2026 Ngày Văn hóa Việt Nam được công bố là ngày nghỉ"
ISSUE = "Issue 'statutory clock', Done means"


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    received: datetime
    due: datetime
    source: str
    verification: bool = False
    channel: str = "counter"
    count_mode: str | None = None
    limit: TimeLimit | None = None
    tenant: TenantConfig | None = None
    events: tuple[ClockEvent, ...] = field(default=())


SAME_DAY = "1.001193"  # Đăng ký khai sinh: trong ngày
THREE_WD = "1.004859"  # Thay đổi, cải chính hộ tịch: 3 ngày làm việc
TWO_WD = "2.001035"  # Chứng thực hợp đồng, giao dịch: 2 ngày làm việc
FIVE_WD = "1.004884"  # Đăng ký lại khai sinh: 5 ngày làm việc
SEVEN_WD = "1.004222"  # Đăng ký thường trú: 7 ngày làm việc
MARRIAGE = "1.000894"  # trong ngày; 5 ngày làm việc nếu cần xác minh
DEATH = "1.000656"  # trong ngày; 3 ngày làm việc nếu cần xác minh
BIRTH_RECOG = "1.000689"  # 3 ngày làm việc; 8 nếu cần xác minh

EIGHT_HOUR_TENANT = TenantConfig(
    tenant_id="xa-8-gio",
    office_hours=OfficeHours(
        morning=(time(7, 0), time(11, 30)), afternoon=(time(13, 30), time(17, 0))
    ),
)
CLOSED_29_APR = TenantConfig(
    tenant_id="xa-dong-cua",
    closures=(DayOff(date(2026, 4, 29), "closure", "Xã nghỉ để tổ chức bầu cử (giả định)"),),
)

CASES = [
    # --- same day, the 15:00 rule ---------------------------------------------------
    Case(
        "tet2026_after_15h",
        SAME_DAY,
        at(2026, 2, 13, 16),
        at(2026, 2, 23, 17),
        f"{ISSUE}; {DOMAIN_TET}",
    ),
    Case("tet2026_before_15h", SAME_DAY, at(2026, 2, 13, 14, 59), at(2026, 2, 13, 17), DOMAIN_1505),
    Case("tet2026_at_15h", SAME_DAY, at(2026, 2, 13, 15), at(2026, 2, 23, 17), DOMAIN_1505),
    Case("tet2025_after_15h", SAME_DAY, at(2025, 1, 24, 16), at(2025, 2, 3, 17), DOMAIN_TET),
    Case("tet2026_online_saturday", SAME_DAY, at(2026, 2, 14, 10), at(2026, 2, 23, 17), DOMAIN_TET),
    Case("online_on_30_apr_2026", SAME_DAY, at(2026, 4, 30, 9), at(2026, 5, 4, 17), LABOR_CODE),
    Case(
        "online_sat_before_hung_kings",
        SAME_DAY,
        at(2026, 4, 25, 9),
        at(2026, 4, 28, 17),
        DOMAIN_HUNG,
    ),
    Case(
        "friday_late_before_hung_kings",
        SAME_DAY,
        at(2026, 4, 24, 15, 30),
        at(2026, 4, 28, 17),
        DOMAIN_HUNG,
    ),
    Case(
        "makeup_sat_2025_next_day",
        SAME_DAY,
        at(2025, 4, 25, 16),
        at(2025, 4, 26, 17),
        DOMAIN_MAKEUP,
    ),
    Case(
        "makeup_sat_2025_same_day",
        SAME_DAY,
        at(2025, 4, 26, 10),
        at(2025, 4, 26, 17),
        DOMAIN_MAKEUP,
    ),
    Case(
        "makeup_sat_2026_next_day",
        SAME_DAY,
        at(2026, 8, 21, 16),
        at(2026, 8, 22, 17),
        DOMAIN_MAKEUP,
    ),
    Case("national_day_2026", SAME_DAY, at(2026, 8, 28, 16), at(2026, 9, 3, 17), SEP_2026),
    Case("culture_day_2026", SAME_DAY, at(2026, 11, 23, 16), at(2026, 11, 25, 17), CULTURE),
    Case("new_year_2026", SAME_DAY, at(2025, 12, 31, 16), at(2026, 1, 2, 17), LABOR_CODE),
    Case("evening_online", SAME_DAY, at(2026, 4, 28, 18, 30), at(2026, 4, 29, 17), DOMAIN_1505),
    Case("before_opening", SAME_DAY, at(2026, 4, 28, 6, 45), at(2026, 4, 28, 17), DOMAIN_1505),
    Case("lunch_break", SAME_DAY, at(2026, 4, 28, 12, 15), at(2026, 4, 28, 17), DOMAIN_1505),
    # --- working days, end_of_day -------------------------------------------------
    Case(
        "issue_3wd_skips_30apr_3may",
        THREE_WD,
        at(2026, 4, 28, 9),
        at(2026, 5, 5, 17),
        f"{ISSUE}; {LABOR_CODE}",
    ),
    Case("3wd_from_29apr_2026", THREE_WD, at(2026, 4, 29, 10), at(2026, 5, 6, 17), LABOR_CODE),
    Case(
        "2wd_ends_on_makeup_sat_2025",
        TWO_WD,
        at(2025, 4, 24, 10),
        at(2025, 4, 26, 17),
        DOMAIN_MAKEUP,
    ),
    Case("3wd_over_2025_bridge", THREE_WD, at(2025, 4, 28, 9), at(2025, 5, 6, 17), TB_6150),
    Case("5wd_after_tet2026", FIVE_WD, at(2026, 2, 13, 10), at(2026, 2, 27, 17), DOMAIN_TET),
    Case(
        "7wd_with_makeup_sat_2026", SEVEN_WD, at(2026, 8, 20, 9), at(2026, 8, 28, 17), DOMAIN_MAKEUP
    ),
    Case("7wd_over_national_day_2026", SEVEN_WD, at(2026, 8, 28, 9), at(2026, 9, 11, 17), SEP_2026),
    Case("3wd_over_national_day_2024", THREE_WD, at(2024, 8, 29, 10), at(2024, 9, 5, 17), SEP_2024),
    Case("3wd_ends_on_makeup_sat_2024", THREE_WD, at(2024, 4, 26, 10), at(2024, 5, 4, 17), CV_2450),
    Case(
        "3wd_online_sunday_hung_kings",
        THREE_WD,
        at(2026, 4, 26, 20),
        at(2026, 5, 5, 17),
        DOMAIN_HUNG,
    ),
    Case(
        "3wd_after_closing_time", THREE_WD, at(2026, 4, 28, 17, 30), at(2026, 5, 6, 17), LABOR_CODE
    ),
    Case(
        "3wd_tenant_closure",
        THREE_WD,
        at(2026, 4, 28, 9),
        at(2026, 5, 6, 17),
        f"{LABOR_CODE}; ngày nghỉ riêng của xã (cấu hình giả định)",
        tenant=CLOSED_29_APR,
    ),
    Case(
        "3wd_receipt_on_bridge_day", BIRTH_RECOG, at(2026, 8, 31, 9), at(2026, 9, 8, 17), SEP_2026
    ),
    # --- verification extension ---------------------------------------------------
    Case(
        "marriage_verification_over_tet",
        MARRIAGE,
        at(2026, 2, 11, 10),
        at(2026, 2, 25, 17),
        DOMAIN_TET,
        verification=True,
    ),
    Case(
        "death_verification_over_new_year",
        DEATH,
        at(2025, 12, 29, 14),
        at(2026, 1, 2, 17),
        LABOR_CODE,
        verification=True,
    ),
    Case(
        "birth_recognition_8wd_verification",
        BIRTH_RECOG,
        at(2026, 4, 24, 9),
        at(2026, 5, 11, 17),
        f"{DOMAIN_HUNG}; {LABOR_CODE}",
        verification=True,
    ),
    # --- working hours -------------------------------------------------------------
    Case(
        "issue_3wd_in_working_hours",
        THREE_WD,
        at(2026, 4, 28, 9),
        at(2026, 5, 5, 10, 30),
        f"{ISSUE}; {LABOR_CODE}; 1 ngày = 8 giờ",
        count_mode="working_hours",
    ),
    Case(
        "8_hours_over_tet2026",
        THREE_WD,
        at(2026, 2, 13, 16),
        at(2026, 2, 23, 16, 30),
        DOMAIN_TET,
        limit=TimeLimit(8, "working_hours"),
    ),
    Case(
        "3wd_hours_8h_sessions",
        THREE_WD,
        at(2026, 4, 28, 9),
        at(2026, 5, 5, 9),
        LABOR_CODE,
        count_mode="working_hours",
        tenant=EIGHT_HOUR_TENANT,
    ),
    Case(
        "4_hours_on_makeup_sat_2025",
        THREE_WD,
        at(2025, 4, 25, 16),
        at(2025, 4, 26, 10, 30),
        DOMAIN_MAKEUP,
        limit=TimeLimit(4, "working_hours"),
    ),
    # --- supplements ------------------------------------------------------------------
    Case(
        "pause_resume_counter",
        THREE_WD,
        at(2026, 4, 28, 9),
        at(2026, 5, 6, 15),
        LABOR_CODE,
        events=(ClockEvent.paused(at(2026, 4, 29, 10)), ClockEvent.resumed(at(2026, 5, 4, 8))),
    ),
    Case(
        "restart_online_2025_rules",
        THREE_WD,
        at(2026, 4, 28, 9),
        at(2026, 5, 7, 17),
        LABOR_CODE,
        channel="online",
        events=(ClockEvent.paused(at(2026, 4, 29, 10)), ClockEvent.resumed(at(2026, 5, 4, 8))),
    ),
    Case(
        "pause_over_tet_same_day",
        SAME_DAY,
        at(2026, 2, 13, 16),
        at(2026, 2, 25, 10),
        DOMAIN_TET,
        events=(ClockEvent.paused(at(2026, 2, 20, 9)), ClockEvent.resumed(at(2026, 2, 24, 10))),
    ),
]


def _calendar(national: NationalCalendar, case: Case) -> TenantCalendar:
    return national.for_tenant(case.tenant) if case.tenant else national.for_tenant()


def _procedure(catalogue: Catalogue, case: Case) -> ProcedureVersion:
    changes: dict[str, object] = {}
    if case.count_mode:
        changes["count_mode"] = case.count_mode
    if case.limit:
        changes["time_limit"] = case.limit
    return procedure(catalogue, case.code, case.received, **changes)


def test_there_are_at_least_30_real_date_cases() -> None:
    assert len(CASES) >= 30
    assert all(case.source for case in CASES)
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_due_moment(case: Case, catalogue: Catalogue, national: NationalCalendar) -> None:
    proc = _procedure(catalogue, case)
    cal = _calendar(national, case)
    snapshot = compute_clock(
        case.received, proc, cal, case.events, verification=case.verification, channel=case.channel
    )
    assert snapshot.due_at == case.due, case.source
    assert snapshot.due_at.utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]
    assert snapshot.to_dict()["due_at"].endswith("+07:00")
    if not case.events:
        assert compute_due(case.received, proc, cal, case.verification) == case.due


def test_makeup_saturdays_are_working_days(tenant: TenantCalendar) -> None:
    # docs/domain.md §5.3; Công văn 2450/VPCP-KGVX for 2024.
    for day in (date(2024, 5, 4), date(2025, 4, 26), date(2026, 8, 22)):
        assert day.weekday() == 5
        assert tenant.is_working_day(day)


def test_hung_kings_2026_observed_on_monday(tenant: TenantCalendar) -> None:
    # Issue text: fell on Sunday 26 Apr 2026, Monday 27 Apr was off.
    assert not tenant.is_working_day(date(2026, 4, 26))
    assert not tenant.is_working_day(date(2026, 4, 27))
    assert "Giỗ Tổ" in tenant.reason_off_vi(date(2026, 4, 27))
    assert tenant.is_working_day(date(2026, 4, 28))


def test_tet_breaks_match_domain(tenant: TenantCalendar) -> None:
    for first, last in (
        (date(2025, 1, 25), date(2025, 2, 2)),
        (date(2026, 2, 14), date(2026, 2, 22)),
    ):
        assert tenant.working_days_between(first, last) == 0
        assert tenant.is_working_day(date.fromordinal(first.toordinal() - 1))
        assert tenant.is_working_day(date.fromordinal(last.toordinal() + 1))
