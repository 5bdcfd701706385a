"""The Dossier aggregate, pure: its rules, the events it causes, one definition of closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from intake.domain.applicant import Applicant
from intake.domain.dossier import Change, Channel, Document, DocumentForm, Dossier
from intake.domain.errors import Conflict, DomainError, InvalidTransition
from intake.domain.lifecycle import CLOSED, FINISHED, TRANSITIONS, Action, Status
from intake.domain.satisfaction import SatisfactionLevel
from motcua_contracts.events import dossiers_v1 as v1
from motcua_contracts.events import dossiers_v2 as v2

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DUE = T0 + timedelta(days=5)
CLERK = "clerk-1"


def registered(**overrides: object) -> Change:
    args: dict[str, object] = {
        "dossier_id": "d-1",
        "tenant_id": "xa-a",
        "resolving_tenant_id": "xa-a",
        "code": "H01-260302-0001",
        "procedure_code": "1.001193",
        "procedure_version": "2024-01",
        "field_code": "ho_tich",
        "channel": Channel.COUNTER,
        "at": T0,
        "due_at": DUE,
        "verification_required": False,
        "promised_working_days": None,
        "applicant": Applicant(
            "Nguyễn Văn An", "001090000001", date(1990, 1, 1), "0912345678", "Xã A"
        ),
        "documents": (Document("Tờ khai", DocumentForm.ORIGINAL),),
        "lookup_nonce": "nonce",
        "actor": CLERK,
    }
    return Dossier.register(**{**args, **overrides})  # type: ignore[arg-type]


def fresh() -> Dossier:
    return registered().after


def test_registration_is_received_version_1_and_causes_dossier_received() -> None:
    change = registered()
    d = change.after
    assert (d.status, d.version, d.supplements_requested) == (Status.RECEIVED, 1, 0)
    assert change.before is None and change.action == "register"
    assert isinstance(change.event, v1.DossierReceived)
    assert change.event.dossier_code == d.code and change.event.due_at == DUE
    assert change.hop is not None and change.hop.receiver == CLERK
    assert d.documents == [{"name": "Tờ khai", "form": "original", "copies": 1}]
    # No personal data in the event.
    assert "Nguyễn" not in change.event.model_dump_json()


def test_registration_needs_a_document() -> None:
    with pytest.raises(DomainError) as caught:
        registered(documents=())
    assert caught.value.code == "documents.required"


def test_each_step_bumps_the_version_and_returns_its_event() -> None:
    d = fresh()
    steps = [
        (lambda x: x.accept(at=T0, actor=CLERK), Status.ACCEPTED, v1.DossierAccepted),
        (
            lambda x: x.transfer(to_unit_id=None, to_official_id="cb-2", at=T0, actor=CLERK),
            Status.IN_PROGRESS,
            v1.DossierTransferred,
        ),
        (
            lambda x: x.decide(
                approved=True, reason_codes=(), reason_text=None, at=T0, actor="leader"
            ),
            Status.DECIDED,
            v1.DecisionMade,
        ),
        (
            lambda x: x.mark_result_ready(["ceremony_birth"], at=T0, actor=CLERK),
            Status.RESULT_READY,
            v1.ResultReady,
        ),
        (
            lambda x: x.return_result(
                method="counter", to_applicant=True, recipient_name=None, at=T0, actor=CLERK
            ),
            Status.RETURNED,
            v1.ResultReturned,
        ),
    ]
    for version, (step, status, event_type) in enumerate(steps, start=2):
        change = step(d)
        assert change.before is d and change.after.status is status
        assert change.after.version == version and isinstance(change.event, event_type)
        d = change.after
    assert d.closed and d.finished and d.completed_at == T0


def test_a_supplement_is_requested_once_listing_everything_and_the_event_carries_the_count() -> (
    None
):
    change = fresh().request_supplement([" Giấy khai sinh ", "", "CCCD"], at=T0, actor=CLERK)
    assert change.after.missing_items == ["Giấy khai sinh", "CCCD"]
    assert isinstance(change.event, v2.SupplementRequested) and change.event.missing_count == 2
    back = change.after.receive_supplement(due_at=DUE + timedelta(days=2), at=T0, actor=CLERK)
    assert back.after.status is Status.RECEIVED and back.after.missing_items == []
    assert back.after.due_at == DUE + timedelta(days=2)
    with pytest.raises(InvalidTransition) as caught:
        back.after.request_supplement(["Giấy tờ khác"], at=T0, actor=CLERK)
    assert "request_supplement" not in caught.value.allowed
    with pytest.raises(DomainError) as empty:
        fresh().request_supplement(["  "], at=T0, actor=CLERK)
    assert empty.value.code == "supplement.items_required"


def test_rules_of_the_decision_the_transfer_and_the_return() -> None:
    accepted = fresh().accept(at=T0, actor=CLERK).after
    with pytest.raises(DomainError, match=r"decision\.reasons_required"):
        accepted.decide(approved=False, reason_codes=(), reason_text=None, at=T0, actor="l")
    with pytest.raises(DomainError) as caught:
        accepted.transfer(to_unit_id=None, to_official_id=None, at=T0, actor=CLERK)
    assert caught.value.code == "transfer.receiver_required"
    rejected = accepted.decide(
        approved=False, reason_codes=("thieu",), reason_text="Thiếu", at=T0, actor="l"
    ).after
    ready = rejected.mark_result_ready(["ceremony_birth"], at=T0, actor=CLERK)
    assert isinstance(ready.event, v1.ResultReady) and ready.event.practices == []
    with pytest.raises(DomainError) as who:
        ready.after.return_result(
            method="counter", to_applicant=False, recipient_name=" ", at=T0, actor=CLERK
        )
    assert who.value.code == "return.recipient_required"


def test_a_rating_comes_once_after_the_return() -> None:
    d = fresh()
    with pytest.raises(Conflict) as early:
        d.rate(SatisfactionLevel.SATISFIED, source="link", criteria={}, at=T0, actor="citizen")
    assert early.value.code == "satisfaction.not_yet"
    returned = (
        d.accept(at=T0, actor=CLERK)
        .after.decide(approved=True, reason_codes=(), reason_text=None, at=T0, actor="l")
        .after.mark_result_ready([], at=T0, actor=CLERK)
        .after.return_result(
            method="counter", to_applicant=True, recipient_name=None, at=T0, actor=CLERK
        )
        .after
    )
    rated = returned.rate(
        SatisfactionLevel.VERY_SATISFIED, source="kiosk", criteria={}, at=T0, actor="citizen"
    )
    assert rated.after.rated and rated.hop is None and rated.after.version == returned.version + 1
    assert isinstance(rated.event, v1.SatisfactionRated)
    with pytest.raises(Conflict) as twice:
        rated.after.rate(
            SatisfactionLevel.SATISFIED, source="link", criteria={}, at=T0, actor="citizen"
        )
    assert twice.value.code == "satisfaction.already_rated"


def test_an_apology_not_newer_than_the_last_changes_nothing() -> None:
    d = fresh()
    first = d.apologise(
        clock_version=3, new_due_at=DUE + timedelta(days=3), reason_vi="Lý do", at=T0
    )
    assert first is not None and first.event is None and first.after.version == d.version
    assert first.after.apology_new_due_at == DUE + timedelta(days=3)
    for stale in (3, 2):
        assert (
            first.after.apologise(clock_version=stale, new_due_at=DUE, reason_vi=None, at=T0)
            is None
        )
    later = first.after.apologise(
        clock_version=4, new_due_at=DUE + timedelta(days=4), reason_vi=None, at=T0
    )
    assert later is not None and later.after.apology_reason_vi == "Lý do"  # kept when absent


def test_lateness_counts_against_the_apology_date_when_it_is_later() -> None:
    d = fresh()
    assert not d.is_late(DUE) and d.is_late(DUE + timedelta(seconds=1))
    assert not d.is_late(DUE + timedelta(days=1), promised=DUE + timedelta(days=2))
    assert d.is_late(DUE + timedelta(seconds=1), promised=DUE - timedelta(days=1))


def test_closed_is_exactly_the_states_without_a_way_out() -> None:
    assert {Status.RETURNED, Status.REFUSED, Status.WITHDRAWN} == CLOSED
    assert FINISHED == CLOSED | {Status.RESULT_READY}


def test_the_ceremony_waits_for_an_approved_decision() -> None:
    with pytest.raises(Conflict) as caught:
        fresh().check_ceremony_possible()
    assert caught.value.code == "ceremony.not_ready"
    decided = (
        fresh()
        .accept(at=T0, actor=CLERK)
        .after.decide(approved=True, reason_codes=(), reason_text=None, at=T0, actor="l")
        .after
    )
    decided.check_ceremony_possible()


_ARGS: dict[Action, dict[str, object]] = {
    Action.ACCEPT: {},
    Action.REQUEST_SUPPLEMENT: {"missing_items": ["Giấy tờ"]},
    Action.RECEIVE_SUPPLEMENT: {"due_at": DUE},
    Action.REFUSE: {"reason_codes": ["x"], "reason_text": "Lý do"},
    Action.TRANSFER: {"to_unit_id": "u", "to_official_id": None},
    Action.DECIDE: {"approved": True, "reason_codes": (), "reason_text": None},
    Action.MARK_RESULT_READY: {"practices": []},
    Action.RETURN_RESULT: {"method": "counter", "to_applicant": True, "recipient_name": None},
    Action.WITHDRAW: {},
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list(Action)), max_size=12))
def test_any_sequence_of_actions_follows_the_lifecycle_table(actions: list[Action]) -> None:
    d = fresh()
    for action in actions:
        method = getattr(d, action.value)
        allowed = action in TRANSITIONS[d.status] and not (
            action is Action.REQUEST_SUPPLEMENT and d.supplements_requested >= 1
        )
        if not allowed:
            with pytest.raises(InvalidTransition):
                method(**_ARGS[action], at=T0, actor=CLERK)
            continue
        change = method(**_ARGS[action], at=T0, actor=CLERK)
        assert change.after.status is TRANSITIONS[d.status][action]
        assert change.after.version == d.version + 1 and change.event is not None
        assert change.values["version"] == change.after.version
        d = change.after
    assert d.closed == (not TRANSITIONS[d.status])
