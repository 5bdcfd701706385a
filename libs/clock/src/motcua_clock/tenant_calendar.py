"""The effective calendar of one commune, as precomputed arrays.

Working time is measured on one axis, W: the number of working seconds (seconds
inside an office session on a working day) since 1 Jan 2000. Adding N working
days or hours is then arithmetic on W plus two array look-ups, not a loop.
"""

from __future__ import annotations

from array import array
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from .errors import CalendarRangeError
from .timeutil import VN_TZ, date_vi, require_aware

if TYPE_CHECKING:
    from .working_calendar import DayOff, NationalCalendar, TenantConfig, WorkingDay

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2060, 12, 31)
_EPOCH = datetime(2000, 1, 1, tzinfo=VN_TZ)
_EPOCH_TS = int(_EPOCH.timestamp())
_FIRST_ORDINAL = FIRST_DAY.toordinal()
_DAYS = LAST_DAY.toordinal() - _FIRST_ORDINAL + 1


def _out_of_range(what: object) -> CalendarRangeError:
    return CalendarRangeError(
        "calendar_out_of_range",
        f"{what} nằm ngoài phạm vi lịch làm việc ({FIRST_DAY:%d/%m/%Y}–{LAST_DAY:%d/%m/%Y}).",
    )


class TenantCalendar:
    """National days off + tenant closures and extra days + office sessions."""

    __slots__ = (
        "_cum",
        "_ends",
        "_sessions",
        "_warnings",
        "_wdays",
        "_working",
        "config",
        "day_seconds",
        "first_start",
        "last_end",
        "national",
        "unit_day_seconds",
    )

    def __init__(self, national: NationalCalendar, config: TenantConfig) -> None:
        if VN_TZ.utcoffset(datetime(2000, 1, 1)) != timedelta(hours=7):  # pragma: no cover
            raise RuntimeError("tzdata: Asia/Ho_Chi_Minh is expected at +07:00")
        self.national = national
        self.config = config
        sessions = config.office_hours.sessions_seconds()
        before = 0
        table = []
        for start, end in sessions:
            table.append((start, end, before))
            before += end - start
        self._sessions = tuple(table)
        # For inverting W -> time of day: (start - W before it, W at its end) per session.
        self._ends = tuple((s - b, b + (e - s)) for s, e, b in table)
        self.day_seconds = before
        self.first_start = sessions[0][0]
        self.last_end = sessions[-1][1]
        self.unit_day_seconds = round(config.hours_per_working_day * 3600)

        first_weekday = FIRST_DAY.weekday()
        week = bytes(0 if (first_weekday + i) % 7 in national.weekend else 1 for i in range(7))
        working = bytearray((week * (_DAYS // 7 + 1))[:_DAYS])
        for day in national.days_off:
            _set(working, day, 0)
        for day in national.working_days:
            _set(working, day, 1)
        for closure in config.closures:
            _set(working, closure.day, 0)
        for extra in config.extra_working_days:
            _set(working, extra.day, 1)
        self._working = bytes(working)
        # _cum[i]: working days strictly before day i; _wdays[k]: day index of the k-th.
        self._cum = array("l", accumulate(working, initial=0))
        self._wdays = array("l", (i for i, flag in enumerate(working) if flag))
        self._warnings: dict[tuple[int, int], tuple[str, ...]] = {}

    # --- the W axis (hot path) -------------------------------------------------

    def w_at(self, moment: datetime) -> int:
        """Working seconds from the epoch to `moment` (floored to the second)."""
        if moment.tzinfo is None:
            require_aware(moment)
        delta = moment - _EPOCH
        day = delta.days
        if not 0 <= day < _DAYS:
            raise _out_of_range(moment.isoformat())
        w = self._cum[day] * self.day_seconds
        if self._working[day]:
            sod = delta.seconds
            for start, end, before in self._sessions:
                if sod < end:
                    return w + before + (sod - start if sod > start else 0)
            return w + self.day_seconds
        return w

    def moment_at(self, w: int) -> datetime:
        """The earliest moment at which `w` working seconds have elapsed.

        Ties resolve to the end of a session (17:00), never the next morning.
        """
        k, r = divmod(w, self.day_seconds)
        if r == 0 and k > 0:
            k -= 1
            sod = self.last_end
        else:
            sod = self.first_start
            for shift, session_end in self._ends:
                if r <= session_end:
                    sod = r + shift
                    break
        if not 0 <= k < len(self._wdays):
            raise _out_of_range(f"Mốc thời gian thứ {w} giây làm việc")
        return datetime.fromtimestamp(_EPOCH_TS + self._wdays[k] * 86400 + sod, VN_TZ)

    def due_w_end_of_day(self, moment: datetime, days: int, cutoff: int) -> tuple[int, int]:
        """(W at `moment`, W at the close of the due day) for day-counted limits.

        days == 0 is the same-day rule: received on a working day before `cutoff`
        (15:00) -> close of that day, otherwise close of the next working day.
        days >= 1 counts from the day after the (deemed) day of receipt: a receipt
        after the close of office hours, or on a day off, is deemed made on the
        next working day.
        """
        if moment.tzinfo is None:
            require_aware(moment)
        delta = moment - _EPOCH
        day = delta.days
        if not 0 <= day < _DAYS:
            raise _out_of_range(moment.isoformat())
        length = self.day_seconds
        ordinal = self._cum[day]
        w0 = ordinal * length
        if self._working[day]:
            sod = delta.seconds
            for start, end, before in self._sessions:
                if sod < end:
                    w0 += before + (sod - start if sod > start else 0)
                    break
            else:
                w0 += length
            limit = self.last_end if days or cutoff > self.last_end else cutoff
            if sod >= limit:
                ordinal += 1
        return w0, (ordinal + days + 1) * length

    # --- days ------------------------------------------------------------------

    def _index(self, day: date) -> int:
        index = day.toordinal() - _FIRST_ORDINAL
        if not 0 <= index < _DAYS:
            raise _out_of_range(date_vi(day))
        return index

    def is_working_day(self, day: date) -> bool:
        return bool(self._working[self._index(day)])

    def working_days_before(self, day: date) -> int:
        """Ordinal of `day` among working days (working days strictly before it)."""
        return self._cum[self._index(day)]

    def nth_working_day(self, ordinal: int) -> date:
        if not 0 <= ordinal < len(self._wdays):
            raise _out_of_range(f"Ngày làm việc thứ {ordinal}")
        return date.fromordinal(_FIRST_ORDINAL + self._wdays[ordinal])

    def next_working_day(self, day: date, include: bool = False) -> date:
        """The first working day after `day` (or on it, with include=True)."""
        index = self._index(day)
        ordinal = self._cum[index] + (0 if include or not self._working[index] else 1)
        return self.nth_working_day(ordinal)

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself is not counted)."""
        index = self._index(day)
        return self.nth_working_day(self._cum[index] + self._working[index] + count - 1)

    def working_days_between(self, first: date, last: date) -> int:
        """Working days in the closed range [first, last]."""
        if last < first:
            return 0
        return self._cum[self._index(last) + 1] - self._cum[self._index(first)]

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), VN_TZ) + timedelta(seconds=self.last_end)

    def session_start(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), VN_TZ) + timedelta(
            seconds=self.first_start
        )

    def is_office_time(self, moment: datetime) -> bool:
        """Inside a session (both ends included) on a working day."""
        local = moment.astimezone(VN_TZ)
        if not self.is_working_day(local.date()):
            return False
        sod = local.hour * 3600 + local.minute * 60 + local.second
        return any(start <= sod <= end for start, end, _ in self._sessions)

    def counting_start(self, moment: datetime) -> datetime:
        """When time starts to count: `moment` if inside a session, else the next session."""
        delta = moment - _EPOCH
        day = delta.days
        if not 0 <= day < _DAYS:
            raise _out_of_range(moment.isoformat())
        if self._working[day]:
            sod = delta.seconds
            for start, end, _ in self._sessions:
                if sod < end:
                    if sod >= start:
                        return moment.astimezone(VN_TZ)
                    return self._moment(day, start)
        ordinal = self._cum[day] + self._working[day]
        if ordinal >= len(self._wdays):
            raise _out_of_range(moment.isoformat())
        return self._moment(self._wdays[ordinal], self.first_start)

    def _moment(self, day_index: int, sod: int) -> datetime:
        return datetime.fromtimestamp(_EPOCH_TS + day_index * 86400 + sod, VN_TZ)

    def year_warnings(self, first_year: int, last_year: int) -> tuple[str, ...]:
        """Vietnamese warnings for years whose days off are projected or unknown."""
        key = (first_year, last_year)
        cached = self._warnings.get(key)
        if cached is None:
            found = []
            for year in range(first_year, last_year + 1):
                status = self.national.year_status(year)
                if status is None:
                    found.append(
                        f"Năm {year} chưa có lịch nghỉ lễ trong dữ liệu: chỉ trừ thứ Bảy, Chủ nhật."
                    )
                elif status.status != "announced":
                    found.append(f"Lịch nghỉ năm {year} là dự kiến, chưa được công bố chính thức.")
            cached = self._warnings[key] = tuple(found)
        return cached

    def due_on(self, moment: datetime) -> datetime:
        """A promised moment made a valid due moment (used for an apology's new date).

        A day off moves it to the close of the next working day (Civil Code art. 148);
        a moment at or before opening means that whole day; a moment in the lunch
        break or after closing falls back to the close of the session before it.
        """
        local = moment.astimezone(VN_TZ)
        day = local.date()
        if not self.is_working_day(day):
            return self.end_of_day(self.next_working_day(day))
        sod = local.hour * 3600 + local.minute * 60 + local.second
        if sod <= self.first_start:
            return self.end_of_day(day)
        closed_before = self.first_start
        for start, end, _ in self._sessions:
            if start < sod <= end:
                return local
            if end < sod:
                closed_before = end
        return datetime.combine(day, datetime.min.time(), VN_TZ) + timedelta(seconds=closed_before)

    def sessions(self) -> tuple[tuple[int, int], ...]:
        return tuple((s, e) for s, e, _ in self._sessions)

    # --- reasons, for explanations ---------------------------------------------

    def day_off(self, day: date) -> DayOff | None:
        for closure in self.config.closures:
            if closure.day == day:
                return closure
        return self.national.days_off.get(day)

    def extra_working_day(self, day: date) -> WorkingDay | None:
        for extra in self.config.extra_working_days:
            if extra.day == day:
                return extra
        return self.national.working_days.get(day)

    def reason_off_vi(self, day: date) -> str:
        """Why `day` is not a working day, in Vietnamese."""
        off = self.day_off(day)
        if off is not None:
            return off.reason_vi()
        return "nghỉ cuối tuần"

    def working_flags(self) -> bytes:
        """One byte per day since FIRST_DAY; used to diff two calendars."""
        return self._working


def _set(working: bytearray, day: date, flag: int) -> None:
    index = day.toordinal() - _FIRST_ORDINAL
    if 0 <= index < _DAYS:
        working[index] = flag


def day_from_index(index: int) -> date:
    return date.fromordinal(_FIRST_ORDINAL + index)
