"""The statutory-clock library behind intake's port: the appointment date on the receipt."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from intake.application.ports import (
    ProcedureInfo,
    ProcedureStep,
    ProcedureTerms,
    RequiredDocument,
)
from intake.domain.errors import DomainError

_CACHE_LIMIT = 4096


def _unknown_procedure() -> DomainError:
    return DomainError(
        "procedure.unknown",
        "Không tìm thấy thủ tục hành chính có mã này, hoặc thủ tục chưa có hiệu lực.",
        field="procedure_code",
    )


class CatalogueClock:
    """Loads the catalogue and national calendar on first use (start-up stays cheap)."""

    def __init__(self) -> None:
        self._catalogue: Any = None
        self._calendar: Any = None
        # Every registration asks for a commune's calendar and a procedure's description;
        # both are pure functions of their inputs, kept here (bounded: cleared when full).
        self._calendars: dict[str, Any] = {}
        self._infos: dict[tuple[str, str], ProcedureInfo] = {}

    def _load(self) -> tuple[Any, Any]:
        if self._catalogue is None:
            import motcua_clock as mc

            self._catalogue = mc.load_catalogue()
            self._calendar = mc.load_calendar()
        return self._catalogue, self._calendar

    def _tenant_calendar(self, tenant_config: dict[str, object]) -> Any:
        import motcua_clock as mc

        key = json.dumps(tenant_config, sort_keys=True, default=str)
        calendar = self._calendars.get(key)
        if calendar is None:
            _, national = self._load()
            # Office hours, closures and extra working days come from the tenant's own config.
            calendar = national.for_tenant(mc.TenantConfig.from_dict(tenant_config))
            if len(self._calendars) >= _CACHE_LIMIT:
                self._calendars.clear()
            self._calendars[key] = calendar
        return calendar

    def _info(self, version: Any) -> ProcedureInfo:
        key = (version.code, version.version)
        info = self._infos.get(key)
        if info is None:
            if len(self._infos) >= _CACHE_LIMIT:
                self._infos.clear()
            info = self._infos[key] = _info(version)
        return info

    def _version(self, code: str, at: datetime | None, version: str | None = None) -> Any:
        import motcua_clock as mc

        catalogue, _ = self._load()
        try:
            if version is not None:
                return catalogue.get(code, version)
            return catalogue.version_at(code, at)
        except (mc.UnknownProcedure, mc.NoVersionInForce) as exc:
            raise _unknown_procedure() from exc

    def _due(
        self,
        version: Any,
        start: datetime,
        config: dict[str, object],
        verify: bool,
        promised: float | None = None,
    ) -> Any:
        import motcua_clock as mc

        # The appointment on the receipt: no pause or apology yet (workflow owns those).
        return mc.compute_due(
            start,
            version,
            self._tenant_calendar(config),
            verification=verify,
            promised_working_days=promised,
        )

    def terms_for(
        self,
        *,
        procedure_code: str,
        received_at: datetime,
        tenant_config: dict[str, object],
        verification: bool,
        promised_working_days: float | None = None,
    ) -> ProcedureTerms:
        version = self._version(procedure_code, received_at)
        due = self._due(version, received_at, tenant_config, verification, promised_working_days)
        return ProcedureTerms(procedure=self._info(version), due_at=due)

    def due_after_supplement(
        self,
        *,
        procedure_code: str,
        procedure_version: str,
        received_at: datetime,
        requested_at: datetime,
        supplied_at: datetime,
        channel: str,
        tenant_config: dict[str, object],
        verification: bool,
        promised_working_days: float | None = None,
    ) -> datetime:
        import motcua_clock as mc

        version = self._version(procedure_code, None, procedure_version)
        snapshot = mc.compute_clock(
            received_at,
            version,
            self._tenant_calendar(tenant_config),
            history=(mc.ClockEvent.paused(requested_at), mc.ClockEvent.resumed(supplied_at)),
            now=supplied_at,
            verification=verification,
            channel=channel,
            strict=False,
            promised_working_days=promised_working_days,
        )
        return snapshot.due_at

    def procedure(self, procedure_code: str, procedure_version: str) -> ProcedureInfo:
        return self._info(self._version(procedure_code, None, procedure_version))

    def in_force(self, at: datetime) -> list[ProcedureInfo]:
        import motcua_clock as mc

        catalogue, _ = self._load()
        found = []
        for code in catalogue.codes():
            try:
                found.append(self._info(catalogue.version_at(code, at)))
            except (mc.UnknownProcedure, mc.NoVersionInForce):
                continue  # not (or no longer) in force on that day
        return found

    def office_open(
        self, at: datetime, tenant_config: dict[str, object]
    ) -> tuple[bool | None, bool | None]:
        """(a working day?, within office hours?) in the commune's calendar; None when the
        calendar does not cover that day."""
        from motcua_clock.timeutil import VN_TZ

        calendar = self._tenant_calendar(tenant_config)
        local = at.astimezone(VN_TZ)
        try:
            working = bool(calendar.is_working_day(local.date()))
        except Exception:  # outside the calendar's years
            return None, None
        second = local.hour * 3600 + local.minute * 60 + local.second
        within = any(start <= second < end for start, end in calendar.sessions())
        return working, within


def _info(version: Any) -> ProcedureInfo:
    return ProcedureInfo(
        code=version.code,
        version=version.version,
        name_vi=version.name_vi,
        field_code=version.field_code,
        field_vi=version.field_vi,
        time_limit_vi=version.time_limit.label_vi(),
        steps=tuple(ProcedureStep(s.key, s.name_vi, s.actor_vi) for s in version.steps),
        practices=tuple(sorted(version.practices)),
        fees_vi=tuple(
            f"{f.name_vi}: {f.amount_vnd:,} đồng".replace(",", ".")
            if f.amount_vnd is not None
            else f"{f.name_vi}: {f.rule_vi}"
            for f in version.fees
        ),
        documents=tuple(
            RequiredDocument(d.name_vi, d.form, d.form_vi, d.note_vi) for d in version.documents
        ),
    )
