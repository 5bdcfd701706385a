"""The dossier events intake publishes: complete, versioned, free of personal data."""

from __future__ import annotations

import json
from datetime import datetime

from motcua_contracts.events import dossiers_v1
from motcua_contracts.export import SCHEMA_DIR
from motcua_contracts.registry import REGISTRY
from motcua_contracts.topics import Topics

LIFECYCLE = {
    "DossierReceived",
    "DossierAccepted",
    "SupplementRequested",
    "SupplementReceived",
    "DossierRefused",
    "DossierTransferred",
    "DecisionMade",
    "ResultReady",
    "ResultReturned",
    "DossierWithdrawn",
    "SatisfactionRated",
}
# Substrings that betray personal data in a field name (docs/domain.md §9).
PERSONAL = ("name", "id_number", "phone", "email", "address", "birth", "comment", "recipient")


def _dossier_specs() -> dict[str, object]:
    return {t: s for (t, v), s in REGISTRY.items() if s.topic == Topics.DOSSIERS and v == 1}


def test_every_lifecycle_event_is_registered_on_the_dossier_topic() -> None:
    assert set(_dossier_specs()) >= LIFECYCLE


def test_no_dossier_event_field_can_carry_personal_data() -> None:
    for event_type in LIFECYCLE:
        model = getattr(dossiers_v1, event_type)
        schema = json.dumps(model.model_json_schema())
        fields = set(model.model_fields)
        for defs in model.model_json_schema().get("$defs", {}).values():
            fields |= set(defs.get("properties", {}))
        leaked = {f for f in fields for p in PERSONAL if p in f}
        assert not leaked, f"{event_type}: {leaked}"
        assert "dossier_code" in fields, event_type
        assert schema


def test_each_event_carries_the_moment_workflow_needs_as_an_aware_datetime() -> None:
    moments = {
        "SupplementRequested": "requested_at",
        "SupplementReceived": "received_at",
        "ResultReady": "ready_at",
        "ResultReturned": "returned_at",
        "DossierWithdrawn": "withdrawn_at",
        "DossierRefused": "refused_at",
        "DossierAccepted": "accepted_at",
        "DecisionMade": "decided_at",
    }
    for event_type, field in moments.items():
        annotation = getattr(dossiers_v1, event_type).model_fields[field]
        assert annotation.is_required(), (event_type, field)
        assert annotation.annotation is datetime, (event_type, field)


def test_dossier_received_v1_is_frozen() -> None:
    committed = json.loads((SCHEMA_DIR / "DossierReceived.v1.json").read_text(encoding="utf-8"))
    assert set(committed["required"]) == {
        "dossier_code",
        "procedure_code",
        "procedure_version",
        "field_code",
        "channel",
        "received_at",
        "due_at",
        "receiving_tenant_id",
        "resolving_tenant_id",
    }
    assert committed["additionalProperties"] is False
