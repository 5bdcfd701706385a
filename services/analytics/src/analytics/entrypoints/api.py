"""Analytics' API: indicators, time series, ranking, the live late list, CSV. Thin routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from motcua_clock import VN_TZ
from motcua_platform.inputs import BoundedDate
from sqlalchemy import func, select

from analytics.adapters import read_models as rm
from analytics.adapters.tables import daily_indicators
from analytics.application import queries
from analytics.domain.days import local_day
from analytics.domain.indicators import Totals, mean_processing_hours, ratio
from analytics.entrypoints import presenters as p
from analytics.entrypoints import schemas as s
from analytics.entrypoints.csv_export import csv_response
from analytics.entrypoints.deps import Deps, FilterDep, ScopeDep

router = APIRouter(prefix="/api/v1", tags=["giám sát"])

Format = Annotated[Literal["json", "csv"], Query(description="json hoặc csv")]
# `format=csv` answers a CSV file: declared, so a client reading the OpenAPI expects it.
CSV_TOO: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON hoặc CSV"}
}
Granularity = Annotated[Literal["day", "week", "month"], Query(description="ngày, tuần, tháng")]
_PCT = "{:.4f}"


def _pct(value: float | None) -> str:
    return "" if value is None else _PCT.format(value)


async def _communes(deps: Deps) -> dict[str, Any]:
    async with deps.sessions() as session:
        return {r.tenant_id: r for r in await rm.tenant_rows(session)}


@router.get(
    "/indicators",
    response_model=s.ReportOut,
    summary="Chỉ số: đúng hạn, trễ hạn, xin lỗi, hài lòng, Quyết định 766",
    responses={**CSV_TOO, 403: {"model": s.ErrorOut}},
)
async def indicators(deps: Deps, f: FilterDep, format: Format = "json") -> Any:
    async with deps.sessions() as session:
        report = await queries.indicator_report(session, f, deps.settings.targets, deps.clock.now())
    out = p.report_out(report, f)
    if format == "csv":
        return csv_response(
            "chi-so.csv",
            ["Chỉ số", "Giá trị", "Tử số", "Mẫu số", "Chỉ tiêu", "Điểm", "Công thức"],
            [
                (
                    i.label_vi,
                    _pct(i.value),
                    i.numerator,
                    i.denominator,
                    i.target,
                    i.points,
                    i.formula_vi,
                )
                for i in out.indicators
            ],
        )
    return out


@router.get(
    "/indicators/timeseries",
    response_model=s.SeriesOut,
    responses=CSV_TOO,
    summary="Chuỗi thời gian theo ngày, tuần hoặc tháng",
)
async def timeseries(
    deps: Deps, f: FilterDep, granularity: Granularity = "day", format: Format = "json"
) -> Any:
    async with deps.sessions() as session:
        points = await queries.time_series(session, f, granularity)
    out = s.SeriesOut(granularity=granularity, points=[p.series_point_out(x) for x in points])
    if format == "csv":
        return csv_response(
            "chuoi-thoi-gian.csv",
            [
                "Từ ngày",
                "Tiếp nhận",
                "Đã giải quyết",
                "Trước hạn",
                "Đúng hạn",
                "Trễ hạn",
                "Xin lỗi",
                "Tỷ lệ đúng hạn",
            ],
            [
                (
                    x.start,
                    x.received,
                    x.resolved,
                    x.resolved_early,
                    x.resolved_on_time,
                    x.resolved_late,
                    x.apologies,
                    _pct(x.on_time_rate),
                )
                for x in out.points
            ],
        )
    return out


@router.get(
    "/ranking",
    response_model=list[s.RankingRowOut],
    responses=CSV_TOO,
    summary="Xếp hạng các xã",
)
async def ranking(deps: Deps, f: FilterDep, format: Format = "json") -> Any:
    communes = await _communes(deps)
    configured = [t for t in communes if f.tenants is None or t in f.tenants]
    async with deps.sessions() as session:
        rows = await queries.ranking(
            session, f, deps.settings.targets, deps.clock.now(), include=configured
        )
    out = [p.ranking_row_out(r, communes) for r in rows]
    if format == "csv":
        return csv_response(
            "xep-hang-xa.csv",
            [
                "Hạng",
                "Mã xã",
                "Tên xã",
                "Nhóm",
                "Tiếp nhận",
                "Đã giải quyết",
                "Trễ hạn",
                "Đang quá hạn",
                "Xin lỗi",
                "Tỷ lệ đúng hạn",
                "Nhóm 2 (QĐ 766)",
                "Điểm nhóm 2",
                "Chỉ số 5.4",
            ],
            [
                (
                    r.rank,
                    r.tenant_id,
                    r.name_vi,
                    " ".join(r.cohorts),
                    r.received,
                    r.resolved,
                    r.resolved_late,
                    r.overdue_now,
                    r.apologies,
                    _pct(r.on_time_rate),
                    _pct(r.group2),
                    r.group2_points,
                    _pct(r.s54),
                )
                for r in out
            ],
        )
    return out


@router.get(
    "/late-dossiers",
    response_model=list[s.LateDossierOut],
    responses=CSV_TOO,
    summary="Hồ sơ trễ hạn và sắp đến hạn (trực tiếp; chỉ mã hồ sơ, không có dữ liệu cá nhân)",
)
async def late_dossiers(deps: Deps, f: FilterDep, format: Format = "json") -> Any:
    communes = await _communes(deps)
    async with deps.sessions() as session:
        rows = await queries.late_dossiers(
            session,
            f,
            deps.clock.now(),
            deps.working_time,
            deps.settings.at_risk_working_hours,
        )
    out = [p.late_out(r, communes) for r in rows]
    if format == "csv":
        return csv_response(
            "ho-so-tre-han.csv",
            [
                "Mã hồ sơ",
                "Mã xã",
                "Tên xã",
                "Thủ tục",
                "Lĩnh vực",
                "Kênh",
                "Tiếp nhận",
                "Hạn trả",
                "Hẹn lại",
                "Đã xin lỗi",
                "Tình trạng",
                "Giờ làm việc còn lại",
            ],
            [
                (
                    d.dossier_code,
                    d.tenant_id,
                    d.name_vi,
                    d.procedure_code,
                    d.field_code,
                    d.channel,
                    d.received_at,
                    d.due_at,
                    d.rescheduled_due_at,
                    "có" if d.apology_issued else "không",
                    "trễ hạn" if d.status == "late" else "sắp đến hạn",
                    d.working_hours_left,
                )
                for d in out
            ],
        )
    return out


@router.get(
    "/breakdown",
    response_model=list[s.BreakdownRowOut],
    summary="Chỉ số theo thủ tục hoặc lĩnh vực",
)
async def breakdown(
    deps: Deps,
    f: FilterDep,
    by: Annotated[Literal["procedure", "field"], Query(description="thủ tục hoặc lĩnh vực")] = (
        "procedure"
    ),
) -> list[s.BreakdownRowOut]:
    async with deps.sessions() as session:
        rows = await rm.totals_by(session, f, f"{by}_code")
    out = []
    for key, counters in sorted(rows.items()):
        t = Totals(counters)
        out.append(
            s.BreakdownRowOut(
                key=key,
                received=t["received"],
                resolved=t.resolved,
                resolved_late=t["resolved_late"],
                apologies=t["apologies"],
                on_time_rate=ratio(t["resolved_early"] + t["resolved_on_time"], t.resolved),
                mean_processing_hours=mean_processing_hours(t),
            )
        )
    return out


@router.get(
    "/export.csv",
    summary="Xuất CSV (kind: indicators, timeseries, ranking, late)",
    response_class=Response,
)
async def export_csv(
    deps: Deps,
    f: FilterDep,
    kind: Annotated[Literal["indicators", "timeseries", "ranking", "late"], Query()] = "ranking",
    granularity: Granularity = "day",
) -> Any:
    if kind == "indicators":
        return await indicators(deps, f, "csv")
    if kind == "timeseries":
        return await timeseries(deps, f, granularity, "csv")
    if kind == "late":
        return await late_dossiers(deps, f, "csv")
    return await ranking(deps, f, "csv")


@router.get("/clock", response_model=s.ClockOut, summary="Giờ của nền tảng (giờ Việt Nam)")
async def clock(deps: Deps) -> s.ClockOut:
    """The platform's now, which runs ahead of the wall clock in a simulation: the dashboard
    takes its "today" (the default period) from here, never from the browser's date."""
    now = deps.clock.now().astimezone(VN_TZ)
    return s.ClockOut(now=now, today=now.date())


