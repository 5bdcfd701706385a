"""Statutory times from the procedure catalogue, for checking local service promises."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

# Limits counted in hours convert at 8 working hours a day (docs/domain.md §4, §5.1); a same-day
# procedure allows no promise longer than the day itself (0 working days).
_HOURS_PER_DAY = 8.0


@cache
def _catalogue() -> Any:
    import motcua_clock as mc

    return mc.load_catalogue()


def statutory_working_days(procedure_code: str, on: date) -> float | None:
    """The statutory time of the version in force on `on`, in working days; None if unknown."""
    import motcua_clock as mc

    try:
        limit = _catalogue().version_at(procedure_code, on).time_limit
    except (mc.UnknownProcedure, mc.NoVersionInForce):
        return None
    if limit.unit == "working_days":
        return float(limit.amount)
    if limit.unit == "working_hours":
        return float(limit.amount) / _HOURS_PER_DAY
    return 0.0
