"""Commands are imperative: what a clerk asks the desk to do."""

from __future__ import annotations

from dataclasses import dataclass

from intake.domain.dossier import Applicant, Channel


@dataclass(frozen=True)
class RegisterDossier:
    tenant_id: str
    procedure_code: str
    channel: Channel
    applicant: Applicant
    verification_required: bool = False
    idempotency_key: str | None = None
