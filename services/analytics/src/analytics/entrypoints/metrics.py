"""Business gauges per commune for Prometheus; labels are communes only (bounded)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from prometheus_client import Gauge

from analytics.adapters import read_models as rm
from analytics.application.filters import Filter
from analytics.domain.days import local_day, month_start
from analytics.entrypoints.deps import AnalyticsDeps

log = logging.getLogger(__name__)

OVERDUE = Gauge(
    "motcua_commune_overdue_dossiers", "Open dossiers past their due moment", ["tenant"]
)
ON_TIME = Gauge(
    "motcua_commune_on_time_ratio",
    "Resolved early or on time ÷ resolved, this month so far",
    ["tenant"],
)
INFO = Gauge(
    "motcua_commune_info",
    "1 per commune: its name and cohorts, to join on `tenant` in dashboards",
    ["tenant", "name", "cohorts"],
)
APOLOGIES = Gauge(
    "motcua_commune_apologies_month", "Apology notices issued this month so far", ["tenant"]
)


async def refresh_gauges(deps: AnalyticsDeps) -> int:
    """Sets every gauge from the database; returns the number of communes."""
    now = deps.clock.now()
    today = local_day(now)
    month = Filter(tenants=None, date_from=month_start(today), date_to=today)
    async with deps.sessions() as session:
        overdue = await rm.overdue_by_tenant(session, now)
        by_tenant = await rm.totals_by_tenant(session, month)
        configured = await rm.tenant_rows(session)
    known = {r.tenant_id for r in configured}
    INFO.clear()  # a renamed commune must not keep its old name as a second series
    for row in configured:
        INFO.labels(row.tenant_id, row.name_vi, row.cohorts).set(1)
    for tenant in known | set(overdue) | set(by_tenant):
        counters = by_tenant.get(tenant, {})
        resolved = sum(counters.get(k, 0) for k in ("resolved_early", "resolved_on_time"))
        total = resolved + counters.get("resolved_late", 0)
        OVERDUE.labels(tenant).set(overdue.get(tenant, 0))
        ON_TIME.labels(tenant).set(resolved / total if total else float("nan"))
        APOLOGIES.labels(tenant).set(counters.get("apologies", 0))
    return len(known | set(overdue) | set(by_tenant))


async def run_gauges(deps: AnalyticsDeps, stop: asyncio.Event) -> None:
    """Refreshes until stopped; a failed refresh is logged and retried at the next tick."""
    period = deps.settings.metrics_refresh_seconds
    while not stop.is_set():
        try:
            await refresh_gauges(deps)
        except Exception:
            log.exception("gauge refresh failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=period)
