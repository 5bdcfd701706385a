"""Vietnam's working calendar as editable data: national days off, make-up working
days, per-tenant closures and office hours, and calendar changes as events.

The JSON file is the source of truth at run time; the `holidays` package only seeds
it (scripts/seed_calendar.py). An operator adds next year's announcement by editing
the file, without a release (format in docs/clock.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from .errors import CalendarError
from .timeutil import date_vi, hhmm, parse_hhmm

if TYPE_CHECKING:
    from .tenant_calendar import TenantCalendar

DayKind = Literal["holiday", "substitute", "bridge", "closure"]
YearState = Literal["announced", "provisional"]
ChangeKind = Literal["day_off_added", "day_off_removed", "working_day_added", "working_day_removed"]

DAY_KINDS: tuple[str, ...] = get_args(DayKind)
CALENDAR_ENV = "MOTCUA_CALENDAR_FILE"

DAY_KIND_VI = {
    "holiday": "nghỉ lễ, Tết",
    "substitute": "nghỉ bù",
    "bridge": "ngày nghỉ hoán đổi",
    "closure": "đơn vị nghỉ",
}


def _fail(message_vi: str, **details: Any) -> CalendarError:
    return CalendarError("invalid_calendar", message_vi, **details)


@dataclass(frozen=True, slots=True)
class DayOff:
    """A weekday on which the office is closed (or a weekend holiday, kept for the record)."""

    day: date
    kind: DayKind
    name_vi: str
    source: str = ""

    def __post_init__(self) -> None:
        if self.kind not in DAY_KINDS:
            raise _fail(f"Loại ngày nghỉ không hợp lệ: {self.kind}")

    def reason_vi(self) -> str:
        label = DAY_KIND_VI[self.kind]
        if not self.name_vi:
            return label
        if label.lower() in self.name_vi.lower():
            return self.name_vi
        return f"{self.name_vi} ({label})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "kind": self.kind,
            "name_vi": self.name_vi,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], default_kind: str = "holiday") -> DayOff:
        return cls(
            day=date.fromisoformat(raw["date"]),
            kind=cast(DayKind, raw.get("kind", default_kind)),
            name_vi=raw.get("name_vi", ""),
            source=raw.get("source", ""),
        )


@dataclass(frozen=True, slots=True)
class WorkingDay:
    """A weekend day that is worked, e.g. a make-up Saturday for a bridge day."""

    day: date
    name_vi: str
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "name_vi": self.name_vi, "source": self.source}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> WorkingDay:
        return cls(
            day=date.fromisoformat(raw["date"]),
            name_vi=raw.get("name_vi", ""),
            source=raw.get("source", ""),
        )


@dataclass(frozen=True, slots=True)
class YearStatus:
    """Whether a year's days off were officially announced or only projected."""

    year: int
    status: YearState
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "sources": list(self.sources)}


@dataclass(frozen=True, slots=True)
class CalendarChanged:
    """An edit of the calendar; open deadlines are recomputed from it (see recompute.py)."""

    kind: ChangeKind
    day: date
    day_kind: DayKind = "holiday"
    name_vi: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """Morning and afternoon sessions; the times of day that count as working time."""

    morning: tuple[time, time] = (time(7, 30), time(11, 30))
    afternoon: tuple[time, time] | None = (time(13, 30), time(17, 0))

    def __post_init__(self) -> None:
        previous_end = -1
        for start, end in self.sessions_seconds():
            if not previous_end < start < end <= 86400:
                raise _fail("Giờ làm việc không hợp lệ: các buổi phải tăng dần, không chồng nhau.")
            previous_end = end

    def sessions_seconds(self) -> list[tuple[int, int]]:
        sessions = [self.morning] if self.afternoon is None else [self.morning, self.afternoon]
        return [
            (s.hour * 3600 + s.minute * 60 + s.second, e.hour * 3600 + e.minute * 60 + e.second)
            for s, e in sessions
        ]

    def day_seconds(self) -> int:
        return sum(end - start for start, end in self.sessions_seconds())

    def label_vi(self) -> str:
        parts = [f"{hhmm(s)}–{hhmm(e)}" for s, e in self.sessions_seconds()]
        return "sáng " + parts[0] + (f", chiều {parts[1]}" if len(parts) > 1 else "")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"morning": [f"{t:%H:%M}" for t in self.morning]}
        out["afternoon"] = (
            None if self.afternoon is None else [f"{t:%H:%M}" for t in self.afternoon]
        )
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> OfficeHours:
        morning = tuple(parse_hhmm(x) for x in raw.get("morning", ("07:30", "11:30")))
        after_raw = raw.get("afternoon", ("13:30", "17:00"))
        afternoon = None if after_raw is None else tuple(parse_hhmm(x) for x in after_raw)
        if len(morning) != 2 or (afternoon is not None and len(afternoon) != 2):
            raise _fail("Mỗi buổi làm việc gồm đúng hai mốc giờ: bắt đầu và kết thúc.")
        return cls(
            morning=morning,
            afternoon=afternoon,
        )


