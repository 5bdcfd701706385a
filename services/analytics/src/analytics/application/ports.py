"""What the projection needs from the outside world."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import msgspec

from analytics.domain.contributions import Deltas
from analytics.domain.facts import DossierFact


class Event(msgspec.Struct, kw_only=True, gc=False):
    """A decoded integration event: the envelope's metadata and the checked payload.

    A msgspec struct: application/decode.py parses each event type straight into a subclass
    of it in one pass, at tens of thousands of events per second. Not tracked by the cyclic
    garbage collector (it never takes part in a cycle).
    """

    event_id: str
    event_type: str
    tenant_id: str
    dossier_id: str | None = None
    aggregate_version: int = 0
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
