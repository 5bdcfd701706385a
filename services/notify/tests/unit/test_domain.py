"""Pure rules: who gets what, through which chain; quiet hours; retries; letter details."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from notify.domain.errors import Invalid
from notify.domain.kinds import Channel, Kind, Recipient
from notify.domain.letters import TT01_2018, TT03_2025, form_edition, letter_number
from notify.domain.quiet_hours import QuietHours, hold_until
from notify.domain.retry import (
    SendFailure,
    after_failure,
    backoff_seconds,
    http_is_permanent,
    smtp_is_permanent,
)
from notify.domain.rules import (
    DEFAULT_RULES,
    RuleOverride,
    Trigger,
    apply_overrides,
    check_chain,
    plan_messages,
)
from notify.domain.vocabulary import date_line_vi

E, S, Z, L = Channel.EMAIL, Channel.SMS, Channel.ZALO, Channel.LETTER
NOW = datetime(2025, 10, 7, 2, 0, tzinfo=UTC)


def trigger(event_type: str, **kw: object) -> Trigger:
    return Trigger(event_type, "e1", "t", "d1", NOW, **kw)  # type: ignore[arg-type]


def kinds(t: Trigger, **kw: object) -> list[tuple[Kind, Recipient]]:
    return [(m.kind, m.recipient) for m in plan_messages(t, **kw)]  # type: ignore[arg-type]


def test_every_citizen_chain_ends_with_the_letter_except_courtesies() -> None:
    for rule in DEFAULT_RULES:
        for chain in (rule.chain, rule.online_chain or rule.chain):
            check_chain(chain, best_effort=rule.best_effort, kind=rule.kind)


def test_the_ceremony_invitation_waits_for_its_schedule_and_comes_once_per_revision() -> None:
    birth = trigger(
        "ResultReady", practices=frozenset({"ceremony_birth"}), procedure_code="1.001193"
    )
    assert kinds(birth) == [(Kind.RESULT_READY, Recipient.APPLICANT)]  # no date yet
    first = trigger("CeremonyScheduled", facts={"schedule_revision": 1})
    planned = {m.kind: m for m in plan_messages(first)}
    assert planned[Kind.CEREMONY_INVITATION].chain == (L,)
    assert planned[Kind.CEREMONY_MESSAGE].best_effort
    assert planned[Kind.CEREMONY_INVITATION].once_key == "d1:ceremony_invitation:applicant:1"
    moved = trigger("CeremonyScheduled", facts={"schedule_revision": 2})
    assert {m.once_key for m in plan_messages(moved)} == {
        "d1:ceremony_invitation:applicant:2",
        "d1:ceremony_message:applicant:2",
    }


@pytest.mark.parametrize(
    ("procedure", "expected"),
    [("1.000656", True), ("1.005461", False), ("1.004859", False)],
)
def test_condolence_once_never_for_re_registration_or_correction(
    procedure: str, expected: bool
) -> None:
    t = trigger("ResultReady", practices=frozenset({"condolence_death"}), procedure_code=procedure)
    planned = {m.kind: m for m in plan_messages(t)}
    assert (Kind.CONDOLENCE_LETTER in planned) is expected
    if expected:
        assert planned[Kind.CONDOLENCE_LETTER].once_key == "d1:condolence_letter:family"
        assert planned[Kind.CONDOLENCE_LETTER].chain == (L,)


def test_online_dossiers_start_with_email_and_the_preference_comes_first() -> None:
    [m] = plan_messages(trigger("DossierReceived", intake_channel="online"))
    assert m.chain == (E, Z, S, L)
    [m] = plan_messages(trigger("DossierReceived"), preferred=S)
    assert m.chain == (S, Z, E, L)
    [m] = plan_messages(trigger("DossierReceived"), preferred=L)
    assert m.chain == (L,)


def test_apology_is_a_signed_letter_plus_an_immediate_courtesy_message() -> None:
    planned = plan_messages(trigger("ApologyIssued"))
    assert [(m.kind, m.chain, m.best_effort) for m in planned] == [
        (Kind.APOLOGY_NOTICE, (L,), False),
        (Kind.APOLOGY_MESSAGE, (Z, S, E), True),
    ]


def test_overrides_switch_off_and_reorder_but_never_drop_the_letter() -> None:
    rules = apply_overrides(
        DEFAULT_RULES,
        [
            RuleOverride(Kind.SATISFACTION_SURVEY, enabled=False),
            RuleOverride(Kind.RECEIPT_CONFIRMATION, chain=(S, L)),
        ],
    )
    assert kinds(trigger("ResultReturned"), rules=rules) == []
    [m] = plan_messages(trigger("DossierReceived"), rules)
    assert m.chain == (S, L)
    with pytest.raises(Invalid) as exc:
        apply_overrides(DEFAULT_RULES, [RuleOverride(Kind.RECEIPT_CONFIRMATION, chain=(S, E))])
    assert exc.value.code == "rule.letter_last"
    with pytest.raises(Invalid):
        check_chain((S, S, L), best_effort=False, kind=Kind.RESULT_READY)


def test_quiet_hours_between_nine_at_night_and_seven_in_the_morning() -> None:
    quiet = QuietHours()
    at = lambda h, m=0: datetime(2025, 10, 7, h, m, tzinfo=UTC) - timedelta(hours=7)  # noqa: E731
    assert quiet.contains(at(21)) and quiet.contains(at(23, 59)) and quiet.contains(at(6, 59))
    assert not quiet.contains(at(7)) and not quiet.contains(at(20, 59))
    assert hold_until(E, at(23), quiet) is None  # e-mail waits quietly in the inbox
    assert hold_until(S, at(23), quiet) == datetime(2025, 10, 8, 0, 0, tzinfo=UTC)
    assert hold_until(S, at(23), quiet, about_day=date(2025, 10, 8)) is None  # urgent
    assert hold_until(Z, at(23), quiet, about_day=date(2025, 10, 10)) is not None


def test_errors_are_told_apart_and_backoff_grows_with_jitter_under_a_cap() -> None:
    assert [http_is_permanent(s) for s in (400, 401, 404, 408, 429, 500, 503)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert smtp_is_permanent(550) and not smtp_is_permanent(451)
    assert backoff_seconds(1, base=30, cap=3600, jitter=0) == 15
    assert backoff_seconds(3, base=30, cap=3600, jitter=1) == 120
    assert backoff_seconds(20, base=30, cap=3600, jitter=1) == 3600


def test_after_failure_retries_then_falls_back_then_gives_up() -> None:
    chain = (Z, S, L)
    temp, perm = SendFailure("x", False), SendFailure("y", True)
    kw = {"now": NOW, "base": 1.0, "cap": 10.0, "jitter": 0.5, "max_attempts": 3}
    assert after_failure(temp, chain=chain, step=0, attempts=1, **kw).action == "retry"  # type: ignore[arg-type]
    assert after_failure(temp, chain=chain, step=0, attempts=3, **kw).next_channel is S  # type: ignore[arg-type]
    assert after_failure(perm, chain=chain, step=1, attempts=1, **kw).next_channel is L  # type: ignore[arg-type]
    assert after_failure(perm, chain=chain, step=2, attempts=1, **kw).action == "exhausted"  # type: ignore[arg-type]
    told = after_failure(SendFailure("http.429", False, 7.0), chain=chain, step=0, attempts=1, **kw)  # type: ignore[arg-type]
    assert told.at == NOW + timedelta(seconds=7)


def test_letters_follow_the_form_of_their_day_and_number_per_kind() -> None:
    assert form_edition(date(2025, 6, 30)) == TT01_2018
    assert form_edition(date(2025, 7, 1)) == TT03_2025
    assert letter_number(5, Kind.CEREMONY_INVITATION) == "05/GM-UBND"
    assert (
        letter_number(12, Kind.CONDOLENCE_LETTER, {"condolence_letter": "TC-UBND"}) == "12/TC-UBND"
    )
    assert (
        date_line_vi("Chiềng Khương", date(2025, 1, 5))
        == "Chiềng Khương, ngày 05 tháng 01 năm 2025"
    )
    assert (
        date_line_vi("Chiềng Khương", date(2025, 11, 20))
        == "Chiềng Khương, ngày 20 tháng 11 năm 2025"
    )
