"""The projection use case: a batch of events in, facts and aggregate deltas out.

One transaction per batch (the caller's). Facts are loaded, every event applied in order,
and only the difference each changed fact makes reaches the aggregates.

Pipelining: the batch ahead may still be writing (its transaction open) when this one
computes. Its facts after the batch are passed as `ahead`: they stand in for the stored facts
of the dossiers both batches share, so the computing overlaps the writing. Before writing,
this batch waits for the batch ahead to end (rows it inserted are invisible, and cannot be
locked, until then), locks the shared dossiers and compares them with what was assumed; if the
batch ahead failed or another writer changed them, the batch is computed again from what is
really stored. Events are idempotent and order-tolerant, so this is always correct.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from motcua_contracts.events.tenants_v2 import TenantConfigured

from analytics.application.handlers import HANDLERS, apply
from analytics.application.ports import Event, ProjectionStore, TenantRow, WorkingTime
from analytics.domain.contributions import Deltas, add_contributions
from analytics.domain.facts import DossierFact


@dataclass(frozen=True)
class BatchResult:
    applied: int  # events whose dossier (or tenant) changed
    unchanged: int  # duplicates and events analytics does not count
    changed: frozenset[str] = frozenset()  # dossier ids whose fact changed


Facts = Mapping[str, DossierFact]


@dataclass(frozen=True)
class Ahead:
    """The batch still writing ahead of this one."""

    facts: Facts  # its dossiers' facts as it leaves them (as far as it computed them)
    dossiers: frozenset[str]  # every dossier it may write
    ended: Callable[[], Awaitable[bool]]  # once it has ended: whether it committed


async def project_events(
    store: ProjectionStore,
    events: Sequence[Event],
    working_time: WorkingTime,
    ahead: Ahead | None = None,
    computed: Callable[[Facts], None] | None = None,
) -> BatchResult:
    """Applies a batch; idempotent and tolerant of any order within or across batches.

    `ahead`: the batch still writing ahead of this one (see above).
    `computed` is told this batch's facts as soon as they are computed (and again if they
    are computed again), so the batch behind can start computing from them.
    """
    dossier_events = [e for e in events if e.event_type in HANDLERS and e.dossier_id]
    tenants = _latest_tenants(events)
    ids = sorted({e.dossier_id for e in dossier_events if e.dossier_id})
    shared = [i for i in ids if i in ahead.dossiers] if ahead else []
    assumed = {i: ahead.facts[i] for i in shared if i in ahead.facts} if ahead else {}
    stored = await store.load_facts([i for i in ids if i not in assumed]) if ids else {}
    before = {**stored, **assumed}
    current, changed, deltas = await _compute(ids, before, dossier_events, working_time)
    if computed is not None:
        computed(current)
    if ahead is not None:
        await ahead.ended()
        if shared:
            actual = await store.load_facts(shared)
            if any(actual.get(i) != before.get(i) for i in shared):
                before = {i: f for i, f in before.items() if i not in actual} | dict(actual)
                for i in set(shared) - set(actual):
                    before.pop(i, None)  # the batch ahead did not store it after all
                current, changed, deltas = await _compute(ids, before, dossier_events, working_time)
                if computed is not None:
                    computed(current)
    if changed:
        await store.save_facts(changed)
    if deltas:
        await store.add_to_aggregates(deltas)
    if tenants:
        await store.save_tenants(tenants)
    changed_ids = {f.dossier_id for f in changed}
    applied = sum(1 for e in dossier_events if e.dossier_id in changed_ids) + len(tenants)
    return BatchResult(applied, len(events) - applied, frozenset(changed_ids))


async def _compute(
    ids: Sequence[str], before: Facts, events: Sequence[Event], working_time: WorkingTime
) -> tuple[dict[str, DossierFact], list[DossierFact], Deltas]:
    """Facts after the events, those that changed, and the aggregates' differences.

    Gives the event loop back every few thousand events: while this batch computes, the batch
    ahead waits on PostgreSQL between statements, and each of its next statements should not
    wait for a whole batch's computing (PostgreSQL would sit idle meanwhile).
    """
    current = {i: before[i].copy() if i in before else DossierFact(i) for i in ids}
    for start in range(0, len(events), _YIELD_EVERY_EVENTS):
        for event in events[start : start + _YIELD_EVERY_EVENTS]:
            apply(current[event.dossier_id or ""], event)
        await asyncio.sleep(0)
    changed: list[DossierFact] = []
    deltas: Deltas = {}
    for n, (dossier_id, fact) in enumerate(current.items(), 1):
        fact.processing_seconds = processing_seconds(fact, working_time)
        old = before.get(dossier_id)
        if old != fact:
            changed.append(fact)
            add_contributions(deltas, fact, 1)
            if old is not None:
                add_contributions(deltas, old, -1)
        if n % _YIELD_EVERY_FACTS == 0:
            await asyncio.sleep(0)
    return current, changed, {key: vector for key, vector in deltas.items() if any(vector)}


_YIELD_EVERY_EVENTS = 2_000
_YIELD_EVERY_FACTS = 300


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
