"""Read use cases: the indicator report, time series, ranking and the live late list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from analytics.adapters import read_models as rm
from analytics.application.filters import Filter
from analytics.application.ports import WorkingTime
from analytics.domain import indicators as ind
from analytics.domain.days import bucket
from analytics.domain.mergers import successors


@dataclass(frozen=True)
class Report:
    totals: ind.Totals
    indicators: list[ind.Indicator]
    mean_processing_hours: float | None
    median_processing_hours: float | None
    median_method: str  # "exact" (from the facts) or "histogram" (from the rollups)
    mean_evaluation_points: float | None
    as_of: datetime


def _report(
    totals: ind.Totals,
    targets: ind.Targets,
    as_of: datetime,
    median_seconds: float | None,
    median_method: str = "exact",
) -> Report:
    return Report(
        totals=totals,
        indicators=ind.all_indicators(totals, targets),
        mean_processing_hours=ind.mean_processing_hours(totals),
        median_processing_hours=None if median_seconds is None else round(median_seconds / 3600, 2),
        median_method=median_method,
        mean_evaluation_points=ind.mean_evaluation_points(totals),
        as_of=as_of,
    )


async def indicator_report(
    session: AsyncSession, f: Filter, targets: ind.Targets, now: datetime
) -> Report:
    counters = await rm.totals(session, f)
    within, overdue = await rm.in_progress(session, f, now)
    median, method = await rm.median_processing_seconds(session, f, counters)
    totals = ind.Totals(counters, within, overdue)
    return _report(totals, targets, min(f.end, now), median, method)


@dataclass(frozen=True)
class SeriesPoint:
    start: date
    totals: ind.Totals
    on_time_rate: float | None


async def time_series(session: AsyncSession, f: Filter, granularity: str) -> list[SeriesPoint]:
    """Counters per day, week or month; rates per bucket (no in-progress part: it is live)."""
    if granularity == "month":
        by_day = await rm.totals_by_month(session, f)
    else:
        by_day = await rm.totals_by_day(session, f)
    buckets: dict[date, dict[str, int]] = {}
    day = f.date_from
    while day <= f.date_to:  # every bucket, empty ones too, so charts have no gaps
        buckets.setdefault(bucket(day, granularity), ind.zero_counters())
        day += timedelta(days=1)
    for day, counters in by_day.items():
        target = buckets.setdefault(bucket(day, granularity), ind.zero_counters())
        for name, value in counters.items():
            target[name] += value
    points = []
    for start in sorted(buckets):
        totals = ind.Totals(buckets[start])
        rate = ind.ratio(totals["resolved_early"] + totals["resolved_on_time"], totals.resolved)
        points.append(SeriesPoint(start, totals, rate))
    return points


@dataclass(frozen=True)
class RankingRow:
    tenant_id: str
    report: Report
    rank: int = 0


async def ranking(
    session: AsyncSession,
    f: Filter,
    targets: ind.Targets,
    now: datetime,
    include: list[str] | None = None,
) -> list[RankingRow]:
    """Communes by Decision 766 group 2, then on-time rate; communes with no data last."""
    moved: dict[str, str] = {}
    if f.predecessors:
        rows = await rm.tenant_rows(session)
        moved = successors({r.tenant_id: r.merged_into for r in rows if r.merged_into})
    by_tenant = _fold(await rm.totals_by_tenant(session, f), moved)
    open_by_tenant = _fold_pairs(await rm.in_progress_by_tenant(session, f, now), moved)
    ids = set(by_tenant) | set(open_by_tenant) | set(include or ())
    if f.tenants is not None:
        ids &= set(f.tenants)
    ids -= set(f.exclude) | set(moved)
    rows = []
    for tenant in ids:
        within, overdue = open_by_tenant.get(tenant, (0, 0))
        totals = ind.Totals(by_tenant.get(tenant, {}), within, overdue)
        rows.append(RankingRow(tenant, _report(totals, targets, min(f.end, now), None)))

    def key(row: RankingRow) -> tuple[int, float, float, str]:
        values = {i.key: i.value for i in row.report.indicators}
        g2, on_time = values["d766_group2"], values["on_time_rate"]
        return (g2 is None, -(g2 or 0.0), -(on_time or 0.0), row.tenant_id)

    rows.sort(key=key)
    return [RankingRow(r.tenant_id, r.report, rank) for rank, r in enumerate(rows, start=1)]


def _fold(rows: dict[str, dict[str, int]], moved: dict[str, str]) -> dict[str, dict[str, int]]:
    """Merged units' rows added to the unit they live on in."""
    out: dict[str, dict[str, int]] = {}
    for tenant, counters in rows.items():
        into = out.setdefault(moved.get(tenant, tenant), dict.fromkeys(counters, 0))
        for name, value in counters.items():
            into[name] = into.get(name, 0) + value
    return out


def _fold_pairs(
    rows: dict[str, tuple[int, int]], moved: dict[str, str]
) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for tenant, (a, b) in rows.items():
        key = moved.get(tenant, tenant)
        x, y = out.get(key, (0, 0))
        out[key] = (x + a, y + b)
    return out


@dataclass(frozen=True)
class LateDossier:
    dossier_code: str | None
    tenant_id: str
    receiving_tenant_id: str | None
    procedure_code: str | None
    field_code: str | None
    channel: str | None
    received_at: datetime | None
    due_at: datetime
    rescheduled_due_at: datetime | None
    apology_issued: bool
    status: str  # "late" | "at_risk"
    working_hours_left: float | None  # negative when late
    paused: bool = field(default=False)


async def late_dossiers(
    session: AsyncSession, f: Filter, now: datetime, working_time: WorkingTime, risk_hours: float
) -> list[LateDossier]:
    """Late now, or due within `risk_hours` working hours, or flagged by workflow's clock."""
    # Wide enough for any run of days off (Tết); refined in working hours below.
    horizon = now + timedelta(days=risk_hours / 7 + 12)
    rows = await rm.open_dossiers(session, f, before=horizon)
    out = []
    for r in rows:
        paused = r.supplement_requested_at is not None and r.supplement_received_at is None
        if r.due_at < now:
            left = -(working_time.seconds(r.due_at, now) or 0) / 3600
            status = "late"
        else:
            left = (working_time.seconds(now, r.due_at) or 0) / 3600
            if left > risk_hours and r.at_risk_at is None:
                continue
            status = "at_risk"
        if paused:
            continue  # the clock is stopped while the applicant completes the dossier
        out.append(
            LateDossier(
                dossier_code=r.dossier_code,
                tenant_id=r.resolving_tenant_id,
                receiving_tenant_id=r.receiving_tenant_id,
                procedure_code=r.procedure_code,
                field_code=r.field_code,
                channel=r.channel,
                received_at=r.received_at,
                due_at=r.due_at,
                rescheduled_due_at=r.rescheduled_due_at,
                apology_issued=r.apology_at is not None,
                status=status,
                working_hours_left=round(left, 1),
                paused=paused,
            )
        )
    return out
