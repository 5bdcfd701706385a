from __future__ import annotations

from datetime import date

import pytest
from intake.domain.access import Need, Principal, Role, authorise
from intake.domain.applicant import Applicant, check_id_number, fold, mask_name, normalise_phone
from intake.domain.errors import DomainError, Forbidden, InvalidFields, InvalidTransition
from intake.domain.lifecycle import (
    TRANSITIONS,
    Action,
    Guards,
    Status,
    allowed_actions,
    next_status,
)


def test_every_state_is_in_the_table_and_terminal_states_allow_nothing() -> None:
    assert set(TRANSITIONS) == set(Status)
    for terminal in (Status.RETURNED, Status.REFUSED, Status.WITHDRAWN):
        assert allowed_actions(terminal) == []


def test_a_supplement_may_be_requested_only_once() -> None:
    assert next_status(Status.RECEIVED, Action.REQUEST_SUPPLEMENT) is Status.AWAITING_SUPPLEMENT
    with pytest.raises(InvalidTransition) as caught:
        next_status(Status.RECEIVED, Action.REQUEST_SUPPLEMENT, Guards(supplements_requested=1))
    assert "request_supplement" not in caught.value.allowed
    assert "accept" in caught.value.allowed


def test_invalid_transition_lists_the_allowed_ones() -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_status(Status.RESULT_READY, Action.ACCEPT)
    assert caught.value.allowed == ["return_result"]


@pytest.mark.parametrize(
    ("id_number", "born", "ok"),
    [
        ("014095001234", date(1995, 4, 12), True),
        ("014195001234", date(1995, 4, 12), True),  # woman born in the 20th century
        ("014205001234", date(2005, 1, 1), True),
        ("014095001234", date(1996, 4, 12), False),  # year digits disagree
        ("999095001234", date(1995, 4, 12), False),  # no such province
        ("01409500123", date(1995, 4, 12), False),
        ("01409500123a", date(1995, 4, 12), False),
    ],
)
def test_personal_id_number_structure(id_number: str, born: date, ok: bool) -> None:
    if ok:
        check_id_number(id_number, born)
    else:
        with pytest.raises(DomainError):
            check_id_number(id_number, born)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("02123852111", "02123852111"),
    ],
)
def test_phone_numbers_are_normalised(raw: str, normal: str) -> None:
    assert normalise_phone(raw) == normal


@pytest.mark.parametrize("raw", ["0112345678", "12345", "+1 202 555 0100", "09123456789"])
def test_bad_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalise_phone(raw)
    assert caught.value.field == "applicant.phone"


def test_applicant_born_in_the_future_is_refused() -> None:
    applicant = Applicant("A B", "014095001234", date(2095, 1, 1), "0912345678", "x")
    with pytest.raises(DomainError):
        applicant.checked(date(2026, 2, 13))


def test_masking_and_folding() -> None:
    assert mask_name("Lò Văn Bình") == "L** V** B***"
    assert "Bình" not in mask_name("Lò Văn Bình")
    assert fold("Đặng Thị Ánh") == "dang thi anh"


def _p(role: Role, tenant: str | None) -> Principal:
    return Principal("u", frozenset({role}), tenant)


def test_access_rules() -> None:
    assert authorise(_p(Role.CLERK, "a"), "a", Need.WRITE).tenant_ids == {"a"}
    with pytest.raises(Forbidden):
        authorise(_p(Role.CLERK, "a"), "b", Need.READ)
    with pytest.raises(Forbidden):
        authorise(_p(Role.CLERK, "a"), "a", Need.DECIDE)
    assert authorise(_p(Role.LEADER, "a"), "a", Need.DECIDE).allows("a")
    assert authorise(_p(Role.PROVINCE_MONITOR, None), "b", Need.READ).allows("b")
    with pytest.raises(Forbidden):
        authorise(_p(Role.PROVINCE_MONITOR, None), "b", Need.WRITE)
    with pytest.raises(Forbidden):
        authorise(_p(Role.OPERATOR, None), "b", Need.READ)
    with pytest.raises(Forbidden):
        authorise(_p(Role.CLERK, "a"), None, Need.CONTACT)


def test_applicant_problems_are_all_reported_at_once() -> None:
    applicant = Applicant(" ", "014099001234", date(1995, 4, 12), "123", " ")
    with pytest.raises(InvalidFields) as caught:
        applicant.checked(date(2026, 2, 13))
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("applicant.full_name", "applicant.full_name.required"),
        ("applicant.id_number", "applicant.id_number.birth_year"),
        ("applicant.phone", "applicant.phone.invalid"),
        ("applicant.address", "applicant.address.required"),
    ]


def test_the_wait_is_said_as_retry_after_says_it() -> None:
    from intake.domain.errors import TooManyRequests, wait_vi

    assert [wait_vi(s) for s in (1, 45, 60, 90)] == [
        "1 giây",
        "45 giây",
        "1 phút",
        "1 phút 30 giây",
    ]
    assert (
        TooManyRequests(1).message_vi == "Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau 1 giây."
    )
