"""What one dossier adds to the daily aggregates, and the difference a change makes.

Aggregates are a sum of contributions over facts, so a projection rebuilt in any order
equals the live one: each change adds `contributions(new) - contributions(old)`, never a bare
increment. Counters are plain lists of ints indexed like `COUNTERS` (fast to add in bulk).

Which commune a counter belongs to (cross-commune intake, docs/tenants.md "Analytics"):
- the **receiving** unit: received, received online, supplements, refusals, withdrawals
  (what the desk did);
- the **resolving** unit: resolved early / on time / late, processing time, in progress and
  overdue, apologies, results returned, ratings (what the unit that decides answers for).
After a merger the unit that held the dossier at the moment of each fact keeps it: facts
before `DossierReassigned.reassigned_at` stay with A, later ones go to C (`segments`).

`open_delta` / `overdue_delta` are +1 on the day a dossier starts being open (overdue) and -1
on the day it stops, so their running sum up to day D is the number open (overdue) at the end
of D: "in progress at the end of a past period" without scanning the facts.
"""

from __future__ import annotations

from datetime import date, datetime

from analytics.domain.days import local_day
from analytics.domain.facts import DossierFact, Level, Segment

# Aggregate key: (commune, procedure, field, Vietnamese calendar day).
AggKey = tuple[str, str, str, date]
Vector = list[int]
Deltas = dict[AggKey, Vector]

# Upper bounds (working hours, exclusive) of the processing-time histogram; the last bucket
# is open-ended. Medians of any set of rows combine by adding these buckets.
HIST_BOUNDS_HOURS = (0.5, 1, 2, 4, 6, 8, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 120, 160, 240)
HIST = tuple(f"processing_h{i:02d}" for i in range(len(HIST_BOUNDS_HOURS) + 1))
_HIST_BOUNDS_S = tuple(int(h * 3600) for h in HIST_BOUNDS_HOURS)

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
    "open_delta",
    "overdue_delta",
    *HIST,
)
# Summed over a period these mean nothing; they are summed from the beginning instead.
RUNNING = ("open_delta", "overdue_delta")
N = len(COUNTERS)
_I = {name: i for i, name in enumerate(COUNTERS)}
_LEVELS = {lv.value for lv in Level}
_RESOLVED = {o: _I[f"resolved_{o}"] for o in ("early", "on_time", "late")}


def histogram_median(counts: list[int]) -> float | None:
    """Median seconds from bucket counts: linear inside the bucket that holds the middle.

    The open last bucket answers its lower bound. Exact to within one bucket's width.
    """
    n = sum(counts)
    if n == 0:
        return None
    half = n / 2
    seen = 0
    for i, count in enumerate(counts):
        if count and seen + count >= half:
            lo = 0 if i == 0 else _HIST_BOUNDS_S[i - 1]
            if i == len(_HIST_BOUNDS_S):
                return float(lo)
            hi = _HIST_BOUNDS_S[i]
            return lo + (hi - lo) * (half - seen) / count
        seen += count
    return None


def hist_bucket(seconds: int) -> int:
    for i, bound in enumerate(_HIST_BOUNDS_S):
        if seconds < bound:
            return i
    return len(_HIST_BOUNDS_S)


def _tenant_at(segments: list[Segment], moment: datetime | None, resolving: bool) -> str:
    chosen = segments[0]
    for segment in segments[1:]:
        if moment is None or segment.since is None or moment >= segment.since:
            chosen = segment
    return chosen.resolving if resolving else chosen.receiving


Piece = tuple[str, date, date | None]


def _pieces(start: date, end: date | None, segments: list[Segment]) -> list[Piece]:
    """Cuts the day interval [start, end) where the resolving unit changed."""
    if len(segments) == 1:
        return [(segments[0].resolving, start, end)]
    out = []
    for i, segment in enumerate(segments):
        lo = start if i == 0 or segment.since is None else max(start, local_day(segment.since))
        nxt = segments[i + 1].since if i + 1 < len(segments) else None
        hi = end if nxt is None else (local_day(nxt) if end is None else min(end, local_day(nxt)))
        if hi is None or lo < hi:
            out.append((segment.resolving, lo, hi))
    return out


_RECEIVED, _RECEIVED_ONLINE = _I["received"], _I["received_online"]
_PROCESSING_SUM, _PROCESSING_COUNT = _I["processing_seconds_sum"], _I["processing_count"]
_APOLOGIES, _APOLOGIES_LATE = _I["apologies"], _I["apologies_late"]
_RETURNED, _RETURNED_ONLINE = _I["returned"], _I["returned_online"]
_EVALUATION_SUM, _EVALUATION_COUNT = _I["evaluation_points_sum"], _I["evaluation_count"]
_RATED = {level: _I[f"rated_{level}"] for level in _LEVELS}
_SUPPLEMENTS, _REFUSALS, _WITHDRAWALS = _I["supplements"], _I["refusals"], _I["withdrawals"]
_OPEN, _OVERDUE = _I["open_delta"], _I["overdue_delta"]
_HIST_INDEX = tuple(_I[name] for name in HIST)


