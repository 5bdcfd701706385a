"""Sums over a period from the rollups: whole months from `monthly_indicators`, only the
partial first and last months from `daily_indicators`.

A year for the whole province reads 12 × (communes × procedures) monthly rows instead of
365 × that many daily rows: the indicator API stays fast however long the history is.
Running counters (open / overdue) are summed from the beginning of time to a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, Table, func, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from analytics.adapters.tables import daily_indicators, monthly_indicators
from analytics.application.filters import Filter
from analytics.domain.contributions import COUNTERS, RUNNING
from analytics.domain.days import month_start

D = daily_indicators
M = monthly_indicators
SUMMED = tuple(c for c in COUNTERS if c not in RUNNING)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def last_day(month: date) -> date:
    return next_month(month) - timedelta(days=1)


@dataclass(frozen=True)
class Cover:
    """How a period is read: + whole months, + days, - days (of a month read whole)."""

    months: tuple[date, date] | None = None  # first and last month read from the monthly table
    plus: tuple[tuple[date, date], ...] = ()
    minus: tuple[tuple[date, date], ...] = ()


def split(first: date, last: date) -> Cover:
    """Whole months from the monthly rows; a partial month either as its days inside the
    period or as its monthly row less its days outside the period, whichever reads fewer
    days ("this month so far" = one monthly row less the days still to come, usually none).
    """
    months: list[date] = []
    plus: list[tuple[date, date]] = []
    minus: list[tuple[date, date]] = []
    month = month_start(first)
    while month <= last:
        lo, hi = max(first, month), min(last, last_day(month))
        inside = (hi - lo).days + 1
        outside = (last_day(month) - month).days + 1 - inside
        if outside == 0 or outside < inside:
            months.append(month)
            if lo > month:
                minus.append((month, lo - timedelta(days=1)))
            if hi < last_day(month):
                minus.append((hi + timedelta(days=1), last_day(month)))
        else:
            plus.append((lo, hi))
        month = next_month(month)
    span = (months[0], months[-1]) if months else None
    # whole months are contiguous: any partial month read by days sits at either end
    return Cover(span, tuple(plus), tuple(minus))


def filters(t: Table, f: Filter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.tenants is not None:
        where.append(t.c.tenant_id.in_(f.tenants))
    if f.procedures:
        where.append(t.c.procedure_code.in_(f.procedures))
    if f.fields:
        where.append(t.c.field_code.in_(f.fields))
    if f.exclude:
        where.append(t.c.tenant_id.not_in(f.exclude))
    return where


def _part(
    t: Table,
    when: ColumnElement[Any],
    bounds: list[ColumnElement[bool]],
    f: Filter,
    columns: tuple[str, ...],
    sign: int = 1,
) -> Select[Any]:
    keys = [t.c.tenant_id, t.c.procedure_code, t.c.field_code, when.label("day")]
    values = [t.c[c] if sign > 0 else (-t.c[c]).label(c) for c in columns]
    return select(*keys, *values).where(*bounds, *filters(t, f))


def period_rows(f: Filter, columns: tuple[str, ...] = SUMMED) -> Any:
    """Rows (tenant, procedure, field, day-or-month, counters) that sum to the period."""
    cover = split(f.date_from, f.date_to)
    parts = []
    if cover.months is not None:
        lo, hi = cover.months
        parts.append(_part(M, M.c.month, [M.c.month >= lo, M.c.month <= hi], f, columns))
    for sign, ranges in ((1, cover.plus), (-1, cover.minus)):
        for lo, hi in ranges:
            parts.append(_part(D, D.c.day, [D.c.day >= lo, D.c.day <= hi], f, columns, sign))
    return union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()


def running_rows(f: Filter, day: date) -> Any:
    """Rows whose running counters, summed, give the state at the end of `day`: every month
    up to `day`'s less its later days, or the months before it plus its earlier days."""
    month = month_start(day)
    columns = RUNNING
    if (last_day(month) - day).days < day.day:
        months = _part(M, M.c.month, [M.c.month <= month], f, columns)
        after = [D.c.day > day, D.c.day <= last_day(month)]
        return union_all(months, _part(D, D.c.day, after, f, columns, -1)).subquery()
    months = _part(M, M.c.month, [M.c.month < month], f, columns)
    within = _part(D, D.c.day, [D.c.day >= month, D.c.day <= day], f, columns)
    return union_all(months, within).subquery()


def sums(rows: Any, columns: tuple[str, ...]) -> list[Any]:
    return [func.coalesce(func.sum(rows.c[n]), literal(0)).label(n) for n in columns]
