"""The projection use case: a batch of events in, facts and aggregate deltas out.

One transaction per batch (the caller's). Facts are loaded, every event applied in order,
and only the difference each changed fact makes reaches the aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from motcua_contracts.events.tenants_v1 import TenantConfigured

from analytics.application.handlers import HANDLERS, apply
from analytics.application.ports import Event, ProjectionStore, TenantRow, WorkingTime
from analytics.domain.contributions import Deltas, add_contributions
from analytics.domain.facts import DossierFact


@dataclass(frozen=True)
class BatchResult:
    applied: int  # events whose dossier (or tenant) changed
    unchanged: int  # duplicates and events analytics does not count
    changed: frozenset[str] = frozenset()  # dossier ids whose fact changed


async def project_events(
    store: ProjectionStore, events: Sequence[Event], working_time: WorkingTime
) -> BatchResult:
    """Applies a batch; idempotent and tolerant of any order within or across batches."""
    dossier_events = [e for e in events if e.event_type in HANDLERS and e.dossier_id]
    tenants = _latest_tenants(events)
    ids = sorted({e.dossier_id for e in dossier_events if e.dossier_id})
    before = await store.load_facts(ids) if ids else {}
    current = {i: before[i].copy() if i in before else DossierFact(i) for i in ids}
    for event in dossier_events:
        apply(current[event.dossier_id or ""], event)
    changed: list[DossierFact] = []
    deltas: Deltas = {}
    for dossier_id, fact in current.items():
        fact.processing_seconds = processing_seconds(fact, working_time)
        old = before.get(dossier_id)
        if old != fact:
            changed.append(fact)
            add_contributions(deltas, fact, 1)
            if old is not None:
                add_contributions(deltas, old, -1)
    deltas = {key: vector for key, vector in deltas.items() if any(vector)}
    if changed:
        await store.save_facts(changed)
    if deltas:
        await store.add_to_aggregates(deltas)
    if tenants:
        await store.save_tenants(tenants)
    changed_ids = {f.dossier_id for f in changed}
    applied = sum(1 for e in dossier_events if e.dossier_id in changed_ids) + len(tenants)
    return BatchResult(applied, len(events) - applied, frozenset(changed_ids))


def processing_seconds(fact: DossierFact, working_time: WorkingTime) -> int | None:
    """Workflow's elapsed working time when it sent one; else received → ready, less the pause."""
    if fact.completed_at is None:
        return None
    if fact.clock_elapsed_seconds is not None:
        return fact.clock_elapsed_seconds
    if fact.received_at is None:
        return None
    total = working_time.seconds(fact.received_at, fact.completed_at)
    if total is None:
        return None
    paused_from, paused_to = fact.supplement_requested_at, fact.supplement_received_at
    if paused_from and paused_to:
        total -= working_time.seconds(paused_from, paused_to) or 0
    return max(0, total)


def _latest_tenants(events: Sequence[Event]) -> list[TenantRow]:
    """Replace, never merge: the newest snapshot of each commune in the batch."""
    latest: dict[str, TenantRow] = {}
    for event in events:
        if event.event_type != "TenantConfigured":
            continue
        p: TenantConfigured = event.payload
        row = TenantRow(
            tenant_id=p.tenant_id,
            name_vi=p.name_vi,
            unit_type=p.unit_type.value,
            status=p.status.value,
            cohorts=tuple(p.cohorts),
            merged_into=p.merged_into,
            revision=p.revision,
        )
        known = latest.get(p.tenant_id)
        if known is None or row.revision >= known.revision:
            latest[p.tenant_id] = row
    return list(latest.values())