@router.get("/communes", response_model=list[s.CommuneOut], summary="Các xã trong phạm vi được xem")
async def communes(deps: Deps, scope: ScopeDep) -> list[s.CommuneOut]:
    configured = await _communes(deps)
    since = local_day(deps.clock.now()) - timedelta(days=400)
    async with deps.sessions() as session:
        active = await rm.active_tenant_ids(session, since)
    ids = sorted(set(configured) | set(active))
    return [p.commune_out(t, configured.get(t)) for t in ids if scope.allows(t)]


@router.get(
    "/indicators/received",
    response_model=list[s.ReceivedByCommune],
    summary="Số hồ sơ tiếp nhận theo xã (giữ cho tương thích)",
)
async def received(
    deps: Deps,
    scope: ScopeDep,
    tenant_id: Annotated[list[str] | None, Query()] = None,
    date_from: BoundedDate | None = None,
    date_to: BoundedDate | None = None,
) -> list[s.ReceivedByCommune]:
    t = daily_indicators
    query = select(t.c.tenant_id, func.sum(t.c.received).label("received")).group_by(t.c.tenant_id)
    allowed = scope.narrow(tenant_id)
    if allowed is not None:
        query = query.where(t.c.tenant_id.in_(allowed))
    if date_from:
        query = query.where(t.c.day >= date_from)
    if date_to:
        query = query.where(t.c.day <= date_to)
    async with deps.sessions() as session:
        rows = (await session.execute(query.order_by(t.c.tenant_id))).all()
    return [s.ReceivedByCommune(tenant_id=r.tenant_id, received=int(r.received)) for r in rows]