def add_contributions(out: Deltas, fact: DossierFact, sign: int) -> None:
    """Adds `sign` × what the fact contributes to `out` (sign -1 takes an old version away).

    Called for every changed dossier of every batch: each moment's counters are added in one
    step (one day, one key lookup), which keeps this a small part of a projection's cost.
    """
    if not fact.known:
        return
    if fact.assignments is None:
        _add_one_unit(out, fact, sign)
        return
    _add_over_segments(out, fact, sign)


def _add_one_unit(out: Deltas, fact: DossierFact, sign: int) -> None:
    """`add_contributions` for a dossier never moved by a merger (nearly all of them): the
    same counters as `_add_over_segments` with one unit, written out without closures, since
    it runs for every changed dossier of every batch."""
    procedure = fact.procedure_code or ""
    field = fact.field_code or ""
    desk = fact.receiving_tenant_id or fact.resolving_tenant_id or ""
    unit = fact.resolving_tenant_id or desk
    get, put = out.get, out.setdefault
    received = fact.received_at
    if received is not None:
        start = local_day(received)
        key = (desk, procedure, field, start)
        v = get(key) or put(key, [0] * N)
        v[_RECEIVED] += sign
        if fact.channel == "online":
            v[_RECEIVED_ONLINE] += sign
    for moment, index in (
        (fact.supplement_requested_at, _SUPPLEMENTS),
        (fact.refused_at, _REFUSALS),
        (fact.withdrawn_at, _WITHDRAWALS),
    ):
        if moment is not None:
            key = (desk, procedure, field, local_day(moment))
            v = get(key) or put(key, [0] * N)
            v[index] += sign
    done = fact.completed_at
    outcome = fact.outcome if done is not None else None
    if outcome is not None and done is not None:
        key = (unit, procedure, field, local_day(done))
        v = get(key) or put(key, [0] * N)
        v[_RESOLVED[outcome.value]] += sign
        seconds = fact.processing_seconds
        if seconds is not None:
            v[_PROCESSING_SUM] += sign * seconds
            v[_PROCESSING_COUNT] += sign
            v[_HIST_INDEX[hist_bucket(seconds)]] += sign
    for moment, index, flagged, flag_index in (
        (fact.apology_at, _APOLOGIES, fact.apology_late, _APOLOGIES_LATE),
        (fact.returned_at, _RETURNED, fact.returned_online, _RETURNED_ONLINE),
    ):
        if moment is not None:
            key = (unit, procedure, field, local_day(moment))
            v = get(key) or put(key, [0] * N)
            v[index] += sign
            if flagged:
                v[flag_index] += sign
    rated = fact.rated_at
    if rated is not None and fact.rating_level in _LEVELS:
        key = (unit, procedure, field, local_day(rated))
        v = get(key) or put(key, [0] * N)
        v[_RATED[fact.rating_level or ""]] += sign
        if fact.rating_points is not None:
            v[_EVALUATION_SUM] += sign * fact.rating_points
            v[_EVALUATION_COUNT] += sign
    if received is None:
        return
    # running counters: +1 on the first day, -1 on the day after the last (as `_interval`)
    closed = fact.closed_at
    end = None if closed is None else local_day(closed)
    marks = [(start, end, _OPEN)]
    if fact.due_at is not None:
        first = max(start, local_day(fact.due_at))
        paused = fact.supplement_requested_at
        if paused is None:
            marks.append((first, end, _OVERDUE))
        else:
            p = local_day(paused)
            marks.append((first, p if end is None else min(end, p), _OVERDUE))
            if fact.supplement_received_at is not None:
                marks.append((max(first, local_day(fact.supplement_received_at)), end, _OVERDUE))
    for lo, hi, index in marks:
        if hi is not None and hi <= lo:
            continue
        key = (unit, procedure, field, lo)
        v = get(key) or put(key, [0] * N)
        v[index] += sign
        if hi is not None:
            key = (unit, procedure, field, hi)
            v = get(key) or put(key, [0] * N)
            v[index] -= sign


