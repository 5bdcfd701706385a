"""What one dossier adds to the daily aggregates, and the difference a change makes.

Aggregates are a sum of contributions over facts, so a projection rebuilt in any order
equals the live one: each change applies `new - old`, never a bare increment.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from analytics.domain.days import local_day
from analytics.domain.facts import DossierFact, Level

# Aggregate key: (resolving commune, procedure, field, Vietnamese calendar day).
AggKey = tuple[str, str, str, date]
Deltas = dict[AggKey, Counter[str]]

COUNTERS = (
    "received",
    "received_online",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "processing_seconds_sum",
    "processing_count",
    "supplements",
    "refusals",
    "withdrawals",
    "apologies",
    "apologies_late",
    "returned",
    "returned_online",
    "rated_khong_hai_long",
    "rated_hai_long",
    "rated_rat_hai_long",
    "evaluation_points_sum",
    "evaluation_count",
)


def contributions(fact: DossierFact) -> Deltas:
    """Each counter lands on the day its moment happened (received on the day received...)."""
    out: Deltas = {}
    if not fact.known:
        return out
    tenant = fact.resolving_tenant_id or ""
    procedure = fact.procedure_code or ""
    field = fact.field_code or ""

    def add(moment: object, **counts: int) -> None:
        if moment is None:
            return
        key = (tenant, procedure, field, local_day(moment))  # type: ignore[arg-type]
        bucket = out.setdefault(key, Counter())
        bucket.update(counts)

    if fact.received_at is not None:
        add(fact.received_at, received=1, received_online=int(fact.channel == "online"))
    add(fact.supplement_requested_at, supplements=1)
    add(fact.refused_at, refusals=1)
    add(fact.withdrawn_at, withdrawals=1)
    outcome = fact.outcome
    if outcome is not None:
        counts = {f"resolved_{outcome.value}": 1}
        if fact.processing_seconds is not None:
            counts |= {"processing_seconds_sum": fact.processing_seconds, "processing_count": 1}
        add(fact.completed_at, **counts)
    add(fact.apology_at, apologies=1, apologies_late=int(fact.apology_late))
    add(fact.returned_at, returned=1, returned_online=int(fact.returned_online))
    if fact.rated_at is not None and fact.rating_level in {lv.value for lv in Level}:
        counts = {f"rated_{fact.rating_level}": 1}
        if fact.rating_points is not None:
            counts |= {"evaluation_points_sum": fact.rating_points, "evaluation_count": 1}
        add(fact.rated_at, **counts)
    return out


def difference(before: DossierFact | None, after: DossierFact) -> Deltas:
    """`contributions(after) - contributions(before)`, without the zero entries."""
    new = contributions(after)
    old = contributions(before) if before is not None else {}
    out: Deltas = {}
    for key in new.keys() | old.keys():
        delta: Counter[str] = Counter(new.get(key, {}))
        delta.subtract(old.get(key, {}))
        delta = Counter({k: v for k, v in delta.items() if v})
        if delta:
            out[key] = delta
    return out


def merge(into: Deltas, more: Deltas) -> None:
    for key, delta in more.items():
        into.setdefault(key, Counter()).update(delta)
