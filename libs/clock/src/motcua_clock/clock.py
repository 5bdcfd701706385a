"""A dossier's clock: the facts folded from its events, and the snapshot derived from them.

ClockState keeps facts as moments (never as counted days), so the same state can be
re-derived under a changed calendar. Everything derived goes through one function,
`_derive`, whether the state was built event by event or from the whole history.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NoReturn

from .catalogue import ProcedureVersion, SupplementPolicy, TimeLimit, promised_limit
from .deadline import plan_w, supplement_deadline
from .errors import ClockRuleViolation
from .events import ClockEvent, Pause
from .snapshot import ClockSnapshot, ClockStatus, Threshold, share_kind
from .tenant_calendar import TenantCalendar
from .timeutil import iso, moment_vi, parse_moment, require_aware, to_local


def _violation(code: str, message_vi: str, **details: Any) -> NoReturn:
    raise ClockRuleViolation(code, message_vi, **details)


@dataclass(frozen=True, slots=True)
class _Derived:
    w0: int  # W at the start of the current period
    statutory_w: int
    statutory_due: datetime
    due: datetime
    intervals: tuple[tuple[int, int], ...]  # pauses of the period on the W axis
    period_start: datetime


@dataclass(frozen=True)
class ClockState:
    """Facts about one dossier's clock. Immutable: `apply` returns a new state."""

    procedure: ProcedureVersion = field(repr=False)
    calendar: TenantCalendar = field(repr=False, compare=False)
    received_at: datetime
    channel: str = "counter"
    strict: bool = True  # False when replaying under a changed calendar
    period_start: datetime | None = None  # None: the receipt
    verification_at: datetime | None = None
    pauses: tuple[Pause, ...] = ()
    period_first_pause: int = 0  # pauses before this index belong to an earlier period
    apology_issued_at: datetime | None = None
    apology_new_due_at: datetime | None = None
    apology_late: bool = False
    completed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    last_event_at: datetime | None = None
    events: tuple[ClockEvent, ...] = ()
    # The commune's own shorter promise at receipt (tenant config), fixed for the dossier.
    promised_working_days: float | None = None

    @classmethod
    def start(
        cls,
        received_at: datetime,
        procedure: ProcedureVersion,
        calendar: TenantCalendar,
        *,
        channel: str = "counter",
        verification: bool = False,
        strict: bool = True,
        promised_working_days: float | None = None,
    ) -> ClockState:
        require_aware(received_at, "Thời điểm tiếp nhận")
        if verification and procedure.verification_time_limit is None:
            _no_verification(procedure)
        return cls(
            procedure=procedure,
            calendar=calendar,
            received_at=received_at,
            channel=channel,
            strict=strict,
            verification_at=received_at if verification else None,
            promised_working_days=promised_working_days,
        )

    # --- facts -----------------------------------------------------------------

    @property
    def policy(self) -> SupplementPolicy:
        return self.procedure.supplement_policy_for(self.channel)

    def limit(self) -> TimeLimit:
        """The time allowed: statutory (or verification), or the commune's shorter promise."""
        statutory = self.procedure.limit(self.verification_at is not None)
        if self.verification_at is not None:
            return statutory
        return promised_limit(statutory, self.promised_working_days)

    @property
    def open_pause(self) -> Pause | None:
        if self.pauses and self.pauses[-1].end is None:
            return self.pauses[-1]
        return None

    @property
    def closed_at(self) -> datetime | None:
        return self.completed_at or self.withdrawn_at

    def apply(self, event: ClockEvent) -> ClockState:
        """Fold one event; raises ClockRuleViolation if it breaks a rule."""
        at = event.at
        if at < self.received_at:
            _violation(
                "event_before_receipt",
                f"Sự kiện lúc {moment_vi(at)} xảy ra trước khi tiếp nhận hồ sơ.",
            )
        if self.last_event_at is not None and at < self.last_event_at:
            _violation(
                "events_out_of_order",
                f"Sự kiện lúc {moment_vi(at)} ghi sau sự kiện lúc "
                f"{moment_vi(self.last_event_at)}: phải theo thứ tự thời gian.",
            )
        if self.closed_at is not None:
            _violation("clock_closed", "Hồ sơ đã trả kết quả hoặc đã rút, không ghi thêm sự kiện.")
        changes: dict[str, Any] = {"last_event_at": at, "events": (*self.events, event)}
        open_pause = self.open_pause
        kind = event.kind
        if kind == "paused":
            if open_pause is not None:
                _violation("already_paused", "Hồ sơ đang tạm dừng chờ bổ sung.")
            limit = self.policy.max_supplements
            if len(self.pauses) >= limit:
                _violation(
                    "supplement_limit",
                    f"Chỉ được yêu cầu bổ sung, hoàn thiện hồ sơ tối đa {limit} lần.",
                )
            changes["pauses"] = (*self.pauses, Pause(at))
        elif kind == "resumed":
            if open_pause is None:
                _violation("not_paused", "Hồ sơ không ở trạng thái chờ bổ sung.")
            restart = self.policy.mode == "restart"
            pauses = (*self.pauses[:-1], Pause(open_pause.start, at, restarted=restart))
            changes["pauses"] = pauses
            if restart:
                changes["period_start"] = at
                changes["period_first_pause"] = len(pauses)
        elif kind == "verification_extended":
            if self.procedure.verification_time_limit is None:
                _no_verification(self.procedure)
            if self.verification_at is not None:
                _violation("verification_twice", "Thời hạn xác minh đã được áp dụng.")
            due = self._derive(at).due
            if self.strict and at > due:
                _violation(
                    "verification_after_due",
                    "Không thể kéo dài thời hạn để xác minh sau khi đã quá hạn "
                    f"({moment_vi(due)}).",
                )
            changes["verification_at"] = at
        elif kind == "apology":
            if event.new_due_at is None:
                _violation("apology_missing_date", "Phiếu xin lỗi phải ghi ngày hẹn trả mới.")
            if self.apology_issued_at is not None:
                _violation("apology_twice", "Chỉ được hẹn lại ngày trả kết quả một lần.")
            derived = self._derive(at)
            new_due = self.calendar.due_on(event.new_due_at)
            if self.strict and new_due <= derived.due:
                _violation(
                    "apology_not_later",
                    f"Ngày hẹn mới ({moment_vi(new_due)}) phải sau ngày hẹn hiện tại "
                    f"({moment_vi(derived.due)}).",
                )
            changes["apology_issued_at"] = at
            changes["apology_new_due_at"] = event.new_due_at
            changes["apology_late"] = at > self._apology_threshold(derived)
        elif kind in ("completed", "withdrawn"):
            if open_pause is not None:
                changes["pauses"] = (*self.pauses[:-1], Pause(open_pause.start, at))
            changes["completed_at" if kind == "completed" else "withdrawn_at"] = at
        else:
            _violation("unknown_event", f"Loại sự kiện không hợp lệ: {kind}")
        return replace(self, **changes)

    def apply_all(self, events: Iterable[ClockEvent]) -> ClockState:
        state = self
        for event in events:
            state = state.apply(event)
        return state

    def with_calendar(self, calendar: TenantCalendar) -> ClockState:
        """The same history re-derived under a changed calendar (dates are not re-judged)."""
        from_receipt = self.verification_at is not None and not any(
            e.kind == "verification_extended" for e in self.events
        )
        fresh = ClockState.start(
            self.received_at,
            self.procedure,
            calendar,
            channel=self.channel,
            verification=from_receipt,
            strict=False,
            promised_working_days=self.promised_working_days,
        )
        return replace(fresh.apply_all(self.events), strict=self.strict)

    # --- derivation ------------------------------------------------------------

    def _derive(self, as_of: datetime) -> _Derived:
        cal = self.calendar
        proc = self.procedure
        limit = self.limit()
        start = self.period_start or self.received_at
        pauses = self.pauses[self.period_first_pause :]
        open_pause = self.open_pause
        if open_pause is not None and self.policy.mode == "restart":
            # Provisional: as if the supplement arrived now and the period restarted.
            start = max(as_of, open_pause.start)
            pauses = ()
        w0, w = plan_w(cal, proc, limit, start)
        intervals = []
        for pause in pauses:
            end = pause.end
            if end is None:
                end = as_of if as_of > pause.start else pause.start
            wp = cal.w_at(pause.start)
            wq = cal.w_at(end)
            if wq > wp:
                intervals.append((wp, wq))
                if wp < w:  # a pause that starts after the due does not extend it
                    w += wq - wp
        statutory_due = cal.moment_at(w)
        due = statutory_due
        if self.apology_new_due_at is not None:
            promised = cal.due_on(self.apology_new_due_at)
            if promised > due:
                due = promised
        return _Derived(w0, w, statutory_due, due, tuple(intervals), start)

    def _apology_threshold(self, derived: _Derived, start: datetime | None = None) -> datetime:
        """At the latest N (default 1) working days before the statutory due.

        A period shorter than the lead (same-day procedures received in the morning) leaves
        no moment N days before the due: the notice is then due before the due itself, so
        an apology sent during the day of receipt is on time, not late by construction.
        """
        cal = self.calendar
        target = derived.statutory_w - self.procedure.apology_lead_working_days * cal.day_seconds
        if start is None:
            start = cal.counting_start(derived.period_start)
        if target <= derived.w0:
            return max(derived.statutory_due, start)
        return max(cal.moment_at(target), start)

    def snapshot(self, now: datetime | None = None) -> ClockSnapshot:
        """Everything derived, as of `now` (default: the last event, else the receipt)."""
        last = self.last_event_at or self.received_at
        if now is None:
            as_of = last
        else:
            require_aware(now, "Thời điểm hiện tại")
            if now < last:
                _violation(
                    "now_before_last_event",
                    f"Thời điểm tính ({moment_vi(now)}) trước sự kiện cuối cùng "
                    f"({moment_vi(last)}).",
                )
            as_of = now
        cal = self.calendar
        proc = self.procedure
        closed_at = self.closed_at
        cut = as_of if closed_at is None or as_of < closed_at else closed_at
        d = self._derive(cut)
        intervals = d.intervals
        due_w = cal.w_at(d.due)

        def paused_before(x: int) -> int:
            total = 0
            for wp, wq in intervals:
                if wp >= x:
                    break
                total += (wq if wq < x else x) - wp
            return total

        allowed = due_w - d.w0 - paused_before(due_w)
        counting_start = cal.counting_start(d.period_start)
        elapsed = 0
        if cut > d.period_start:
            w_cut = cal.w_at(cut)
            elapsed = max(0, w_cut - d.w0 - paused_before(w_cut))
        thresholds = []
        for share in proc.thresholds:
            w = d.w0 + math.ceil(share * allowed)
            for wp, wq in intervals:
                if wp < w:
                    w += wq - wp
            thresholds.append(Threshold(share_kind(share), max(cal.moment_at(w), counting_start)))
        thresholds.append(Threshold("apology_due", self._apology_threshold(d, counting_start)))
        thresholds.append(Threshold("due", d.due))
        thresholds.sort(key=lambda t: t.at)

        open_pause = self.open_pause if closed_at is None else None
        supplement_at = None
        close_after = self.policy.close_after_working_days
        if open_pause is not None and close_after:
            supplement_at = supplement_deadline(cal, open_pause.start, close_after)
        status = _status(self, d.due, as_of, open_pause is not None, supplement_at)
        return ClockSnapshot(
            procedure_code=proc.code,
            procedure_version=proc.version,
            received_at=self.received_at,
            counting_started_at=counting_start,
            due_at=d.due,
            original_due_at=d.statutory_due,
            thresholds=tuple(thresholds),
            state=status,
            paused_intervals=self.pauses,
            elapsed_working_seconds=elapsed,
            allowed_working_seconds=allowed,
            elapsed_calendar_seconds=max(0, int((cut - self.received_at).total_seconds())),
            consumed_share=elapsed / allowed if allowed > 0 else 1.0,
            rescheduled=d.due != d.statutory_due,
            apology_late=self.apology_late,
            verification=self.verification_at is not None,
            time_limit=self.limit(),
            restarted=self.period_start is not None,
            provisional=open_pause is not None,
            supplement_deadline_at=supplement_at,
            completed_at=self.completed_at,
            as_of=as_of,
            calendar_warnings=cal.year_warnings(
                to_local(self.received_at).year, to_local(d.due).year
            ),
            clock=self,
        )

    # --- persistence -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The facts, for a service to store between events (moments in ISO 8601)."""

        def opt(moment: datetime | None) -> str | None:
            return iso(moment) if moment is not None else None

        return {
            "procedure_code": self.procedure.code,
            "procedure_version": self.procedure.version,
            "received_at": iso(self.received_at),
            "channel": self.channel,
            "strict": self.strict,
            "period_start": opt(self.period_start),
            "verification_at": opt(self.verification_at),
            "pauses": [p.to_dict() for p in self.pauses],
            "period_first_pause": self.period_first_pause,
            "apology_issued_at": opt(self.apology_issued_at),
            "apology_new_due_at": opt(self.apology_new_due_at),
            "apology_late": self.apology_late,
            "completed_at": opt(self.completed_at),
            "withdrawn_at": opt(self.withdrawn_at),
            "last_event_at": opt(self.last_event_at),
            "events": [e.to_dict() for e in self.events],
            "promised_working_days": self.promised_working_days,
        }

    @classmethod
    def from_dict(
        cls, raw: Mapping[str, Any], procedure: ProcedureVersion, calendar: TenantCalendar
    ) -> ClockState:
        if (raw["procedure_code"], raw["procedure_version"]) != (procedure.code, procedure.version):
            raise ValueError("stored clock belongs to another procedure version")

        def opt(key: str) -> datetime | None:
            value = raw.get(key)
            return parse_moment(value) if value else None

        return cls(
            procedure=procedure,
            calendar=calendar,
            received_at=parse_moment(raw["received_at"]),
            channel=raw.get("channel", "counter"),
            strict=raw.get("strict", True),
            period_start=opt("period_start"),
            verification_at=opt("verification_at"),
            pauses=tuple(Pause.from_dict(p) for p in raw.get("pauses", ())),
            period_first_pause=int(raw.get("period_first_pause", 0)),
            apology_issued_at=opt("apology_issued_at"),
            apology_new_due_at=opt("apology_new_due_at"),
            apology_late=bool(raw.get("apology_late", False)),
            completed_at=opt("completed_at"),
            withdrawn_at=opt("withdrawn_at"),
            last_event_at=opt("last_event_at"),
            events=tuple(ClockEvent.from_dict(e) for e in raw.get("events", ())),
            promised_working_days=raw.get("promised_working_days"),
        )


