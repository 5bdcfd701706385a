"""Each dossier's messages go out with its own commune's senders, names and leader; after a
merger, with the new unit's, including messages queued before it (issue #8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from motcua_contracts.events import clock_v1, dossiers_v1, tenants_v1
from motcua_testkit.notify import MORNING, Notify, drain, received
from notify.domain.kinds import Channel
from notify.domain.tenant_settings import TenantSettings
from pydantic import BaseModel

A, C = "xa-chieng-a", "phuong-moi-c"
D1, D2 = "0d6c7a3e-0000-4000-8000-0000000000a1", "0d6c7a3e-0000-4000-8000-0000000000c2"
NAMES = {A: "Xã Chiềng A", C: "Phường Mới C"}
BRANDS = {A: "UBND CHIENG A", C: "UBND PHUONG C"}
LEADERS = {A: "lanh-dao-a", C: "lanh-dao-c"}


def _settings(tenant: str) -> TenantSettings:
    return TenantSettings.model_validate(
        {
            "unit_name_vi": NAMES[tenant],
            "sms": {"url": f"http://127.0.0.1:9/{tenant}/sms"},
            "email": {"host": "127.0.0.1", "from_address": f"motcua@{tenant}.vn"},
            "staff": {
                LEADERS[tenant]: {"title_vi": "Phó Chủ tịch UBND", "email": f"ld@{tenant}.vn"}
            },
        }
    )


def _profile(tenant: str, revision: int = 1, merged_into: str | None = None) -> BaseModel:
    return tenants_v1.TenantConfigured(
        tenant_id=tenant,
        unit_code="04087",
        name_vi=NAMES[tenant],
        unit_type=tenants_v1.UnitType.XA,
        province_code="14",
        agency_code="000.22.38.H50",
        status=tenants_v1.TenantStatus.MERGED if merged_into else tenants_v1.TenantStatus.ACTIVE,
        leader_on_duty=tenants_v1.LeaderOnDuty(official_id=LEADERS[tenant]),
        senders={"sms": BRANDS[tenant]},
        merged_into=merged_into,
        revision=revision,
    )


async def _communes(n: Notify) -> None:
    for tenant in (A, C):
        await n.configure(_settings(tenant), tenant_id=tenant)
        await n.deliver(_profile(tenant), None, tenant_id=tenant, producer="intake")


def _sms(n: Notify) -> list[tuple[str, str, str]]:
    """(tenant, brandname, body) of every SMS sent, in order."""
    sms = n.providers[Channel.SMS]
    return [
        (m.tenant_id, s.sms.brandname if s.sms else "", m.body)
        for m, s in zip(sms.sent, sms.settings_used, strict=True)
    ]


async def test_each_dossier_speaks_with_its_own_communes_sender_and_name(n: Notify) -> None:
    await _communes(n)
    await n.deliver(received(code="A-1"), D1, tenant_id=A)
    await n.deliver(received(code="C-1"), D2, tenant_id=C)
    await drain(n.runtime)
    sent = {t: (brand, body) for t, brand, body in _sms(n)}
    assert set(sent) == {A, C}
    for tenant, other in ((A, C), (C, A)):
        brand, body = sent[tenant]
        assert brand == BRANDS[tenant]
        assert NAMES[tenant] in body and NAMES[other] not in body


async def test_after_a_merger_queued_and_new_messages_use_the_new_unit(n: Notify) -> None:
    await _communes(n)
    night = datetime(2025, 10, 7, 15, 30, tzinfo=UTC)  # 22:30: SMS waits for the morning
    n.clock.set(night)
    await n.deliver(received(code="A-1", at=night), D1, tenant_id=A)
    await drain(n.runtime)
    assert _sms(n) == []

    # A merges into C; intake moves the open dossier.
    await n.deliver(_profile(A, revision=2, merged_into=C), None, tenant_id=A)
    await n.deliver(
        dossiers_v1.DossierReassigned(
            dossier_code="A-1",
            from_tenant_id=A,
            to_tenant_id=C,
            reassigned_at=night,
            receiving_tenant_id=C,
            resolving_tenant_id=C,
        ),
        D1,
        tenant_id=C,
    )
    # Workflow escalated under A just before it saw the merger: still C's leader.
    await n.deliver(
        clock_v1.EscalationRaised(
            escalation_id="e1",
            dossier_code="A-1",
            reason=clock_v1.EscalationReason.AT_RISK,
            level=1,
            to_official_id=LEADERS[A],
            raised_at=night,
        ),
        D1,
        tenant_id=A,
        producer="workflow",
    )
    n.clock.set(MORNING + timedelta(days=1))
    await drain(n.runtime)
    [(tenant, brand, body)] = _sms(n)
    assert (tenant, brand) == (C, BRANDS[C])
    assert NAMES[C] in body and NAMES[A] not in body
    [mail] = n.providers[Channel.EMAIL].sent
    assert (mail.tenant_id, mail.to) == (C, "ld@phuong-moi-c.vn")

    r = await n.client.get(
        f"/api/v1/communes/{C}/dossiers/{D1}/notifications", headers=n.headers("clerk", C)
    )
    assert r.status_code == 200 and len(r.json()) == 2, r.text
    r = await n.client.get(
        f"/api/v1/communes/{A}/dossiers/{D1}/notifications", headers=n.headers("clerk", A)
    )
    assert r.status_code == 200 and r.json() == [], r.text


def test_registry_senders_name_the_sms_brand_and_the_email_sender() -> None:
    from notify.application.views import TenantView

    settings = _settings(A)
    as_address = TenantView(A, settings, {"senders": {"email": "motcua@chiengan.gov.vn"}})
    assert as_address.send_settings.email is not None
    assert as_address.send_settings.email.from_address == "motcua@chiengan.gov.vn"
    as_name = TenantView(A, settings, {"senders": {"email": "UBND xã Chiềng An", "sms": "X" * 21}})
    email, sms = as_name.send_settings.email, as_name.send_settings.sms
    assert email is not None and sms is not None
    assert (email.from_name, email.from_address) == ("UBND xã Chiềng An", "motcua@xa-chieng-a.vn")
    assert sms.brandname == "UBND XA"  # longer than a brandname may be: the operator's stays
    # Credentials are never taken from the registry's senders.
    with_ref = TenantView(A, settings, {"senders": {"sms.credentials": "secret:sms"}})
    assert with_ref.send_settings == settings


async def test_letters_waiting_at_a_merged_units_desk_move_to_the_new_units_register(
    n: Notify,
) -> None:
    """No electronic channel: receipts end in the print queue. After A merges into C, A's
    unprinted letter is C's to print, numbered in C's register after C's own."""
    for tenant in (A, C):
        await n.configure(TenantSettings(unit_name_vi=NAMES[tenant]), tenant_id=tenant)
        await n.deliver(_profile(tenant), None, tenant_id=tenant)
    await n.deliver(received(code="C-1"), D2, tenant_id=C)
    await n.deliver(received(code="A-1"), D1, tenant_id=A)
    await drain(n.runtime)

    async def queue(tenant: str) -> list[tuple[str | None, str]]:
        r = await n.client.get(
            f"/api/v1/communes/{tenant}/print-queue", headers=n.headers("clerk", tenant)
        )
        assert r.status_code == 200, r.text
        return sorted((j["dossier_id"], j["letter_number"]) for j in r.json())

    [(_, number_at_a)] = await queue(A)
    [(_, number_at_c)] = await queue(C)
    assert number_at_a.startswith("01/") and number_at_c.startswith("01/")
    await n.deliver(_profile(A, revision=2, merged_into=C), None, tenant_id=A)
    await n.deliver(
        dossiers_v1.DossierReassigned(
            dossier_code="A-1",
            from_tenant_id=A,
            to_tenant_id=C,
            reassigned_at=MORNING,
            receiving_tenant_id=C,
            resolving_tenant_id=C,
        ),
        D1,
        tenant_id=C,
    )
    assert await queue(A) == []
    moved = dict(await queue(C))
    assert moved[D2] == number_at_c and moved[D1].startswith("02/")
