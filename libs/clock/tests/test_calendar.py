"""The working calendar: seeded data, operator edits, tenant settings, changes as events."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from functools import partial
from pathlib import Path

import pytest
from motcua_clock import (
    CalendarChanged,
    CalendarError,
    CalendarRangeError,
    Catalogue,
    DayOff,
    NationalCalendar,
    OfficeHours,
    TenantCalendar,
    TenantConfig,
    WorkingDay,
    compute_clock,
    load_calendar,
    load_tenant_config,
)
from motcua_clock.recompute import changed_days
from motcua_clock.timeutil import VN_TZ

at = partial(datetime, tzinfo=VN_TZ)  # a moment in Vietnam time


def test_years_and_sources(national: NationalCalendar) -> None:
    assert {y: s.status for y, s in national.years.items()} == {
        2024: "announced",
        2025: "announced",
        2026: "announced",
        2027: "provisional",
    }
    assert all(d.source for d in national.days_off.values())
    assert national.days_off[date(2026, 11, 24)].name_vi == "Ngày Văn hóa Việt Nam"
    assert national.days_off[date(2025, 5, 2)].kind == "bridge"
    assert set(national.working_days) == {date(2024, 5, 4), date(2025, 4, 26), date(2026, 8, 22)}


def test_national_day_has_an_adjacent_day_off(tenant: TenantCalendar) -> None:
    # Labor Code 2019 art. 112: 2 Sep plus the day before or after.
    for year in (2024, 2025, 2026):
        sep2 = date(year, 9, 2)
        assert not tenant.is_working_day(sep2)
        neighbours = [date(year, 9, 1), date(year, 9, 3)]
        assert any(not tenant.is_working_day(d) for d in neighbours)


def test_deadline_into_a_provisional_year_carries_a_warning(
    catalogue: Catalogue, tenant: TenantCalendar
) -> None:
    received = at(2026, 12, 28, 9)
    snap = compute_clock(received, catalogue.version_at("1.004222", received), tenant)
    assert snap.due_at == at(2027, 1, 7, 17)  # 7 wd; 1 Jan 2027 off
    assert any("2027" in w and "dự kiến" in w for w in snap.calendar_warnings)
    far = at(2030, 3, 1, 9)
    snap = compute_clock(far, catalogue.version_at("1.004222", far), tenant)
    assert any("2030" in w for w in snap.calendar_warnings)


def test_operator_adds_next_year_by_editing_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = load_calendar().to_dict()
    data["years"]["2027"] = {"status": "announced", "sources": ["Thông báo năm 2027 (ví dụ)"]}
    data["days_off"].append(
        {"date": "2027-01-04", "kind": "bridge", "name_vi": "Nghỉ hoán đổi", "source": "ví dụ"}
    )
    data["working_days"].append({"date": "2027-01-09", "name_vi": "Làm bù", "source": "ví dụ"})
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("MOTCUA_CALENDAR_FILE", str(path))
    edited = load_calendar().for_tenant()
    assert not edited.is_working_day(date(2027, 1, 4))
    assert edited.is_working_day(date(2027, 1, 9))
    assert edited.national.year_status(2027).status == "announced"  # type: ignore[union-attr]


def test_calendar_change_is_an_event_and_leaves_the_old_calendar(
    national: NationalCalendar,
) -> None:
    day = date(2026, 3, 10)
    added = national.with_change(CalendarChanged("day_off_added", day, "closure", "Nghỉ đột xuất"))
    assert national.for_tenant().is_working_day(day)
    assert not added.for_tenant().is_working_day(day)
    assert changed_days(national.for_tenant(), added.for_tenant()) == [day]
    removed = added.with_change(CalendarChanged("day_off_removed", day))
    assert removed.for_tenant().is_working_day(day)
    sat = date(2026, 3, 14)
    worked = national.with_change(CalendarChanged("working_day_added", sat, name_vi="Làm bù"))
    assert worked.for_tenant().is_working_day(sat)
    assert (
        not worked.with_change(CalendarChanged("working_day_removed", sat))
        .for_tenant()
        .is_working_day(sat)
    )


def test_tenant_settings(national: NationalCalendar, tmp_path: Path) -> None:
    raw = {
        "tenant_id": "14-chieng-khuong",
        "name_vi": "Xã Chiềng Khương",
        "office_hours": {"morning": ["07:00", "11:30"], "afternoon": ["13:30", "17:00"]},
        "closures": [{"date": "2026-03-10", "name_vi": "Đại hội đại biểu"}],
        "extra_working_days": [{"date": "2026-03-14", "name_vi": "Tiếp dân thứ Bảy"}],
    }
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    config = load_tenant_config(path)
    cal = national.for_tenant(config)
    assert cal.day_seconds == 8 * 3600
    assert not cal.is_working_day(date(2026, 3, 10))
    assert "Đại hội" in cal.reason_off_vi(date(2026, 3, 10))
    assert cal.is_working_day(date(2026, 3, 14))
    assert cal.end_of_day(date(2026, 3, 11)) == at(2026, 3, 11, 17)
    assert national.for_tenant(config) is cal  # cached per configuration
    by_keyword = national.for_tenant(closures=[date(2026, 3, 10)])
    assert not by_keyword.is_working_day(date(2026, 3, 10))
    assert by_keyword.config.closures[0] == DayOff(date(2026, 3, 10), "closure", "Đơn vị nghỉ")


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(CalendarError):
        OfficeHours(morning=(time(11, 0), time(7, 0)))
    with pytest.raises(CalendarError):
        OfficeHours(morning=(time(7, 0), time(12, 0)), afternoon=(time(11, 0), time(17, 0)))
    with pytest.raises(CalendarError):
        TenantConfig(hours_per_working_day=0)
    with pytest.raises(CalendarError):
        NationalCalendar(
            days_off=[DayOff(date(2026, 3, 14), "holiday", "x")],
            working_days=[WorkingDay(date(2026, 3, 14), "y")],
        )
    with pytest.raises(CalendarError):
        DayOff(date(2026, 3, 14), "party", "x")  # type: ignore[arg-type]


def test_outside_the_table_range(tenant: TenantCalendar) -> None:
    with pytest.raises(CalendarRangeError):
        tenant.w_at(at(1999, 12, 31, 9))
    with pytest.raises(CalendarRangeError):
        tenant.is_working_day(date(2061, 1, 3))


@pytest.mark.parametrize(
    ("promised", "due"),
    [
        (at(2026, 5, 8), at(2026, 5, 8, 17)),  # a bare date: the whole day
        (at(2026, 5, 8, 10), at(2026, 5, 8, 10)),
        (at(2026, 5, 8, 12, 0), at(2026, 5, 8, 11, 30)),  # lunch: end of the morning
        (at(2026, 5, 8, 19), at(2026, 5, 8, 17)),  # evening: close of that day
        (at(2026, 5, 9, 10), at(2026, 5, 11, 17)),  # Saturday: next working day
        (at(2026, 4, 30, 10), at(2026, 5, 4, 17)),  # holiday: next working day
    ],
)
def test_promised_moments_become_valid_due_moments(
    tenant: TenantCalendar, promised: datetime, due: datetime
) -> None:
    assert tenant.due_on(promised) == due
    assert tenant.is_office_time(due)


def test_counting_starts_at_the_next_session(tenant: TenantCalendar) -> None:
    assert tenant.counting_start(at(2026, 4, 28, 9)) == at(2026, 4, 28, 9)
    assert tenant.counting_start(at(2026, 4, 28, 12)) == at(2026, 4, 28, 13, 30)
    assert tenant.counting_start(at(2026, 4, 28, 18)) == at(2026, 4, 29, 7, 30)
    assert tenant.counting_start(at(2026, 4, 29, 18)) == at(2026, 5, 4, 7, 30)


def test_day_arithmetic(tenant: TenantCalendar) -> None:
    assert tenant.add_working_days(date(2026, 4, 28), 3) == date(2026, 5, 5)
    assert tenant.add_working_days(date(2026, 4, 30), 1) == date(2026, 5, 4)
    assert tenant.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert tenant.next_working_day(date(2026, 2, 23), include=True) == date(2026, 2, 23)
    assert tenant.working_days_between(date(2026, 4, 27), date(2026, 5, 4)) == 3
