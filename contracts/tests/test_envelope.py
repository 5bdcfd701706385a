from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from motcua_contracts.codec import decode, decode_typed, encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events.dossiers_v1 import DossierReceived
from motcua_contracts.topics import Topics
from pydantic import ValidationError

VN = timezone(timedelta(hours=7))


def _received() -> DossierReceived:
    at = datetime(2026, 2, 13, 16, 0, tzinfo=VN)
    return DossierReceived(
        dossier_code="000.21.31.H50-260213-0001",
        procedure_code="1.001193",
        procedure_version="2025-07-01",
        field_code="ho_tich",
        channel="counter",  # type: ignore[arg-type]
        received_at=at,
        due_at=at + timedelta(days=10),
        receiving_tenant_id="quyet-thang",
        resolving_tenant_id="quyet-thang",
    )


def _envelope(payload: DossierReceived) -> EventEnvelope:
    return EventEnvelope(
        event_type="DossierReceived",
        schema_version=1,
        occurred_at=datetime(2026, 2, 13, 9, 0, tzinfo=UTC),
        tenant_id="quyet-thang",
        dossier_id=str(uuid.uuid4()),
        aggregate_version=1,
        producer="intake",
        payload=payload.model_dump(mode="json"),
    )


def test_round_trip_keeps_every_field_and_routes_by_dossier() -> None:
    envelope = _envelope(_received())
    wire = encode(envelope)
    assert wire.topic == Topics.DOSSIERS
    assert wire.key == envelope.dossier_id
    assert wire.headers["ce_type"] == "DossierReceived"
    assert wire.headers["ce_id"] == str(envelope.event_id)
    back, payload = decode_typed(wire.value, DossierReceived)
    assert back == envelope
    assert payload == _received()
    assert decode(wire.value).occurred_at.tzinfo is not None


def test_occurred_at_is_normalised_to_utc_and_naive_times_are_refused() -> None:
    envelope = _envelope(_received())
    assert envelope.occurred_at.utcoffset() == timedelta(0)
    with pytest.raises(ValidationError):
        EventEnvelope(**{**envelope.model_dump(), "occurred_at": datetime(2026, 1, 1)})


def test_encode_refuses_a_payload_that_does_not_match_its_registered_model() -> None:
    bad = _envelope(_received()).model_copy(update={"payload": {"dossier_code": "x"}})
    with pytest.raises(ValidationError):
        encode(bad)


def test_naive_datetimes_in_payloads_are_refused() -> None:
    with pytest.raises(ValidationError):
        DossierReceived(**{**_received().model_dump(), "received_at": datetime(2026, 1, 1)})