@dataclass(frozen=True, slots=True)
class TenantConfig:
    """What one commune-level unit adds to the national calendar."""

    tenant_id: str = ""
    name_vi: str = ""
    office_hours: OfficeHours = field(default_factory=OfficeHours)
    closures: tuple[DayOff, ...] = ()
    extra_working_days: tuple[WorkingDay, ...] = ()
    # Unit conversion for limits counted in hours: 1 working day = 8 working hours
    # (docs/domain.md §4, §5.1). The office sessions decide which clock times are working time.
    hours_per_working_day: float = 8.0

    def __post_init__(self) -> None:
        if not 0 < self.hours_per_working_day <= 24:
            raise _fail("Số giờ làm việc mỗi ngày phải trong (0, 24].")

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "name_vi": self.name_vi,
            "office_hours": self.office_hours.to_dict(),
            "closures": [c.to_dict() for c in self.closures],
            "extra_working_days": [w.to_dict() for w in self.extra_working_days],
            "hours_per_working_day": self.hours_per_working_day,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> TenantConfig:
        try:
            return cls(
                tenant_id=str(raw.get("tenant_id", "")),
                name_vi=raw.get("name_vi", ""),
                office_hours=OfficeHours.from_dict(raw.get("office_hours", {})),
                closures=tuple(
                    DayOff.from_dict(c, default_kind="closure") for c in raw.get("closures", ())
                ),
                extra_working_days=tuple(
                    WorkingDay.from_dict(w) for w in raw.get("extra_working_days", ())
                ),
                hours_per_working_day=float(raw.get("hours_per_working_day", 8.0)),
            )
        except CalendarError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise _fail(f"Cấu hình đơn vị không hợp lệ: {exc!r}") from exc


def load_tenant_config(path: str | Path) -> TenantConfig:
    return TenantConfig.from_dict(json.loads(Path(path).read_text("utf-8")))


