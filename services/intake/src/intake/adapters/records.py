"""A stored dossier as the use cases read it (not the API's shape, not the events')."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from intake.domain.dossier import Channel
from intake.domain.lifecycle import FINISHED, Guards, Status


@dataclass(frozen=True)
class DossierRecord:
    dossier_id: str
    tenant_id: str
    code: str
    procedure_code: str
    procedure_version: str
    field_code: str
    channel: Channel
    status: Status
    version: int
    received_at: datetime
    due_at: datetime
    verification_required: bool
    accepted_at: datetime | None
    supplements_requested: int
    missing_items: list[str]
    reason_codes: list[str]
    reason_text: str | None
    decision: str | None
    handler_unit_id: str | None
    handler_official_id: str | None
    completed_at: datetime | None
    returned_at: datetime | None
    return_method: str | None
    returned_to: str | None
    apology_new_due_at: datetime | None
    rated: bool
    documents: list[dict[str, Any]]
    applicant_name: str
    applicant_id_number: str
    applicant_dob: date | None
    applicant_phone: str
    applicant_email: str | None
    applicant_address: str | None
    lookup_nonce: str | None
    resolving_tenant_id: str = ""  # the unit that decides; = tenant_id unless cross-commune
    promised_working_days: float | None = None  # the commune's shorter promise at receipt
    apology_reason_vi: str | None = None  # the leader's reason on the apology (Form 04)

    @property
    def guards(self) -> Guards:
        return Guards(supplements_requested=self.supplements_requested)

    def is_late(self, now: datetime) -> bool:
        """Past due and not finished, or finished after the due moment."""
        if self.status in FINISHED:
            return self.completed_at is not None and self.completed_at > self.due_at
        return now > self.due_at

    @classmethod
    def from_row(cls, row: Any) -> DossierRecord:
        return cls.from_mapping(row._mapping)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> DossierRecord:
        """From the values just inserted, without reading them back."""
        return cls.from_mapping({**_DEFAULTS, **values})

    @classmethod
    def from_mapping(cls, m: Any) -> DossierRecord:
        return cls(
            **{k: m[k] for k in _PLAIN},
            channel=Channel(m["channel"]),
            status=Status(m["status"]),
            verification_required=bool(m["verification_required"]),
            rated=bool(m["rated"]),
            missing_items=_json_list(m["missing_items"]),
            reason_codes=_json_list(m["reason_codes"]),
            documents=_json_list(m["documents"]),
            resolving_tenant_id=m.get("resolving_tenant_id") or m["tenant_id"],
            promised_working_days=m.get("promised_working_days"),
        )


def _json_list(value: Any) -> list[Any]:
    """A JSON column as stored (text), or as the use case built it (a list)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


_PLAIN = (
    "dossier_id tenant_id code procedure_code procedure_version field_code version received_at "
    "due_at accepted_at supplements_requested reason_text decision handler_unit_id "
    "handler_official_id completed_at returned_at return_method returned_to apology_new_due_at "
    "apology_reason_vi "
    "applicant_name applicant_id_number applicant_dob applicant_phone applicant_email "
    "applicant_address lookup_nonce"
).split()

_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(_PLAIN),
    "supplements_requested": 0,
    "verification_required": False,
    "rated": False,
    "missing_items": None,
    "reason_codes": None,
    "documents": "[]",
}
