"""Issue 17: free text typed by a person stays out of events. SupplementRequested v2 carries
the count of missing items, not the clerk's list; every text field an event may carry on the
dossier and clock topics is on a reviewed list, so a new one fails here until reviewed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from motcua_contracts.events import dossiers_v1, dossiers_v2
from motcua_contracts.registry import REGISTRY, spec_for, spec_of
from motcua_contracts.topics import Topics
from pydantic import ValidationError

VN = timezone(timedelta(hours=7))

# Reviewed text fields (name: why it is not a person's free text). Codes, ids and moments
# (`*_id`, `*_code`, `*_at`, `*_key`) are not text in this sense.
REVIEWED = {
    "procedure_version": "catalogue version label",
    "issued_by": "identity-provider subject of the official",
    "acknowledged_by": "identity-provider subject of the official",
    "reason_vi": "ApologyIssued v2: the leader's reason printed on Form 04 (bounded, NFC, "
    "checked for phone, ID and e-mail); kept by decision of issue 17",
    "place_vi": "CeremonyScheduled: the hall where the certificate is handed over (intake "
    "refuses a phone, ID number or e-mail in it)",
    "name_vi": "CalendarChanged: the public holiday's name",
    "day_kind": "calendar code",
    "source": "calendar source code",
    "threshold": "clock threshold code",
    "practices": "practice codes of the procedure version",
    "criteria": "SatisfactionRated: criterion key -> points (no comment text)",
}


def _latest() -> dict[str, type]:
    latest: dict[str, tuple[int, type]] = {}
    for (event_type, version), spec in REGISTRY.items():
        if spec.topic not in (Topics.DOSSIERS, Topics.CLOCK):
            continue
        if event_type not in latest or version > latest[event_type][0]:
            latest[event_type] = (version, spec.model)
    return {t: m for t, (_, m) in latest.items()}


def _texts(model: type) -> set[str]:
    out = set()
    for name, field in model.model_fields.items():  # type: ignore[attr-defined]
        if name.endswith(("_id", "_code", "_codes", "_at", "_key")) or name in (
            "kind",
            "recipient",
        ):
            continue
        if "str" in str(field.annotation):
            out.add(name)
    return out


def test_every_text_field_of_the_latest_events_is_reviewed() -> None:
    for event_type, model in _latest().items():
        unreviewed = _texts(model) - set(REVIEWED)
        assert not unreviewed, f"{event_type}: free text {unreviewed} must not travel in events"


def test_supplement_requested_v2_carries_a_count_not_the_clerks_list() -> None:
    v1, v2 = spec_for("SupplementRequested", 1), spec_for("SupplementRequested", 2)
    assert v1.model is dossiers_v1.SupplementRequested and v2.topic == v1.topic
    assert spec_of(dossiers_v2.SupplementRequested) is v2
    assert set(dossiers_v2.SupplementRequested.model_fields) == {
        "dossier_code",
        "requested_at",
        "missing_count",
    }
    at = datetime(2026, 2, 13, 9, tzinfo=VN)
    event = dossiers_v2.SupplementRequested(dossier_code="x", requested_at=at, missing_count=2)
    assert "Giấy" not in event.model_dump_json()
    with pytest.raises(ValidationError):  # the list is refused, not carried
        dossiers_v2.SupplementRequested.model_validate(
            {
                "dossier_code": "x",
                "requested_at": at,
                "missing_count": 1,
                "missing_items": ["Giấy khai sinh của Lò Văn A"],
            }
        )
    with pytest.raises(ValidationError):
        dossiers_v2.SupplementRequested(dossier_code="x", requested_at=at, missing_count=0)
