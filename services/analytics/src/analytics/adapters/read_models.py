"""Read queries for the API: aggregates for sums, facts for what is open and for medians."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from analytics.adapters.tables import daily_indicators, dossier_facts, tenants
from analytics.application.filters import Filter
from analytics.domain.contributions import COUNTERS

D = daily_indicators
F = dossier_facts
_LATE_LIST_LIMIT = 500


def _daily_where(f: Filter) -> list[ColumnElement[bool]]:
    where = [D.c.day >= f.date_from, D.c.day <= f.date_to]
    if f.tenants is not None:
        where.append(D.c.tenant_id.in_(f.tenants))
    if f.procedures:
        where.append(D.c.procedure_code.in_(f.procedures))
    if f.fields:
        where.append(D.c.field_code.in_(f.fields))
    if f.exclude:
        where.append(D.c.tenant_id.not_in(f.exclude))
    return where


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


def _sums() -> list[Any]:
    return [func.coalesce(func.sum(D.c[n]), 0).label(n) for n in COUNTERS]


async def totals(session: AsyncSession, f: Filter) -> dict[str, int]:
    row = (await session.execute(select(*_sums()).where(*_daily_where(f)))).one()
    return {n: int(row._mapping[n]) for n in COUNTERS}


async def totals_by_tenant(session: AsyncSession, f: Filter) -> dict[str, dict[str, int]]:
    query = select(D.c.tenant_id, *_sums()).where(*_daily_where(f)).group_by(D.c.tenant_id)
    rows = (await session.execute(query)).all()
    return {r.tenant_id: {n: int(r._mapping[n]) for n in COUNTERS} for r in rows}


async def totals_by_day(session: AsyncSession, f: Filter) -> dict[date, dict[str, int]]:
    query = select(D.c.day, *_sums()).where(*_daily_where(f)).group_by(D.c.day)
    rows = (await session.execute(query)).all()
    return {r.day: {n: int(r._mapping[n]) for n in COUNTERS} for r in rows}


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
    """(within time, past due) of dossiers open at the end of the period."""
    query, _ = _in_progress_query(f, now)
    row = (await session.execute(query)).one()
    return int(row.within), int(row.total) - int(row.within)


async def in_progress_by_tenant(
    session: AsyncSession, f: Filter, now: datetime
) -> dict[str, tuple[int, int]]:
    query, _ = _in_progress_query(f, now)
    query = query.add_columns(F.c.resolving_tenant_id).group_by(F.c.resolving_tenant_id)
    rows = (await session.execute(query)).all()
    return {r.resolving_tenant_id: (int(r.within), int(r.total) - int(r.within)) for r in rows}


async def median_processing_seconds(session: AsyncSession, f: Filter) -> float | None:
    """Exact median over the dossiers completed in the period (facts, not aggregates)."""
    where = [
        *_fact_where(f),
        F.c.completed_at >= f.start,
        F.c.completed_at < f.end,
        F.c.processing_seconds.is_not(None),
    ]
    if session.get_bind().dialect.name == "postgresql":
        median = func.percentile_cont(0.5).within_group(F.c.processing_seconds)
        value = await session.scalar(select(median).where(*where))
        return None if value is None else float(value)
    values = (await session.scalars(select(F.c.processing_seconds).where(*where))).all()
    return float(statistics.median(values)) if values else None


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
    key = D.c[column]
    query = select(key.label("k"), *_sums()).where(*_daily_where(f)).group_by(key)
    rows = (await session.execute(query)).all()
    return {r.k: {n: int(r._mapping[n]) for n in COUNTERS} for r in rows}
