"""What the use cases need from the outside world; fakes implement the same shapes in tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ProcedureTerms:
    """The procedure version in force at receipt and the appointment computed from it."""

    procedure_code: str
    procedure_version: str
    field_code: str
    due_at: datetime


class StatutoryClock(Protocol):
    def terms_for(
        self,
        *,
        procedure_code: str,
        received_at: datetime,
        tenant_config: dict[str, object],
        verification: bool,
    ) -> ProcedureTerms: ...
