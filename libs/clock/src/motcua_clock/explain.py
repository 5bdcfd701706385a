"""Vietnamese explanation of a computed clock: which days counted and why others did not."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from .timeutil import date_vi, duration_vi, hhmm, iso, moment_vi, to_local

if TYPE_CHECKING:
    from .clock import ClockState
    from .snapshot import ClockSnapshot
    from .tenant_calendar import TenantCalendar

STATE_VI = {
    "running": "đang giải quyết, trong hạn",
    "paused": "tạm dừng chờ bổ sung hồ sơ",
    "supplement_expired": "quá thời hạn chờ bổ sung, cần kết thúc hồ sơ",
    "breached": "đã quá hạn, chưa có kết quả",
    "done_early": "đã có kết quả trước hạn",
    "done_on_time": "đã có kết quả đúng hạn",
    "done_late": "đã có kết quả nhưng trễ hạn",
    "withdrawn": "công dân đã rút hồ sơ",
}

MAX_DAY_LINES = 62  # beyond two months the day list is summarised


def explain_lines(snapshot: ClockSnapshot, state: ClockState) -> list[str]:
    proc = state.procedure
    cal = state.calendar
    lines = [
        f"Thủ tục {proc.code} – {proc.name_vi} (phiên bản {proc.version}, "
        f"hiệu lực từ {proc.effective_from:%d/%m/%Y}).",
        f"Thời hạn giải quyết: {snapshot.time_limit.label_vi()}"
        + (" (đã áp dụng thời hạn có xác minh)." if snapshot.verification else "."),
        _rule_line(snapshot, state),
        f"Giờ làm việc của đơn vị: {cal.config.office_hours.label_vi()}.",
        _receipt_line(snapshot, state),
    ]
    for pause in snapshot.paused_intervals:
        if pause.end is None:
            lines.append(f"Tạm dừng chờ bổ sung hồ sơ từ {moment_vi(pause.start)}, chưa nhận đủ.")
            continue
        lost = cal.w_at(pause.end) - cal.w_at(pause.start)
        text = (
            f"Tạm dừng chờ bổ sung hồ sơ từ {moment_vi(pause.start)} đến {moment_vi(pause.end)}"
            f": không tính {duration_vi(lost)} làm việc"
        )
        if pause.restarted:
            text += "; nhận đủ hồ sơ thì thời hạn tính lại từ đầu"
        lines.append(text + ".")
    if snapshot.restarted:
        lines.append(
            f"Thời hạn hiện tại bắt đầu tính từ {moment_vi(snapshot.counting_started_at)}."
        )
    lines.append("Các ngày từ khi bắt đầu tính đến hạn:")
    lines.extend(_day_lines(snapshot, state))
    if state.apology_issued_at is not None and state.apology_new_due_at is not None:
        text = (
            f"Phiếu xin lỗi lập lúc {moment_vi(state.apology_issued_at)}, hẹn lại "
            f"{moment_vi(cal.due_on(state.apology_new_due_at))}"
        )
        if snapshot.apology_late:
            text += " – gửi muộn: chậm nhất phải trước hạn 1 ngày làm việc"
        lines.append(text + ".")
    if snapshot.rescheduled:
        lines.append(
            f"Hạn theo quy định (trước khi hẹn lại): {moment_vi(snapshot.original_due_at)}."
        )
    lines.append(f"Hạn trả kết quả: {moment_vi(snapshot.due_at)} ({iso(snapshot.due_at)}).")
    for threshold in snapshot.thresholds:
        lines.append(
            f"Mốc {threshold.label_vi()}: {moment_vi(threshold.at)} ({iso(threshold.at)})."
        )
    lines.append(
        f"Trạng thái lúc {moment_vi(snapshot.as_of)}: {STATE_VI[snapshot.state]}; đã dùng "
        f"{snapshot.consumed_share:.0%} thời gian ({duration_vi(snapshot.elapsed_working_seconds)}"
        f" trên {duration_vi(snapshot.allowed_working_seconds)} làm việc)."
    )
    days, rest = divmod(snapshot.elapsed_calendar_seconds, 86400)
    lines.append(
        f"Thời gian thực đã qua kể từ khi tiếp nhận: {days} ngày {duration_vi(rest)} "
        f"(trong đó {duration_vi(snapshot.elapsed_working_seconds)} làm việc được tính)."
    )
    if snapshot.supplement_deadline_at is not None:
        lines.append(
            f"Hạn công dân nộp bổ sung: {moment_vi(snapshot.supplement_deadline_at)}; "
            "quá hạn này hồ sơ bị kết thúc."
        )
    lines.extend(f"Lưu ý: {w}" for w in snapshot.calendar_warnings)
    return lines


def _rule_line(snapshot: ClockSnapshot, state: ClockState) -> str:
    proc = state.procedure
    unit = snapshot.time_limit.unit
    if unit == "same_day":
        return (
            f"Cách tính: tiếp nhận trước {hhmm(proc.cutoff_seconds)} thì trả trong ngày, "
            "sau đó thì trả vào cuối ngày làm việc tiếp theo."
        )
    if unit == "working_hours":
        return (
            "Cách tính: cộng số giờ làm việc từ thời điểm tiếp nhận, chỉ tính trong giờ hành chính."
        )
    if proc.count_mode == "working_hours":
        hours = state.calendar.unit_day_seconds / 3600
        return (
            f"Cách tính: theo giờ làm việc từ thời điểm tiếp nhận, 1 ngày làm việc = "
            f"{hours:g} giờ, chỉ tính trong giờ hành chính."
        )
    return (
        "Cách tính: thời hạn bắt đầu từ ngày làm việc tiếp theo ngày tiếp nhận và kết thúc "
        "vào cuối giờ làm việc của ngày làm việc cuối cùng (Bộ luật Dân sự 2015, Điều 147–148)."
    )


def _receipt_line(snapshot: ClockSnapshot, state: ClockState) -> str:
    cal = state.calendar
    received = to_local(snapshot.received_at)
    text = f"Tiếp nhận lúc {moment_vi(received)}"
    if not cal.is_office_time(received):
        start = cal.counting_start(received)
        text += f" (ngoài giờ làm việc: coi như tiếp nhận lúc {moment_vi(start)})"
    if snapshot.time_limit.unit == "same_day" and not snapshot.restarted:
        cutoff = state.procedure.cutoff_seconds
        sod = received.hour * 3600 + received.minute * 60
        if cal.is_working_day(received.date()) and sod < min(cutoff, cal.last_end):
            text += f": trước {hhmm(cutoff)} nên hạn là cuối ngày làm việc này"
        elif cal.is_working_day(received.date()):
            text += f": từ {hhmm(cutoff)} trở đi nên hạn là cuối ngày làm việc tiếp theo"
        else:
            text += ": vào ngày nghỉ nên hạn là cuối ngày làm việc tiếp theo"
    return text + "."


def _day_lines(snapshot: ClockSnapshot, state: ClockState) -> list[str]:
    cal = state.calendar
    due = to_local(snapshot.due_at)
    # Day numbers are only meaningful for whole-day counting without pauses or new dates.
    numbered = (
        snapshot.time_limit.unit == "working_days"
        and state.procedure.count_mode == "end_of_day"
        and not snapshot.rescheduled
        and all(
            p.end is None or cal.w_at(p.end) == cal.w_at(p.start) for p in snapshot.paused_intervals
        )
    )
    first_day = to_local(state.period_start or snapshot.received_at).date()
    deemed = _deemed_receipt_day(state)
    lines: list[str] = []
    day = first_day
    number = 0
    total_days = (due.date() - first_day).days + 1
    for offset in range(total_days):
        day = first_day + timedelta(days=offset)
        if offset >= MAX_DAY_LINES and day != due.date():
            if offset == MAX_DAY_LINES:
                lines.append("  … (lược bớt các ngày ở giữa)")
            continue
        if not cal.is_working_day(day):
            lines.append(f"  {date_vi(day)}: không tính – {cal.reason_off_vi(day)}")
            continue
        counted, paused = _counted_seconds(snapshot, state, day)
        if numbered:
            if day < deemed:
                lines.append(f"  {date_vi(day)}: tiếp nhận sau giờ làm việc, không tính")
                continue
            if day == deemed:
                lines.append(
                    f"  {date_vi(day)}: ngày tiếp nhận, không tính vào số ngày của thời hạn"
                )
                continue
            number += 1
            lines.append(f"  {date_vi(day)}: ngày làm việc thứ {number}{_extra_note(cal, day)}")
            continue
        text = f"  {date_vi(day)}: tính {duration_vi(counted)}"
        if paused:
            text += f", tạm dừng chờ bổ sung {duration_vi(paused)}"
        lines.append(text + _extra_note(cal, day))
    return lines


def _deemed_receipt_day(state: ClockState) -> date:
    """The working day a receipt counts on: after closing or on a day off, the next one."""
    cal = state.calendar
    received = to_local(state.period_start or state.received_at)
    sod = received.hour * 3600 + received.minute * 60 + received.second
    if cal.is_working_day(received.date()) and sod < cal.last_end:
        return received.date()
    return cal.next_working_day(received.date())


def _extra_note(cal: TenantCalendar, day: date) -> str:
    extra = cal.extra_working_day(day)
    return f" ({extra.name_vi})" if extra is not None else ""


def _counted_seconds(snapshot: ClockSnapshot, state: ClockState, day: date) -> tuple[int, int]:
    """(Working seconds of `day` inside [counting start, due] less pauses, paused seconds)."""
    cal = state.calendar
    day_start = cal.w_at(cal.session_start(day))
    day_end = cal.w_at(cal.end_of_day(day))
    low = max(day_start, cal.w_at(snapshot.counting_started_at))
    high = min(day_end, cal.w_at(snapshot.due_at))
    counted = max(0, high - low)
    paused = 0
    for pause in snapshot.paused_intervals:
        if pause.end is None:
            continue
        p_low = max(low, cal.w_at(pause.start))
        p_high = min(high, cal.w_at(pause.end))
        paused += max(0, p_high - p_low)
    return max(0, counted - paused), paused