class NationalCalendar:
    """The country-wide table of days off and make-up working days."""

    def __init__(
        self,
        days_off: Iterable[DayOff] = (),
        working_days: Iterable[WorkingDay] = (),
        years: Iterable[YearStatus] = (),
        weekend: Iterable[int] = (5, 6),
        source: str = "",
    ) -> None:
        self.days_off: dict[date, DayOff] = {}
        for item in days_off:
            if item.day in self.days_off:
                raise _fail(f"Ngày {date_vi(item.day)} được khai báo nghỉ hai lần.")
            self.days_off[item.day] = item
        self.working_days: dict[date, WorkingDay] = {}
        for extra in working_days:
            if extra.day in self.days_off or extra.day in self.working_days:
                raise _fail(f"Ngày {date_vi(extra.day)} vừa là ngày nghỉ vừa là ngày làm bù.")
            self.working_days[extra.day] = extra
        self.years = {y.year: y for y in years}
        self.weekend = frozenset(weekend)
        self.source = source
        self._tenants: dict[TenantConfig, TenantCalendar] = {}

    def year_status(self, year: int) -> YearStatus | None:
        return self.years.get(year)

    def for_tenant(self, config: TenantConfig | None = None, **overrides: Any) -> TenantCalendar:
        """The effective calendar of one commune (cached per configuration).

        Either pass a TenantConfig, or its fields as keywords, e.g.
        `for_tenant(office_hours=OfficeHours(...), closures=[date(...)])`.
        """
        from .tenant_calendar import TenantCalendar

        if config is None:
            config = _config_from_keywords(overrides)
        elif overrides:
            config = replace(config, **overrides)
        cached = self._tenants.get(config)
        if cached is None:
            cached = self._tenants[config] = TenantCalendar(self, config)
        return cached

    def with_change(self, change: CalendarChanged) -> NationalCalendar:
        """A new calendar with one change applied; this one is left untouched."""
        days_off = dict(self.days_off)
        working = dict(self.working_days)
        if change.kind == "day_off_added":
            working.pop(change.day, None)
            days_off[change.day] = DayOff(
                change.day, change.day_kind, change.name_vi, change.source
            )
        elif change.kind == "day_off_removed":
            days_off.pop(change.day, None)
        elif change.kind == "working_day_added":
            days_off.pop(change.day, None)
            working[change.day] = WorkingDay(change.day, change.name_vi, change.source)
        elif change.kind == "working_day_removed":
            working.pop(change.day, None)
        else:  # pragma: no cover - Literal guards this
            raise _fail(f"Loại thay đổi lịch không hợp lệ: {change.kind}")
        return NationalCalendar(
            days_off.values(), working.values(), self.years.values(), self.weekend, self.source
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": 1,
            "time_zone": "Asia/Ho_Chi_Minh",
            "weekend": sorted(self.weekend),
            "years": {str(y): s.to_dict() for y, s in sorted(self.years.items())},
            "days_off": [d.to_dict() for _, d in sorted(self.days_off.items())],
            "working_days": [w.to_dict() for _, w in sorted(self.working_days.items())],
        }


# The brief's name for the same thing.
WorkingCalendar = NationalCalendar


def _config_from_keywords(values: Mapping[str, Any]) -> TenantConfig:
    closures = tuple(
        c if isinstance(c, DayOff) else DayOff(c, "closure", "Đơn vị nghỉ")
        for c in values.get("closures", ())
    )
    extra = tuple(
        w if isinstance(w, WorkingDay) else WorkingDay(w, "Đơn vị làm việc")
        for w in values.get("extra_working_days", ())
    )
    unknown = set(values) - {
        "tenant_id",
        "name_vi",
        "office_hours",
        "closures",
        "extra_working_days",
        "hours_per_working_day",
    }
    if unknown:
        raise TypeError(f"unknown tenant settings: {sorted(unknown)}")
    rest = {k: v for k, v in values.items() if k not in ("closures", "extra_working_days")}
    return TenantConfig(closures=closures, extra_working_days=extra, **rest)


def parse_calendar(raw: Mapping[str, Any], source: str = "") -> NationalCalendar:
    if raw.get("format") != 1:
        raise _fail('Tệp lịch làm việc phải có "format": 1.')
    if raw.get("time_zone", "Asia/Ho_Chi_Minh") != "Asia/Ho_Chi_Minh":
        raise _fail("Lịch làm việc chỉ hỗ trợ múi giờ Asia/Ho_Chi_Minh.")
    try:
        years = [
            YearStatus(int(y), s["status"], tuple(s.get("sources", ())))
            for y, s in raw.get("years", {}).items()
        ]
        return NationalCalendar(
            days_off=[DayOff.from_dict(d) for d in raw.get("days_off", ())],
            working_days=[WorkingDay.from_dict(w) for w in raw.get("working_days", ())],
            years=years,
            weekend=raw.get("weekend", (5, 6)),
            source=source,
        )
    except CalendarError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(f"Tệp lịch làm việc không hợp lệ: {exc!r}") from exc


def load_calendar(path: str | Path | None = None) -> NationalCalendar:
    """Read the calendar: `path`, else $MOTCUA_CALENDAR_FILE, else the packaged file."""
    if path is None:
        path = os.environ.get(CALENDAR_ENV) or None
    if path is None:
        text = resources.files("motcua_clock").joinpath("data/calendar.json").read_text("utf-8")
        source = "motcua_clock/data/calendar.json"
    else:
        text = Path(path).read_text("utf-8")
        source = str(path)
    return parse_calendar(json.loads(text), source=source)
