"""Errors raised by the clock. Messages are read by clerks, so they are in Vietnamese."""

from __future__ import annotations

from typing import Any


class ClockError(Exception):
    """Base class: a machine-readable `code` plus a Vietnamese `message_vi`."""

    code: str = "clock_error"

    def __init__(self, code: str, message_vi: str, **details: Any) -> None:
        super().__init__(f"{code}: {message_vi}")
        self.code = code
        self.message_vi = message_vi
        self.details = details


class ClockRuleViolation(ClockError):
    """An event breaks a statutory rule (second apology, earlier new date, ...)."""


class UnknownProcedure(ClockError, KeyError):
    def __init__(self, procedure_code: str) -> None:
        super().__init__(
            "unknown_procedure",
            f"Không tìm thấy thủ tục hành chính có mã {procedure_code} trong danh mục.",
            procedure_code=procedure_code,
        )

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return f"{self.code}: {self.message_vi}"


class NoVersionInForce(ClockError, LookupError):
    def __init__(self, procedure_code: str, on: str) -> None:
        super().__init__(
            "no_version_in_force",
            f"Thủ tục {procedure_code} không có phiên bản nào có hiệu lực vào ngày {on}.",
            procedure_code=procedure_code,
            on=on,
        )


class CatalogueError(ClockError, ValueError):
    """The procedure data file is malformed."""


class CalendarError(ClockError, ValueError):
    """The calendar data file or a tenant configuration is malformed."""


class CalendarRangeError(ClockError, ValueError):
    """A moment falls outside the years the calendar tables cover."""
