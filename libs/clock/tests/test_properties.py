"""Property-based tests: random procedures, calendars and histories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import event as note_event
from hypothesis import strategies as st
from motcua_clock import (
    CalendarChanged,
    ClockEvent,
    ClockRuleViolation,
    ClockState,
    DayOff,
    NationalCalendar,
    OfficeHours,
    ProcedureVersion,
    SupplementPolicy,
    TenantCalendar,
    TenantConfig,
    TimeLimit,
    WorkingDay,
    YearStatus,
    compute_clock,
    compute_due,
)
from motcua_clock.timeutil import VN_TZ

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WINDOW_START = date(2025, 1, 1)
WINDOW_DAYS = 730
RECEIPT_EPOCH = datetime(2025, 1, 1, tzinfo=VN_TZ)


# --- strategies ---------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarSpec:
    days_off: frozenset[date]
    extra: frozenset[date]
    sessions: tuple[tuple[int, int], ...]

    def is_working(self, day: date) -> bool:
        if day in self.extra:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def build(self) -> TenantCalendar:
        national = NationalCalendar(
            days_off=[DayOff(d, "holiday", "Ngày nghỉ thử") for d in self.days_off],
            working_days=[WorkingDay(d, "Làm bù thử") for d in self.extra],
            years=[YearStatus(y, "announced") for y in range(2000, 2061)],
        )
        (ms, me), *rest = self.sessions
        afternoon = (_t(rest[0][0]), _t(rest[0][1])) if rest else None
        return national.for_tenant(
            TenantConfig(office_hours=OfficeHours((_t(ms), _t(me)), afternoon))
        )


def _t(seconds: int) -> time:
    return time(seconds // 3600, seconds % 3600 // 60)


@st.composite
def calendars(draw: st.DrawFn) -> CalendarSpec:
    day = st.integers(0, WINDOW_DAYS).map(lambda i: WINDOW_START + timedelta(days=i))
    days_off = draw(st.frozensets(day, max_size=40))
    saturdays = draw(
        st.frozensets(day.map(lambda d: d + timedelta(days=(5 - d.weekday()) % 7)), max_size=6)
    )
    quarter = 900
    m_start = draw(st.integers(24, 34)) * quarter  # 06:00-08:30
    m_end = draw(st.integers(42, 48)) * quarter  # 10:30-12:00
    a_start = draw(st.integers(50, 56)) * quarter  # 12:30-14:00
    a_end = draw(st.integers(64, 72)) * quarter  # 16:00-18:00
    sessions: tuple[tuple[int, int], ...] = ((m_start, m_end), (a_start, a_end))
    if draw(st.integers(0, 9)) == 0:
        sessions = ((m_start, m_end),)  # a morning-only desk
    return CalendarSpec(days_off - saturdays, saturdays, sessions)


@st.composite
def limits(draw: st.DrawFn) -> TimeLimit:
    unit = draw(st.sampled_from(["same_day", "working_days", "working_days", "working_hours"]))
    if unit == "same_day":
        return TimeLimit(0, "same_day")
    if unit == "working_days":
        return TimeLimit(draw(st.integers(1, 12)), "working_days")
    return TimeLimit(draw(st.integers(1, 60)), "working_hours")


@st.composite
def procedures(draw: st.DrawFn) -> ProcedureVersion:
    limit = draw(limits())
    vlimit = None
    if draw(st.booleans()):
        extra = draw(st.integers(1, 10))
        vlimit = TimeLimit(max(limit.amount, 1) + extra, "working_days")
    close = draw(st.one_of(st.none(), st.integers(1, 20)))
    return ProcedureVersion(
        code="9.999999",
        version="t",
        effective_from=date(2000, 1, 1),
        effective_to=None,
        name_vi="Thủ tục thử",
        field_vi="Thử nghiệm",
        field_code="thu",
        time_limit=limit,
        verification_time_limit=vlimit,
        supplement_policy=SupplementPolicy(
            mode=draw(st.sampled_from(["pause_resume", "restart"])),
            max_supplements=draw(st.integers(1, 2)),
            close_after_working_days=close,
        ),
        thresholds=tuple(
            sorted(draw(st.sets(st.sampled_from([0.25, 0.5, 0.75, 0.9]), max_size=3)))
        ),
        apology_lead_working_days=draw(st.integers(0, 2)),
        count_mode=draw(st.sampled_from(["end_of_day", "working_hours"])),
        same_day_cutoff=time(draw(st.integers(11, 16)), draw(st.sampled_from([0, 30]))),
    )


receipts = st.integers(0, (WINDOW_DAYS - 60) * 24 * 60).map(
    lambda minutes: RECEIPT_EPOCH + timedelta(minutes=minutes)
)
gaps = st.one_of(st.integers(0, 600), st.integers(0, 60 * 24 * 8))
KINDS = ["paused", "resumed"] * 3 + ["verification_extended"] + ["apology"] * 2


@st.composite
def actions(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    """Random middle events, then at most one closing event (which ends the history)."""
    middle = draw(
        st.lists(st.tuples(st.sampled_from(KINDS), gaps, st.integers(1, 6)), min_size=1, max_size=8)
    )
    closing = draw(st.sampled_from([None, None, "completed", "completed", "withdrawn"]))
    if closing:
        middle.append((closing, draw(gaps), 1))
    return middle


def build_history(
    received: datetime,
    proc: ProcedureVersion,
    cal: TenantCalendar,
    steps: list[tuple[str, int, int]],
    skip: frozenset[str] = frozenset(),
    verification: bool = False,
) -> list[ClockEvent]:
    """Turn random steps into a valid history, dropping the events the rules refuse."""
    state = ClockState.start(received, proc, cal, verification=verification)
    events: list[ClockEvent] = []
    moment = received
    for kind, gap, days in steps:
        if kind in skip:
            continue
        moment = moment + timedelta(minutes=gap)
        if kind == "apology":
            due = state.snapshot(max(moment, state.last_event_at or received)).due_at
            event = ClockEvent.apology(moment, due + timedelta(days=days))
        else:
            event = ClockEvent(kind, moment)  # type: ignore[arg-type]
        try:
            state = state.apply(event)
        except ClockRuleViolation:
            continue
        events.append(event)
    return events


def assert_valid_due(spec: CalendarSpec, received: datetime, due: datetime) -> None:
    local = due.astimezone(VN_TZ)
    assert due > received
    assert local.utcoffset() == timedelta(hours=7)
    assert spec.is_working(local.date()), local
    sod = local.hour * 3600 + local.minute * 60 + local.second
    assert any(start <= sod <= end for start, end in spec.sessions), local


# --- an independent, naive oracle ---------------------------------------------------------


def naive_due(
    spec: CalendarSpec, proc: ProcedureVersion, received: datetime, unit_day: int
) -> datetime:
    """Day-by-day and session-by-session walk; slow but obviously right."""
    local = received.astimezone(VN_TZ)
    day = local.date()
    sod = local.hour * 3600 + local.minute * 60 + local.second
    last_end = spec.sessions[-1][1]
    limit = proc.time_limit

    def next_working(d: date) -> date:
        d += timedelta(days=1)
        while not spec.is_working(d):
            d += timedelta(days=1)
        return d

    def close_of(d: date) -> datetime:
        return datetime.combine(d, time(0), VN_TZ) + timedelta(seconds=last_end)

    if limit.unit == "same_day":
        cutoff = min(proc.cutoff_seconds, last_end)
        return close_of(day if spec.is_working(day) and sod < cutoff else next_working(day))
    if limit.unit == "working_days" and proc.count_mode == "end_of_day":
        current = day if spec.is_working(day) and sod < last_end else next_working(day)
        for _ in range(limit.amount):
            current = next_working(current)
        return close_of(current)
    remaining = limit.amount * (3600 if limit.unit == "working_hours" else unit_day)
    clock = sod
    while True:
        if spec.is_working(day):
            for start, end in spec.sessions:
                low = max(start, clock)
                if low < end:
                    if remaining <= end - low:
                        return datetime.combine(day, time(0), VN_TZ) + timedelta(
                            seconds=low + remaining
                        )
                    remaining -= end - low
        day += timedelta(days=1)
        clock = 0


# --- properties ---------------------------------------------------------------------------


@SETTINGS
@given(calendars(), procedures(), receipts)
def test_plain_due_equals_naive_oracle(
    spec: CalendarSpec, proc: ProcedureVersion, received: datetime
) -> None:
    cal = spec.build()
    due = compute_due(received, proc, cal)
    assert due == naive_due(spec, proc, received, cal.unit_day_seconds)
    assert_valid_due(spec, received, due)


@SETTINGS
@given(calendars(), procedures(), receipts, actions(), st.integers(0, 60 * 24 * 30))
def test_due_after_receipt_and_inside_office_hours(
    spec: CalendarSpec, proc: ProcedureVersion, received: datetime, steps: list, later: int
) -> None:
    cal = spec.build()
    history = build_history(received, proc, cal, steps)
    last = history[-1].at if history else received
    snapshot = compute_clock(received, proc, cal, history, now=last + timedelta(minutes=later))
    assert_valid_due(spec, received, snapshot.due_at)
    assert_valid_due(spec, received, snapshot.original_due_at)
    assert snapshot.due_at >= snapshot.original_due_at
    assert all(t.at >= received for t in snapshot.thresholds)
    assert [t.at for t in snapshot.thresholds] == sorted(t.at for t in snapshot.thresholds)
    assert snapshot.threshold("due") == snapshot.due_at
    assert snapshot.elapsed_working_seconds >= 0
    assert snapshot.allowed_working_seconds > 0


@SETTINGS
@given(
    calendars(),
    procedures(),
    receipts,
    actions(),
    st.integers(0, 60 * 24 * 20),
    st.integers(0, 60 * 24 * 10),
)
def test_a_pause_never_makes_a_deadline_earlier(
    spec: CalendarSpec,
    proc: ProcedureVersion,
    received: datetime,
    steps: list,
    pause_offset: int,
    pause_length: int,
) -> None:
    cal = spec.build()
    base = build_history(received, proc, cal, steps, skip=frozenset({"paused", "resumed"}))
    closing = [e.at for e in base if e.kind in ("completed", "withdrawn")]
    start = received + timedelta(minutes=pause_offset)
    assume(not closing or start < closing[0])
    end = start + timedelta(minutes=pause_length)
    if closing and end > closing[0]:
        end = closing[0]
    paused = [ClockEvent.paused(start), ClockEvent.resumed(end)]
    # Pause events go after base events at equal moments only when the base event
    # is not a closing one (guaranteed above).
    with_pause = sorted(base + paused, key=lambda e: (e.at, e.kind not in ("paused", "resumed")))
    now = max([e.at for e in with_pause] + [received]) + timedelta(days=1)
    before = compute_clock(received, proc, cal, base, now=now, strict=False)
    after = compute_clock(received, proc, cal, with_pause, now=now, strict=False)
    assert after.due_at >= before.due_at
    assert after.original_due_at >= before.original_due_at


@SETTINGS
@given(
    calendars(),
    procedures(),
    receipts,
    actions(),
    st.integers(-5, 90),
    st.integers(0, 60 * 24 * 30),
)
def test_adding_a_holiday_never_makes_a_deadline_earlier(
    spec: CalendarSpec,
    proc: ProcedureVersion,
    received: datetime,
    steps: list,
    holiday_offset: int,
    later: int,
) -> None:
    cal = spec.build()
    history = build_history(received, proc, cal, steps)
    holiday = received.date() + timedelta(days=holiday_offset)
    changed = cal.national.with_change(
        CalendarChanged("day_off_added", holiday, name_vi="Nghỉ thêm")
    )
    cal2 = changed.for_tenant(cal.config)
    last = history[-1].at if history else received
    now = last + timedelta(minutes=later)
    before = compute_clock(received, proc, cal, history, now=now, strict=False)
    after = compute_clock(received, proc, cal2, history, now=now, strict=False)
    assert after.due_at >= before.due_at
    assert after.original_due_at >= before.original_due_at
    spec2 = CalendarSpec(spec.days_off | {holiday}, spec.extra - {holiday}, spec.sessions)
    assert_valid_due(spec2, received, after.due_at)


@SETTINGS
@given(calendars(), procedures(), receipts, actions(), st.booleans(), st.integers(0, 60 * 24 * 30))
def test_event_by_event_equals_whole_history(
    spec: CalendarSpec,
    proc: ProcedureVersion,
    received: datetime,
    steps: list,
    verification: bool,
    later: int,
) -> None:
    cal = spec.build()
    verification = verification and proc.verification_time_limit is not None
    history = build_history(received, proc, cal, steps, verification=verification)
    for kind in sorted({e.kind for e in history}):
        note_event(f"history has {kind}")
    note_event(f"{len(history)} events")
    last = history[-1].at if history else received
    now = last + timedelta(minutes=later)
    whole = compute_clock(received, proc, cal, history, now=now, verification=verification)

    # A service stores the state between events and reloads it for the next one.
    state = ClockState.start(received, proc, cal, verification=verification)
    for event in history:
        state = ClockState.from_dict(state.to_dict(), proc, cal)
        state = state.apply(event)
        assert_valid_due(spec, received, state.snapshot(event.at).due_at)
    folded = ClockState.from_dict(state.to_dict(), proc, cal).snapshot(now)
    assert folded.to_dict() == whole.to_dict()
    assert folded.explain() == whole.explain()


@SETTINGS
@given(calendars(), st.integers(0, 600 * 8 * 3600))
def test_working_time_axis_round_trips(spec: CalendarSpec, offset: int) -> None:
    cal = spec.build()
    w = cal.w_at(RECEIPT_EPOCH) + offset
    moment = cal.moment_at(w)
    assert cal.w_at(moment) == w
    assert cal.is_office_time(moment)
    # Earliest: one second before, less working time has elapsed.
    assert cal.w_at(moment - timedelta(seconds=1)) == w - 1


@SETTINGS
@given(calendars(), procedures(), receipts)
def test_share_reaches_one_exactly_at_due(
    spec: CalendarSpec, proc: ProcedureVersion, received: datetime
) -> None:
    cal = spec.build()
    at_due = compute_clock(received, proc, cal, now=compute_due(received, proc, cal))
    assert at_due.consumed_share == 1.0
    assert at_due.state == "running"
    after = compute_clock(received, proc, cal, now=at_due.due_at + timedelta(seconds=1))
    assert after.state == "breached"
