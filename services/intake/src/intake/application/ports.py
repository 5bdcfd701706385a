"""What the use cases need from the outside world; fakes implement the same shapes in tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from intake.domain.access import TenantScope
from intake.domain.dossier import Change, Dossier


@dataclass(frozen=True)
class ProcedureStep:
    key: str
    name_vi: str
    actor_vi: str = ""


@dataclass(frozen=True)
class RequiredDocument:
    """One line of the procedure's dossier composition: the desk's checklist."""

    name_vi: str
    form: str  # original | certified_copy | copy | ... (the catalogue's codes)
    form_vi: str = ""
    note_vi: str = ""


@dataclass(frozen=True)
class ProcedureInfo:
    """What the desk and the citizen's page show about one procedure version."""

    code: str
    version: str
    name_vi: str
    field_code: str
    field_vi: str
    time_limit_vi: str
    steps: tuple[ProcedureStep, ...] = ()
    practices: tuple[str, ...] = ()
    fees_vi: tuple[str, ...] = field(default_factory=tuple)
    documents: tuple[RequiredDocument, ...] = ()


@dataclass(frozen=True)
class ProcedureTerms:
    """The procedure version in force at receipt and the appointment computed from it."""

    procedure: ProcedureInfo
    due_at: datetime

    @property
    def procedure_code(self) -> str:
        return self.procedure.code

    @property
    def procedure_version(self) -> str:
        return self.procedure.version

    @property
    def field_code(self) -> str:
        return self.procedure.field_code


class StatutoryClock(Protocol):
    def terms_for(
        self,
        *,
        procedure_code: str,
        received_at: datetime,
        tenant_config: dict[str, object],
        verification: bool,
        promised_working_days: float | None = None,
    ) -> ProcedureTerms:
        """The version in force at `received_at` and the due moment counted from it (with the
        commune's shorter promise when it has one; never longer than the statutory time)."""
        ...

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
        """The due moment once the supplement arrived: paused and resumed, or restarted, as the
        procedure version's policy for this channel says (the same rule workflow applies)."""
        ...

    def procedure(self, procedure_code: str, procedure_version: str) -> ProcedureInfo: ...

    def in_force(self, at: datetime) -> list[ProcedureInfo]:
        """Every procedure of the catalogue with a version in force at `at` (that version)."""
        ...

    def office_open(
        self, at: datetime, tenant_config: dict[str, object]
    ) -> tuple[bool | None, bool | None]:
        """(a working day?, within office hours?) for `at` in the commune's calendar."""
        ...


class Dossiers(Protocol):
    """The Dossier aggregate's repository: load it, then store the `Change` one of its
    behaviours returned (the row, its control-sheet and audit rows, its event in the outbox,
    all in the caller's transaction)."""

    async def get(self, scope: TenantScope, tenant_id: str, dossier_id: str) -> Dossier:
        """Inside the caller's tenant scope, or `dossier.not_found` (404)."""
        ...

    async def find_unscoped(self, dossier_id: str) -> Dossier | None:
        """Service-to-service only (workflow's events), authorised by role."""
        ...

    async def find_idempotent(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        """(request hash, dossier id) of an earlier registration with this key."""
        ...

    async def last_step_at(self, dossier_id: str, action: str) -> datetime | None: ...

    async def add(
        self, change: Change, *, lookup_hash: str, idempotency: dict[str, object] | None
    ) -> None: ...

    async def save(self, change: Change, *, rating: dict[str, object] | None = None) -> None:
        """Optimistic on the version loaded: `dossier.concurrent_update` (409) if it moved."""
        ...

    async def save_apology(self, change: Change) -> bool: ...
