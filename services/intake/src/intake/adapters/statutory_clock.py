"""The statutory-clock library behind intake's port: the appointment date on the receipt."""

from __future__ import annotations

from datetime import datetime

import motcua_clock as mc

from intake.application.ports import ProcedureTerms
from intake.domain.errors import DomainError


class CatalogueClock:
    def __init__(self) -> None:
        self._catalogue = mc.load_catalogue()
        self._calendar = mc.load_calendar()

    def terms_for(
        self,
        *,
        procedure_code: str,
        received_at: datetime,
        tenant_config: dict[str, object],
        verification: bool,
    ) -> ProcedureTerms:
        try:
            version = self._catalogue.version_at(procedure_code, received_at)
        except (mc.UnknownProcedure, mc.NoVersionInForce) as exc:
            raise DomainError(
                "procedure.unknown",
                "Không tìm thấy thủ tục hành chính có mã này, hoặc thủ tục chưa có hiệu lực.",
                field="procedure_code",
            ) from exc
        calendar = mc.tenant_calendar_from_config(self._calendar, tenant_config)
        snapshot = mc.compute_clock(received_at, version, calendar, verification=verification)
        return ProcedureTerms(
            procedure_code=version.code,
            procedure_version=version.version,
            field_code=version.field_code,
            due_at=snapshot.due_at,
        )
