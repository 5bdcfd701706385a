"""motcua-clock: the statutory clock of a commune one-stop shop.

Procedure catalogue (versioned by effective date), Vietnam's working calendar and
exact deadlines. Pure: no I/O except the explicit `load_*` functions, no framework,
and the current time is always passed in.
"""

from .catalogue import (
    Catalogue,
    Fee,
    ProcedureStep,
    ProcedureVersion,
    RequiredDocument,
    StepBudget,
    SupplementPolicy,
    TimeLimit,
    load_catalogue,
    parse_catalogue,
    promised_limit,
)
from .clock import ClockState, compute_clock
from .deadline import apology_new_due, compute_due, supplement_deadline
from .errors import (
    CalendarError,
    CalendarRangeError,
    CatalogueError,
    ClockError,
    ClockRuleViolation,
    NoVersionInForce,
    UnknownProcedure,
)
from .events import ClockEvent, Pause
from .recompute import changed_days, recompute, window_contains
from .snapshot import ClockSnapshot, Threshold
from .steps import StepDeadline, plan_steps
from .tenant_calendar import TenantCalendar
from .timeutil import VN_TZ, iso, parse_moment
from .working_calendar import (
    CalendarChanged,
    DayOff,
    NationalCalendar,
    OfficeHours,
    TenantConfig,
    WorkingCalendar,
    WorkingDay,
    YearStatus,
    load_calendar,
    load_tenant_config,
    parse_calendar,
)

__all__ = [
    "VN_TZ",
    "CalendarChanged",
    "CalendarError",
    "CalendarRangeError",
    "Catalogue",
    "CatalogueError",
    "ClockError",
    "ClockEvent",
    "ClockRuleViolation",
    "ClockSnapshot",
    "ClockState",
    "DayOff",
    "Fee",
    "NationalCalendar",
    "NoVersionInForce",
    "OfficeHours",
    "Pause",
    "ProcedureStep",
    "ProcedureVersion",
    "RequiredDocument",
    "StepBudget",
    "StepDeadline",
    "SupplementPolicy",
    "TenantCalendar",
    "TenantConfig",
    "Threshold",
    "TimeLimit",
    "UnknownProcedure",
    "WorkingCalendar",
    "WorkingDay",
    "YearStatus",
    "apology_new_due",
    "changed_days",
    "compute_clock",
    "compute_due",
    "iso",
    "load_calendar",
    "load_catalogue",
    "load_tenant_config",
    "parse_calendar",
    "parse_catalogue",
    "parse_moment",
    "plan_steps",
    "promised_limit",
    "recompute",
    "supplement_deadline",
    "window_contains",
]
