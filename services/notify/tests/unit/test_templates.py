"""Templates: defaults pass their own checks; commune versions are refused before a blank."""

from __future__ import annotations

import pytest
from motcua_testkit.notify import MORNING, settings_with_all_channels
from notify.application.context import build_context
from notify.application.ports import Contact
from notify.application.templating import Template, TemplateEngine, default_templates
from notify.application.views import DossierView, TenantView
from notify.domain.errors import Invalid
from notify.domain.kinds import Channel, Kind, Recipient
from notify.domain.variables import allowed

ENGINE = TemplateEngine()


@pytest.mark.parametrize("key", sorted(default_templates()), ids=lambda k: ".".join(k))
def test_every_default_template_passes_the_save_time_check(key: tuple[Kind, Channel, str]) -> None:
    rendered = ENGINE.check(default_templates()[key])
    assert "{{" not in rendered.body and "None" not in rendered.body


COURTESIES = (Kind.APOLOGY_MESSAGE, Kind.CEREMONY_MESSAGE)


def test_every_kind_has_a_letter_or_is_a_courtesy() -> None:
    keys = {(k, c) for k, c, _ in default_templates()}
    for kind in Kind:
        assert (kind, Channel.LETTER) in keys or kind in COURTESIES


FACTS = {
    Kind.RECEIPT_CONFIRMATION: {"received_at": MORNING.isoformat(), "due_at": MORNING.isoformat()},
    Kind.SUPPLEMENT_REQUEST: {
        "requested_at": MORNING.isoformat(),
        "missing_items": ["Giấy chứng sinh"],
    },
    Kind.REFUSAL_NOTICE: {"refused_at": MORNING.isoformat(), "reason_codes": ["x"]},
    Kind.RESULT_READY: {"ready_at": MORNING.isoformat(), "practices": []},
    Kind.CEREMONY_INVITATION: {
        "ready_at": MORNING.isoformat(),
        "occasion": "marriage",
        "ceremony_at": MORNING.isoformat(),
        "place_vi": "Hội trường UBND xã",
        "schedule_revision": 2,
    },
    Kind.CEREMONY_MESSAGE: {
        "occasion": "birth",
        "ceremony_at": MORNING.isoformat(),
        "place_vi": "Hội trường UBND xã",
        "schedule_revision": 1,
    },
    Kind.APOLOGY_NOTICE: {
        "old_due_at": MORNING.isoformat(),
        "new_due_at": MORNING.isoformat(),
        "reason_code": "workload",
    },
    Kind.APOLOGY_MESSAGE: {
        "old_due_at": MORNING.isoformat(),
        "new_due_at": MORNING.isoformat(),
        "reason_code": "nope",
    },
    Kind.CONDOLENCE_LETTER: {"ready_at": MORNING.isoformat()},
    Kind.SATISFACTION_SURVEY: {"returned_at": MORNING.isoformat()},
    Kind.ESCALATION_ALERT: {"reason": "late", "level": 2},
    Kind.MORNING_DIGEST: {
        "day": "2025-10-07",
        "at_risk": [],
        "late": [{"dossier_code": "A", "due_at": MORNING.isoformat()}],
    },
}


@pytest.mark.parametrize("kind", list(Kind))
def test_the_renderer_supplies_exactly_the_variables_a_template_may_use(kind: Kind) -> None:
    dossier = DossierView("d", "t", "CODE-1", "1.001193", "2", "counter", MORNING, MORNING)
    ctx = build_context(
        kind,
        facts={"dossier_code": "CODE-1", **FACTS[kind]},
        dossier=dossier,
        tenant=TenantView("t", settings_with_all_channels()),
        recipient=Recipient.LEADER
        if kind in (Kind.ESCALATION_ALERT, Kind.MORNING_DIGEST)
        else Recipient.APPLICANT,
        contact=Contact(full_name="Lò Văn Bình"),
        public_base_url="https://dvc.example",
    )
    assert set(ctx) == allowed(kind)
    assert all(v not in (None, "") for v in ctx.values() if not isinstance(v, list | bool | int))


def _draft(
    body: str, *, kind: Kind = Kind.RECEIPT_CONFIRMATION, subject: str | None = None
) -> Template:
    return Template(kind, Channel.SMS if subject is None else Channel.EMAIL, "", subject, body)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("Xin chào {{ ho_ten }}", "template.unknown_variable"),
        ("Hồ sơ {{ dossier_code ", "template.syntax"),
        ("{{ dossier_code.__class__.__mro__ }}", "template.render_error"),
        ("{{ missing_items }}", "template.unknown_variable"),  # belongs to another kind
        ("{% if false %}{{ dossier_code }}{% endif %}", "template.renders_empty"),
        ("{{ lookup_url * 40 }}", "template.sms_too_long"),
    ],
)
def test_a_bad_template_is_refused_with_a_code_and_a_vietnamese_reason(
    body: str, code: str
) -> None:
    with pytest.raises(Invalid) as exc:
        ENGINE.check(_draft(body))
    assert exc.value.code == code
    assert exc.value.message_vi and exc.value.message_vi[0].isupper()


def test_the_unknown_variable_message_names_it_and_lists_what_is_allowed() -> None:
    with pytest.raises(Invalid) as exc:
        ENGINE.check(_draft("Kính gửi {{ ten_nguoi_dan }}"))
    assert "ten_nguoi_dan" in exc.value.message_vi and "dossier_code" in exc.value.message_vi


def test_an_email_needs_a_subject() -> None:
    with pytest.raises(Invalid) as exc:
        ENGINE.check(_draft("Nội dung {{ dossier_code }}", subject=" "))
    assert exc.value.code == "template.subject_missing"