def _add_over_segments(out: Deltas, fact: DossierFact, sign: int) -> None:
    """`add_contributions` for a dossier moved by a merger: each fact at the unit of its time."""
    procedure = fact.procedure_code or ""
    field = fact.field_code or ""
    segments = fact.segments()

    def bump(tenant: str, day: date, index: int, value: int = 1) -> None:
        key = (tenant, procedure, field, day)
        vector = out.get(key)
        if vector is None:
            vector = out[key] = [0] * N
        vector[index] += sign * value

    single = len(segments) == 1
    by_desk, by_unit = segments[0].receiving, segments[0].resolving

    def at(moment: datetime, resolving: bool, *counts: tuple[int, int]) -> None:
        """Adds each (counter index, value) on the moment's day, at the unit then in charge."""
        if single:
            tenant = by_unit if resolving else by_desk
        else:
            tenant = _tenant_at(segments, moment, resolving)
        key = (tenant, procedure, field, local_day(moment))
        vector = out.get(key)
        if vector is None:
            vector = out[key] = [0] * N
        for index, value in counts:
            vector[index] += sign * value

    received = fact.received_at
    if received is not None:
        if fact.channel == "online":
            at(received, False, (_RECEIVED, 1), (_RECEIVED_ONLINE, 1))
        else:
            at(received, False, (_RECEIVED, 1))
    if fact.supplement_requested_at is not None:
        at(fact.supplement_requested_at, False, (_I["supplements"], 1))
    if fact.refused_at is not None:
        at(fact.refused_at, False, (_I["refusals"], 1))
    if fact.withdrawn_at is not None:
        at(fact.withdrawn_at, False, (_I["withdrawals"], 1))
    done = fact.completed_at
    outcome = fact.outcome if done is not None else None
    if outcome is not None and done is not None:
        seconds = fact.processing_seconds
        if seconds is not None:
            at(
                done,
                True,
                (_RESOLVED[outcome.value], 1),
                (_PROCESSING_SUM, seconds),
                (_PROCESSING_COUNT, 1),
                (_HIST_INDEX[hist_bucket(seconds)], 1),
            )
        else:
            at(done, True, (_RESOLVED[outcome.value], 1))
    if fact.apology_at is not None:
        late = 1 if fact.apology_late else 0
        at(fact.apology_at, True, (_APOLOGIES, 1), (_APOLOGIES_LATE, late))
    if fact.returned_at is not None:
        online = 1 if fact.returned_online else 0
        at(fact.returned_at, True, (_RETURNED, 1), (_RETURNED_ONLINE, online))
    rated = fact.rated_at
    if rated is not None and fact.rating_level in _LEVELS:
        level = _RATED[fact.rating_level or ""]
        points = fact.rating_points
        if points is not None:
            at(rated, True, (level, 1), (_EVALUATION_SUM, points), (_EVALUATION_COUNT, 1))
        else:
            at(rated, True, (level, 1))
    if received is not None:
        _add_running(bump, fact, local_day(received), segments)


def _add_running(bump, fact: DossierFact, start: date, segments: list[Segment]) -> None:  # type: ignore[no-untyped-def]
    """Open from the day received to the day closed; overdue from the due day, not paused."""
    closed = fact.closed_at
    end = None if closed is None else local_day(closed)
    for tenant, lo, hi in _pieces(start, end, segments):
        _interval(bump, tenant, lo, hi, _I["open_delta"])
    if fact.due_at is None:
        return
    due_day = local_day(fact.due_at)
    lo0 = max(start, due_day)
    paused_from = fact.supplement_requested_at
    intervals: list[tuple[date, date | None]] = [(lo0, end)]
    if paused_from is not None:
        p = local_day(paused_from)
        q = None if fact.supplement_received_at is None else local_day(fact.supplement_received_at)
        intervals = [(lo0, p if end is None else min(end, p))]
        if q is not None:
            intervals.append((max(lo0, q), end))
    for lo, hi in intervals:
        if hi is not None and lo >= hi:
            continue
        for tenant, a, b in _pieces(lo, hi, segments):
            _interval(bump, tenant, a, b, _I["overdue_delta"])


def _interval(bump, tenant: str, lo: date, hi: date | None, index: int) -> None:  # type: ignore[no-untyped-def]
    if hi is not None and hi <= lo:
        return
    bump(tenant, lo, index, 1)
    if hi is not None:
        bump(tenant, hi, index, -1)


def contributions(fact: DossierFact) -> Deltas:
    out: Deltas = {}
    add_contributions(out, fact, 1)
    return {k: v for k, v in out.items() if any(v)}


def difference(before: DossierFact | None, after: DossierFact) -> Deltas:
    """`contributions(after) - contributions(before)`, without the zero entries."""
    out: Deltas = {}
    add_contributions(out, after, 1)
    if before is not None:
        add_contributions(out, before, -1)
    return {k: v for k, v in out.items() if any(v)}


def as_dict(vector: Vector) -> dict[str, int]:
    return dict(zip(COUNTERS, vector, strict=True))
