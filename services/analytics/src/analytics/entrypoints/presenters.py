"""Use-case results to response models; names of communes from TenantConfigured."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analytics.application.filters import Filter
from analytics.application.queries import LateDossier, RankingRow, Report, SeriesPoint
from analytics.entrypoints import schemas as s


def report_out(report: Report, f: Filter) -> s.ReportOut:
    t = report.totals
    return s.ReportOut(
        period=s.PeriodOut(date_from=f.date_from, date_to=f.date_to),
        communes=None if f.tenants is None else list(f.tenants),
        as_of=report.as_of,
        counts=s.CountsOut(
            received=t["received"],
            received_online=t["received_online"],
            resolved=t.resolved,
            resolved_early=t["resolved_early"],
            resolved_on_time=t["resolved_on_time"],
            resolved_late=t["resolved_late"],
            in_progress_within_time=t.in_progress_within,
            overdue_now=t.in_progress_overdue,
            supplements=t["supplements"],
            refusals=t["refusals"],
            withdrawals=t["withdrawals"],
            apologies=t["apologies"],
            apologies_late=t["apologies_late"],
            returned=t["returned"],
            returned_online=t["returned_online"],
        ),
        indicators=[s.IndicatorOut(**vars(i)) for i in report.indicators],
        mean_processing_hours=report.mean_processing_hours,
        median_processing_hours=report.median_processing_hours,
        median_method=report.median_method,  # type: ignore[arg-type]
        satisfaction=s.SatisfactionOut(
            khong_hai_long=t["rated_khong_hai_long"],
            hai_long=t["rated_hai_long"],
            rat_hai_long=t["rated_rat_hai_long"],
            rated=t.rated,
            mean_evaluation_points=report.mean_evaluation_points,
            evaluation_count=t["evaluation_count"],
        ),
    )


def series_point_out(p: SeriesPoint) -> s.SeriesPointOut:
    t = p.totals
    return s.SeriesPointOut(
        start=p.start,
        received=t["received"],
        resolved=t.resolved,
        resolved_early=t["resolved_early"],
        resolved_on_time=t["resolved_on_time"],
        resolved_late=t["resolved_late"],
        apologies=t["apologies"],
        on_time_rate=p.on_time_rate,
    )


def ranking_row_out(row: RankingRow, communes: Mapping[str, Any]) -> s.RankingRowOut:
    t = row.report.totals
    values = {i.key: i for i in row.report.indicators}
    info = communes.get(row.tenant_id)
    return s.RankingRowOut(
        rank=row.rank,
        tenant_id=row.tenant_id,
        name_vi=info.name_vi if info else row.tenant_id,
        cohorts=_cohorts(info),
        received=t["received"],
        resolved=t.resolved,
        resolved_late=t["resolved_late"],
        overdue_now=t.in_progress_overdue,
        apologies=t["apologies"],
        on_time_rate=values["on_time_rate"].value,
        group2=values["d766_group2"].value,
        group2_points=values["d766_group2"].points,
        s54=values["d766_5_4"].value,
    )


def late_out(d: LateDossier, communes: Mapping[str, Any]) -> s.LateDossierOut:
    info = communes.get(d.tenant_id)
    return s.LateDossierOut(
        dossier_code=d.dossier_code,
        tenant_id=d.tenant_id,
        name_vi=info.name_vi if info else d.tenant_id,
        procedure_code=d.procedure_code,
        field_code=d.field_code,
        channel=d.channel,
        received_at=d.received_at,
        due_at=d.due_at,
        rescheduled_due_at=d.rescheduled_due_at,
        apology_issued=d.apology_issued,
        status=d.status,
        working_hours_left=d.working_hours_left,
    )


def _cohorts(info: Any) -> list[str]:
    return [c for c in (info.cohorts.split(",") if info else []) if c]


def commune_out(tenant_id: str, info: Any) -> s.CommuneOut:
    return s.CommuneOut(
        tenant_id=tenant_id,
        name_vi=info.name_vi if info else tenant_id,
        unit_type=info.unit_type if info else None,
        status=info.status if info else None,
        cohorts=_cohorts(info),
    )