def _no_verification(procedure: ProcedureVersion) -> NoReturn:
    _violation(
        "no_verification_limit",
        f"Thủ tục {procedure.code} không có thời hạn kéo dài để xác minh.",
    )


def _status(
    state: ClockState,
    due: datetime,
    as_of: datetime,
    paused: bool,
    supplement_at: datetime | None,
) -> ClockStatus:
    if state.withdrawn_at is not None:
        return "withdrawn"
    done = state.completed_at
    if done is not None:
        if done > due:
            return "done_late"
        # Early means on a day before the due day (trước hạn), not minutes before.
        return "done_early" if to_local(done).date() < to_local(due).date() else "done_on_time"
    if paused:
        if supplement_at is not None and as_of > supplement_at:
            return "supplement_expired"
        return "paused"
    return "breached" if as_of > due else "running"


def compute_clock(
    received_at: datetime,
    procedure: ProcedureVersion,
    calendar: TenantCalendar,
    history: Sequence[ClockEvent] = (),
    now: datetime | None = None,
    verification: bool = False,
    *,
    channel: str = "counter",
    strict: bool = True,
    promised_working_days: float | None = None,
) -> ClockSnapshot:
    """The clock of one dossier from its whole history, as of `now`."""
    state = ClockState.start(
        received_at,
        procedure,
        calendar,
        channel=channel,
        verification=verification,
        strict=strict,
        promised_working_days=promised_working_days,
    )
    return state.apply_all(history).snapshot(now)
