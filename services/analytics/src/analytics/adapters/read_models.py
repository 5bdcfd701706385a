"""Read queries for the API: aggregates for sums, facts for what is open and for medians."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from analytics.adapters import rollups as ru
from analytics.adapters.rollups import SUMMED
from analytics.adapters.tables import daily_indicators, dossier_facts, tenants
from analytics.application.filters import Filter
from analytics.domain.contributions import HIST, RUNNING, histogram_median
from analytics.domain.days import month_start

D = daily_indicators
F = dossier_facts
_LATE_LIST_LIMIT = 500
EXACT_MEDIAN_LIMIT = 10_000


def _fact_where(f: Filter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [F.c.resolving_tenant_id.is_not(None)]
    if f.tenants is not None:
        where.append(F.c.resolving_tenant_id.in_(f.tenants))
    if f.procedures:
        where.append(F.c.procedure_code.in_(f.procedures))
    if f.fields:
        where.append(F.c.field_code.in_(f.fields))
    if f.exclude:
        where.append(F.c.resolving_tenant_id.not_in(f.exclude))
    return where


def _open_now() -> list[ColumnElement[bool]]:
    # Written exactly as the partial index, so PostgreSQL uses it.
    return [F.c.completed_at.is_(None), F.c.refused_at.is_(None), F.c.withdrawn_at.is_(None)]


def _open_at(moment: datetime) -> list[ColumnElement[bool]]:
    return [
        F.c.received_at < moment,
        or_(F.c.completed_at.is_(None), F.c.completed_at >= moment),
        or_(F.c.refused_at.is_(None), F.c.refused_at >= moment),
        or_(F.c.withdrawn_at.is_(None), F.c.withdrawn_at >= moment),
    ]


def _counters(row: Any, names: tuple[str, ...] = SUMMED) -> dict[str, int]:
    return {n: int(row._mapping[n]) for n in names}


async def totals(session: AsyncSession, f: Filter) -> dict[str, int]:
    rows = ru.period_rows(f)
    row = (await session.execute(select(*ru.sums(rows, SUMMED)))).one()
    return _counters(row)


async def totals_by_tenant(session: AsyncSession, f: Filter) -> dict[str, dict[str, int]]:
    rows = ru.period_rows(f)
    query = select(rows.c.tenant_id, *ru.sums(rows, SUMMED)).group_by(rows.c.tenant_id)
    return {r.tenant_id: _counters(r) for r in (await session.execute(query)).all()}


async def totals_by_day(session: AsyncSession, f: Filter) -> dict[date, dict[str, int]]:
    """Per day from the daily rollup (a month bucket of a time series may use `totals_by`)."""
    d = daily_indicators
    rows = (
        select(d.c.day, *(d.c[c] for c in SUMMED))
        .where(d.c.day >= f.date_from, d.c.day <= f.date_to, *ru.filters(d, f))
        .subquery()
    )
    query = select(rows.c.day, *ru.sums(rows, SUMMED)).group_by(rows.c.day)
    return {r.day: _counters(r) for r in (await session.execute(query)).all()}


async def totals_by_month(session: AsyncSession, f: Filter) -> dict[date, dict[str, int]]:
    """Per calendar month: whole months from the monthly rollup, edges from the daily one."""
    rows = ru.period_rows(f)
    query = select(rows.c.day, *ru.sums(rows, SUMMED)).group_by(rows.c.day)
    out: dict[date, dict[str, int]] = {}
    for r in (await session.execute(query)).all():
        key = month_start(r.day)
        into = out.setdefault(key, dict.fromkeys(SUMMED, 0))
        for n, v in _counters(r).items():
            into[n] += v
    return out


async def running(session: AsyncSession, f: Filter, day: date) -> tuple[int, int]:
    """(open, overdue) at the end of `day`, from the running counters."""
    rows = ru.running_rows(f, day)
    row = (await session.execute(select(*ru.sums(rows, RUNNING)))).one()
    return int(row.open_delta), int(row.overdue_delta)


async def running_by_tenant(
    session: AsyncSession, f: Filter, day: date
) -> dict[str, tuple[int, int]]:
    rows = ru.running_rows(f, day)
    query = select(rows.c.tenant_id, *ru.sums(rows, RUNNING)).group_by(rows.c.tenant_id)
    result = (await session.execute(query)).all()
    return {r.tenant_id: (int(r.open_delta), int(r.overdue_delta)) for r in result}


def _in_progress_query(f: Filter, now: datetime) -> tuple[Select[Any], datetime]:
    """Open at the end of the period, or now when the period reaches today."""
    at = min(f.end, now)
    conditions = [*_open_now(), F.c.received_at < at] if at == now else _open_at(at)
    paused = and_(F.c.supplement_requested_at.is_not(None), F.c.supplement_received_at.is_(None))
    within = or_(F.c.due_at.is_(None), F.c.due_at >= at, paused)
    query = select(
        func.coalesce(func.sum(case((within, 1), else_=0)), 0).label("within"),
        func.count().label("total"),
    ).where(*_fact_where(f), *conditions)
    return query, at


async def in_progress(session: AsyncSession, f: Filter, now: datetime) -> tuple[int, int]:
    """(within time, past due) of dossiers open at the end of the period.

    A period that reaches today: the open facts now (a small partial index). A past period:
    the running counters summed to its last day, never a scan of the history's facts.
    """
    if f.end <= now:
        open_, overdue = await running(session, f, f.date_to)
        return open_ - overdue, overdue
    query, _ = _in_progress_query(f, now)
    row = (await session.execute(query)).one()
    return int(row.within), int(row.total) - int(row.within)


async def in_progress_by_tenant(
    session: AsyncSession, f: Filter, now: datetime
) -> dict[str, tuple[int, int]]:
    if f.end <= now:
        by_tenant = await running_by_tenant(session, f, f.date_to)
        return {t: (o - late, late) for t, (o, late) in by_tenant.items() if o or late}
    query, _ = _in_progress_query(f, now)
    query = query.add_columns(F.c.resolving_tenant_id).group_by(F.c.resolving_tenant_id)
    rows = (await session.execute(query)).all()
    return {r.resolving_tenant_id: (int(r.within), int(r.total) - int(r.within)) for r in rows}


async def median_processing_seconds(
    session: AsyncSession, f: Filter, counters: dict[str, int]
) -> tuple[float | None, str]:
    """Median working time of the dossiers completed in the period, and how it was found.

    Up to `EXACT_MEDIAN_LIMIT` dossiers (a commune, a month): exact, from the facts. Beyond
    that, from the rollups' histogram (linear inside the bucket that holds the middle):
    medians do not add up across rows, bucket counts do. The answer says which ("exact" /
    "histogram").
    """
    count = counters.get("processing_count", 0)
    if count == 0:
        return None, "exact"
    if count > EXACT_MEDIAN_LIMIT:
        return histogram_median([counters[h] for h in HIST]), "histogram"
    where = [
        *_fact_where(f),
        F.c.completed_at >= f.start,
        F.c.completed_at < f.end,
        F.c.processing_seconds.is_not(None),
    ]
    if session.get_bind().dialect.name == "postgresql":
        median = func.percentile_cont(0.5).within_group(F.c.processing_seconds)
        value = await session.scalar(select(median).where(*where))
        return (None if value is None else float(value)), "exact"
    values = (await session.scalars(select(F.c.processing_seconds).where(*where))).all()
    return (float(statistics.median(values)) if values else None), "exact"


async def open_dossiers(
    session: AsyncSession, f: Filter, *, before: datetime, limit: int = _LATE_LIST_LIMIT
) -> Sequence[Any]:
    """Open dossiers whose due moment is before `before`, or that workflow flagged at risk."""
    query = (
        select(
            F.c.dossier_code,
            F.c.resolving_tenant_id,
            F.c.receiving_tenant_id,
            F.c.procedure_code,
            F.c.field_code,
            F.c.channel,
            F.c.received_at,
            F.c.due_at,
            F.c.rescheduled_due_at,
            F.c.apology_at,
            F.c.at_risk_at,
            F.c.supplement_requested_at,
            F.c.supplement_received_at,
        )
        .where(*_fact_where(f), *_open_now(), F.c.due_at.is_not(None))
        .where(or_(F.c.due_at < before, F.c.at_risk_at.is_not(None)))
        .order_by(F.c.due_at, F.c.dossier_code)
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def overdue_by_tenant(session: AsyncSession, now: datetime) -> dict[str, int]:
    query = (
        select(F.c.resolving_tenant_id, func.count())
        .where(F.c.resolving_tenant_id.is_not(None), *_open_now(), F.c.due_at < now)
        .where(or_(F.c.supplement_requested_at.is_(None), F.c.supplement_received_at.is_not(None)))
        .group_by(F.c.resolving_tenant_id)
    )
    return {t: int(n) for t, n in (await session.execute(query)).all()}


async def tenant_rows(session: AsyncSession) -> list[Any]:
    return list((await session.execute(select(tenants).order_by(tenants.c.tenant_id))).all())


async def active_tenant_ids(session: AsyncSession, since: date) -> list[str]:
    """Communes with dossiers since a day, configured or not (before TenantConfigured)."""
    query = select(D.c.tenant_id).where(D.c.day >= since).distinct()
    return sorted(await session.scalars(query))


async def totals_by(session: AsyncSession, f: Filter, column: str) -> dict[str, dict[str, int]]:
    """Counters per procedure or per field."""
    rows = ru.period_rows(f)
    key = rows.c[column]
    query = select(key.label("k"), *ru.sums(rows, SUMMED)).group_by(key)
    return {r.k: _counters(r) for r in (await session.execute(query)).all()}
