"""Rows of the `dossiers` table <-> the Dossier aggregate (the one place that knows both)."""

from __future__ import annotations

import json
from typing import Any

from intake.domain.applicant import fold
from intake.domain.dossier import Channel, Dossier
from intake.domain.lifecycle import Status

# The aggregate under the name the adapters used before it existed (kept for callers that
# still import it; new code names `Dossier`).
DossierRecord = Dossier

_JSON_COLUMNS = ("missing_items", "reason_codes", "documents")


def from_row(row: Any) -> Dossier:
    return from_mapping(row._mapping)


def from_mapping(m: Any) -> Dossier:
    return Dossier(
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
        apology_clock_version=m.get("apology_clock_version"),
    )


def new_row(d: Dossier, *, lookup_hash: str) -> dict[str, Any]:
    """The row of a dossier just registered (every column the insert writes)."""
    row = {k: getattr(d, k) for k in _INSERTED}
    row["channel"] = d.channel.value
    row["status"] = d.status.value
    row["documents"] = json.dumps(d.documents, ensure_ascii=False)
    row["applicant_name_folded"] = fold(d.applicant_name)
    row["lookup_hash"] = lookup_hash
    row["updated_at"] = d.received_at
    return row


def encode(values: dict[str, Any]) -> dict[str, Any]:
    """Column values as stored: lists and dicts as JSON text, enums as their values."""
    out = dict(values)
    for key, value in out.items():
        if isinstance(value, Status | Channel):
            out[key] = value.value
    for key in _JSON_COLUMNS:
        if key in out and not isinstance(out[key], str | None):
            out[key] = json.dumps(out[key], ensure_ascii=False)
    return out


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

# What registration writes; the other columns keep their defaults.
_INSERTED = (
    "dossier_id tenant_id resolving_tenant_id code procedure_code procedure_version field_code "
    "version received_at due_at verification_required promised_working_days applicant_name "
    "applicant_id_number applicant_dob applicant_phone applicant_email applicant_address "
    "lookup_nonce"
).split()
