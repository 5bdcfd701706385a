"""Request-scoped dependencies: who asks, which communes they may read, the filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from motcua_platform.auth.fastapi import CurrentPrincipal
from motcua_platform.clock import Clock
from motcua_platform.errors import DomainError
from motcua_platform.inputs import BoundedDate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from analytics.adapters import read_models as rm
from analytics.application.filters import Filter
from analytics.application.ports import WorkingTime
from analytics.domain.access import Scope, scope_for
from analytics.domain.days import local_day, month_start
from analytics.domain.mergers import with_predecessors
from analytics.settings import AnalyticsSettings

MAX_DAYS = 3 * 366


@dataclass
class AnalyticsDeps:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    settings: AnalyticsSettings
    working_time: WorkingTime


def get_deps(request: Request) -> AnalyticsDeps:
    deps: AnalyticsDeps = request.app.state.deps
    return deps


Deps = Annotated[AnalyticsDeps, Depends(get_deps)]


async def get_scope(principal: CurrentPrincipal) -> Scope:
    return scope_for(principal.roles, principal.tenant_id)


ScopeDep = Annotated[Scope, Depends(get_scope)]


async def get_filter(
    deps: Deps,
    scope: ScopeDep,
    commune: Annotated[list[str] | None, Query(description="Mã xã (lặp lại được)")] = None,
    date_from: Annotated[BoundedDate | None, Query(alias="from", description="Từ ngày")] = None,
    date_to: Annotated[
        BoundedDate | None, Query(alias="to", description="Đến ngày (kể cả)")
    ] = None,
    procedure: Annotated[list[str] | None, Query(description="Mã thủ tục")] = None,
    field: Annotated[list[str] | None, Query(description="Mã lĩnh vực")] = None,
    cohort: Annotated[str | None, Query(description="Nhóm xã, ví dụ: pilot")] = None,
    not_cohort: Annotated[str | None, Query(description="Các xã ngoài nhóm này")] = None,
    predecessors: Annotated[
        bool,
        Query(
            description=(
                "Gộp lịch sử của các đơn vị đã sáp nhập vào xã được chọn (mặc định có); "
                "false: xem từng đơn vị đúng như trước khi sáp nhập"
            )
        ),
    ] = True,
) -> Filter:
    """Defaults to this month so far; a commune account is narrowed to its own commune."""
    today = local_day(deps.clock.now())
    start = date_from or month_start(today)
    end = date_to or today
    if start > end:
        raise DomainError(
            "query.period_reversed", "Ngày bắt đầu phải trước ngày kết thúc.", field="from"
        )
    if end - start > timedelta(days=MAX_DAYS):
        raise DomainError(
            "query.period_too_long", "Khoảng thời gian tối đa là 3 năm.", field="from"
        )
    tenants = scope.narrow(commune)
    exclude: tuple[str, ...] = ()
    rows: list[Any] = []
    if tenants is not None or cohort or not_cohort:  # the whole province needs no names
        async with deps.sessions() as session:
            rows = await rm.tenant_rows(session)
    if cohort:
        members = {r.tenant_id for r in rows if cohort in r.cohorts.split(",")}
        tenants = sorted(members if tenants is None else members & set(tenants))
    if not_cohort:
        exclude = tuple(sorted(r.tenant_id for r in rows if not_cohort in r.cohorts.split(",")))
    merged_into = {r.tenant_id: r.merged_into for r in rows if r.merged_into}
    if predecessors and merged_into and tenants is not None:  # C shown with A's and B's past
        tenants = with_predecessors(tenants, merged_into)
    return Filter(
        tenants=None if tenants is None else tuple(tenants),
        date_from=start,
        date_to=end,
        procedures=tuple(procedure or ()),
        fields=tuple(field or ()),
        exclude=exclude,
        predecessors=predecessors,
    )


FilterDep = Annotated[Filter, Depends(get_filter)]

__all__ = ["Deps", "FilterDep", "ScopeDep"]
