"""What an indicator query asks for: which communes, period, procedures, fields."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from analytics.domain.days import end_of, start_of


@dataclass(frozen=True)
class Filter:
    tenants: tuple[str, ...] | None  # None: every commune
    date_from: date
    date_to: date  # inclusive
    procedures: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # communes left out ("the rest" beside a cohort)
    # Show merged units inside the unit they live on in: the communes asked for are
    # already widened to their predecessors; a ranking folds A and B into C.
    predecessors: bool = True

    @property
    def start(self) -> datetime:
        return start_of(self.date_from)

    @property
    def end(self) -> datetime:
        """Exclusive: the first moment after the period."""
        return end_of(self.date_to)

    def with_tenants(self, tenants: tuple[str, ...] | None) -> Filter:
        return replace(self, tenants=tenants)
