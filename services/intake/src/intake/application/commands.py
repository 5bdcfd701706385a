"""Commands are imperative: what a clerk (or citizen) asks the desk to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from intake.domain.applicant import Applicant
from intake.domain.dossier import Channel, Document
from intake.domain.satisfaction import SatisfactionLevel


@dataclass(frozen=True)
class RegisterDossier:
    tenant_id: str
    procedure_code: str
    channel: Channel
    applicant: Applicant
    documents: tuple[Document, ...]
    verification_required: bool = False
    idempotency_key: str | None = None
    resolving_tenant_id: str | None = None  # another commune of the province, or this one


@dataclass(frozen=True)
class RequestSupplement:
    missing_items: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class RefuseDossier:
    reason_codes: tuple[str, ...]
    reason_text: str


@dataclass(frozen=True)
class TransferDossier:
    to_unit_id: str | None
    to_official_id: str | None
    step_key: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class DecideDossier:
    approved: bool
    reason_codes: tuple[str, ...] = ()
    reason_text: str | None = None


@dataclass(frozen=True)
class ReturnResult:
    method: str  # counter | postal | online
    to_applicant: bool = True
    recipient_name: str | None = None  # an authorised person; stays in intake


@dataclass(frozen=True)
class RateSatisfaction:
    level: SatisfactionLevel
    source: str  # link | kiosk
    criteria: dict[str, int] = field(default_factory=dict)
    comment: str | None = None


@dataclass(frozen=True)
class ConfigureTenant:
    """The operator's whole configuration of one unit (PUT): replaces what was there."""

    tenant_id: str
    name_vi: str
    unit_type: str
    province_code: str
    agency_code: str
    unit_code: str | None
    status: str | None  # None: keep the current status (a new unit starts as pilot)
    config: dict[str, Any]  # cohorts, office hours, closures, procedures, leader, senders...


@dataclass(frozen=True)
class MergeTenants:
    """Units `sources` become `target` (created from `target_config` if given)."""

    sources: tuple[str, ...]
    target: str
    effective_at: datetime
    target_config: ConfigureTenant | None = None
