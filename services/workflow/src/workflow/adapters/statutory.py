"""The statutory-clock library behind workflow: catalogue, calendar with recorded changes,
and each commune's effective calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

import motcua_clock as mc
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.job_repo import NATIONAL_CHECKED
from workflow.adapters.tables import calendar_changes
from workflow.adapters.tenant_repo import TenantInfo
from workflow.domain.calendar_plan import blend


def tenant_config(info: TenantInfo | None) -> mc.TenantConfig:
    """TenantConfigured (office hours, closures) as the library's TenantConfig."""
    if info is None or not info.config:
        return mc.TenantConfig()
    raw: dict[str, Any] = info.config
    hours = raw.get("office_hours") or {}
    return mc.TenantConfig(
        tenant_id=info.tenant_id,
        office_hours=mc.OfficeHours.from_dict(hours),
        closures=tuple(
            mc.DayOff(date.fromisoformat(d), "closure", "Đơn vị nghỉ")
            for d in raw.get("closures", ())
        ),
    )


def change_of(row: Any) -> mc.CalendarChanged:
    return mc.CalendarChanged(
        kind=row.kind, day=row.day, day_kind=row.day_kind, name_vi=row.name_vi, source=row.source
    )


class Statutory:
    """Loaded once per process; the national calendar is re-folded when changes are added."""

    def __init__(
        self, catalogue: mc.Catalogue | None = None, national: mc.NationalCalendar | None = None
    ) -> None:
        self._catalogue = catalogue
        self._base = national
        self._folded: tuple[tuple[int, Any], mc.NationalCalendar] | None = None
        self._configs: dict[tuple[str, int], mc.TenantConfig] = {}

    @property
    def catalogue(self) -> mc.Catalogue:
        if self._catalogue is None:
            self._catalogue = mc.load_catalogue()
        return self._catalogue

    @property
    def base_calendar(self) -> mc.NationalCalendar:
        if self._base is None:
            self._base = mc.load_calendar()
        return self._base

    def procedure(self, code: str, version: str) -> mc.ProcedureVersion:
        return self.catalogue.get(code, version)

    async def national(self, session: AsyncSession) -> mc.NationalCalendar:
        """The calendar file plus every recorded change, in the order they were recorded.

        Checked once per transaction (a consumer batch): a change recorded in it
        (`job_repo.add_change`) drops the check, so the events after it see the change."""
        held = session.info.get(NATIONAL_CHECKED)
        if held is not None:
            return held  # type: ignore[no-any-return]
        t = calendar_changes
        key = tuple((await session.execute(select(func.count(), func.max(t.c.recorded_at)))).one())
        if self._folded is not None and self._folded[0] == key:
            session.info[NATIONAL_CHECKED] = self._folded[1]
            return self._folded[1]
        calendar = self.base_calendar
        rows = (await session.execute(select(t).order_by(t.c.recorded_at, t.c.change_id))).all()
        for row in rows:
            calendar = calendar.with_change(change_of(row))
        self._folded = ((int(key[0]), key[1]), calendar)
        session.info[NATIONAL_CHECKED] = calendar
        return calendar

    def tenant_calendar(
        self, national: mc.NationalCalendar, info: TenantInfo | None
    ) -> mc.TenantCalendar:
        if info is None:
            return national.for_tenant(mc.TenantConfig())
        return national.for_tenant(self._config(info))

    def dossier_calendar(
        self, national: mc.NationalCalendar, plan: list[tuple[TenantInfo | None, date | None]]
    ) -> mc.TenantCalendar:
        """The calendar of a dossier whose plan names several units (see calendar_plan)."""
        configs = [
            (self._config(info) if info is not None else mc.TenantConfig(), since)
            for info, since in plan
        ]
        return national.for_tenant(blend(configs))

    def _config(self, info: TenantInfo) -> mc.TenantConfig:
        cache_key = (info.tenant_id, info.revision)
        config = self._configs.get(cache_key)
        if config is None:
            config = self._configs[cache_key] = tenant_config(info)
        return config
