"""What the projection needs from the outside world."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from analytics.domain.contributions import Deltas
from analytics.domain.facts import DossierFact


class Event(NamedTuple):
    """A decoded integration event: the envelope's metadata and the checked payload.

    A NamedTuple: immutable and several times cheaper to build than a frozen dataclass,
    which matters at tens of thousands of events per second.
    """

    event_id: str
    event_type: str
    tenant_id: str
    dossier_id: str | None
    aggregate_version: int
    occurred_at: datetime
    payload: Any


@dataclass(frozen=True)
class TenantRow:
    tenant_id: str
    name_vi: str
    unit_type: str
    status: str
    cohorts: tuple[str, ...]
    merged_into: str | None
    revision: int


class ProjectionStore(Protocol):
    async def load_facts(self, dossier_ids: Sequence[str]) -> Mapping[str, DossierFact]: ...
    async def save_facts(self, facts: Iterable[DossierFact]) -> None: ...
    async def add_to_aggregates(self, deltas: Deltas) -> None: ...
    async def save_tenants(self, tenants: Iterable[TenantRow]) -> None: ...


class WorkingTime(Protocol):
    def seconds(self, start: datetime, end: datetime) -> int | None:
        """Working seconds between two moments; None outside the calendar's range."""
        ...
