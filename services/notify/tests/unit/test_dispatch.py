"""Planning and dispatch on SQLite: chains, retries, fallback, print queue, dead letters."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from motcua_contracts.topics import Topics
from motcua_testkit.notify import (
    DOSSIER,
    TENANT,
    Notify,
    apology,
    ceremony_scheduled,
    drain,
    inbound,
    received,
    result_ready,
)
from notify.adapters.tables import outbox
from notify.domain.kinds import Channel
from notify.domain.retry import SendFailure
from sqlalchemy import select

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TEMP = SendFailure("sms.503", permanent=False)
PERM = SendFailure("zalo.400", permanent=True)


async def notes(n: Notify, dossier: str = DOSSIER) -> list[dict[str, Any]]:
    r = await n.client.get(
        f"/api/v1/communes/{TENANT}/dossiers/{dossier}/notifications", headers=n.headers()
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def events(n: Notify) -> list[dict[str, Any]]:
    async with n.runtime.sessions() as session:
        rows = (await session.execute(select(outbox.c.topic, outbox.c.value))).all()
    return [json.loads(r.value) | {"_topic": r.topic} for r in rows]


async def test_receipt_goes_by_zalo_first_and_emits_notification_sent(n: Notify) -> None:
    await n.deliver(received(), DOSSIER)
    assert await drain(n.runtime) == 1
    [note] = await notes(n)
    assert (note["kind"], note["status"], note["channel"]) == (
        "receipt_confirmation",
        "sent",
        "zalo",
    )
    [sent] = n.providers[Channel.ZALO].sent
    assert sent.params["dossier_code"] == "000.22.38.H50-251007-0001"
    assert sent.to == "0912345678"
    published = [e for e in await events(n) if e["_topic"] == Topics.NOTIFICATIONS]
    assert [e["event_type"] for e in published] == ["NotificationSent"]
    assert "0912345678" not in json.dumps(published)


async def test_permanent_refusal_falls_back_at_once_and_temporary_is_retried_with_backoff(
    n: Notify,
) -> None:
    n.providers[Channel.ZALO].always = PERM
    n.providers[Channel.SMS].failures = [TEMP, TEMP]
    await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    [note] = await notes(n)
    assert [(d["channel"], d["status"]) for d in note["deliveries"]] == [
        ("zalo", "failed"),
        ("sms", "queued"),
    ]
    sms = note["deliveries"][1]
    assert sms["last_error_code"] == "sms.503" and sms["attempts"] == 1
    for _ in range(2):  # backoff: base 1 s, doubling, capped at 4 s
        n.clock.advance(timedelta(seconds=5))
        await drain(n.runtime)
    [note] = await notes(n)
    assert (note["status"], note["channel"]) == ("sent", "sms")
    assert note["deliveries"][1]["attempts"] == 3
    assert len(n.providers[Channel.SMS].sent) == 1
    failed = [e for e in await events(n) if e.get("event_type") == "NotificationFailed"]
    assert [(e["payload"]["channel"], e["payload"]["next_channel"]) for e in failed] == [
        ("zalo", "sms")
    ]
    assert failed[0]["payload"]["permanent"] is True


async def test_every_electronic_channel_failing_ends_in_the_print_queue(n: Notify) -> None:
    for p in n.providers.values():
        p.always = TEMP
    await n.deliver(received(), DOSSIER)
    for _ in range(12):
        await drain(n.runtime)
        n.clock.advance(timedelta(seconds=5))
    [note] = await notes(n)
    assert [d["channel"] for d in note["deliveries"]] == ["zalo", "sms", "email", "letter"]
    assert note["in_print_queue"] and note["status"] == "queued"
    letter = note["deliveries"][-1]
    assert letter["status"] == "print_queued" and letter["letter_number"] == "01/TB-UBND"
    assert all(d["attempts"] == 3 for d in note["deliveries"][:3])
    sent = [e for e in await events(n) if e.get("event_type") == "NotificationSent"]
    assert sent[-1]["payload"] | {"sent_at": None} == sent[-1]["payload"] | {
        "channel": "letter",
        "fell_back": True,
        "sent_at": None,
    }


async def test_a_letter_that_cannot_be_produced_is_dead_lettered_and_replayable(
    n: Notify,
) -> None:
    from motcua_platform.messaging.types import dead_letter_topic
    from notify.application.replay import requeue_dead

    n.contacts.fail = SendFailure("intake.503", permanent=False)  # intake down for good
    await n.deliver(received(), DOSSIER)
    for _ in range(20):
        await drain(n.runtime)
        n.clock.advance(timedelta(seconds=5))
    [note] = await notes(n)
    assert note["status"] == "failed"
    assert note["deliveries"][-1]["channel"] == "letter"
    dead = [
        e
        for e in await events(n)
        if e["_topic"] == dead_letter_topic(Topics.NOTIFICATIONS, "notify")
    ]
    assert [d["notification_id"] for d in dead] == [note["notification_id"]]
    assert "0912345678" not in json.dumps(dead) and "Lò Thị Hoa" not in json.dumps(dead)
    final = [e for e in await events(n) if e.get("event_type") == "NotificationFailed"][-1]
    assert final["payload"]["final"] and final["payload"]["dead_lettered"]

    n.contacts.fail = None  # intake is back: the replay sends it
    async with n.runtime.sessions() as session, session.begin():
        assert await requeue_dead(session, note["notification_id"], now=n.clock.now())
    async with n.runtime.sessions() as session, session.begin():
        assert not await requeue_dead(session, note["notification_id"], now=n.clock.now())
    await drain(n.runtime)
    [note] = await notes(n)
    assert (note["status"], note["channel"]) == ("sent", "zalo")


async def test_a_redelivered_or_republished_event_sends_nothing_twice(n: Notify) -> None:
    env = await n.deliver(received(), DOSSIER)
    await n.deliver(received(), DOSSIER, event_id=env.event_id)  # redelivery: inbox drops it
    from notify.application.plan import plan_notifications
    from notify.entrypoints.subscriptions import _translate

    async with n.runtime.sessions() as session, session.begin():  # same id, past the inbox
        assert (
            await plan_notifications(session, _translate(env, received()), now=n.clock.now()) == 0
        )
    await drain(n.runtime)
    assert len(await notes(n)) == 1
    assert len(n.providers[Channel.ZALO].sent) == 1


async def test_quiet_hours_hold_sms_and_zalo_until_seven(n: Notify) -> None:
    from datetime import UTC, datetime

    night = datetime(2025, 10, 7, 15, 30, tzinfo=UTC)  # 22:30 in Sơn La
    n.clock.set(night)
    await n.deliver(received(at=night), DOSSIER)
    await drain(n.runtime)
    [note] = await notes(n)
    assert note["status"] == "queued"
    held = note["deliveries"][0]
    assert held["attempts"] == 0  # holding is not an attempt
    assert held["next_attempt_at"].startswith("2025-10-08T07:00:00+07:00")  # 00:00 UTC
    n.clock.set(datetime(2025, 10, 8, 0, 1, tzinfo=UTC))
    await drain(n.runtime)
    assert (await notes(n))[0]["status"] == "sent"


async def test_an_apology_about_tomorrow_is_urgent_at_night_but_one_about_next_week_waits(
    n: Notify,
) -> None:
    from datetime import UTC, datetime

    night = datetime(2025, 10, 7, 15, 30, tzinfo=UTC)  # 22:30 on the 7th
    await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    n.clock.set(night)
    tomorrow_due = datetime(2025, 10, 8, 10, 0, tzinfo=UTC)
    await n.deliver(
        apology(tomorrow_due, tomorrow_due + timedelta(days=2)), DOSSIER, producer="workflow"
    )
    await drain(n.runtime)
    kinds = {x["kind"]: x for x in await notes(n)}
    assert kinds["apology_message"]["status"] == "sent"  # Zalo at 22:30: urgent
    assert kinds["apology_notice"]["in_print_queue"]
    assert kinds["apology_notice"]["deliveries"][0]["letter_number"] == "01/XL-UBND"

    other = "0d6c7a3e-0000-4000-8000-000000000002"
    await n.deliver(received(code="000.22.38.H50-251007-0002"), other)
    later_due = datetime(2025, 10, 14, 10, 0, tzinfo=UTC)
    await n.deliver(apology(later_due, later_due + timedelta(days=2)), other, producer="workflow")
    await drain(n.runtime)
    kinds = {x["kind"]: x for x in await notes(n, other)}
    assert kinds["apology_message"]["status"] == "queued"


async def test_ceremony_invitation_and_condolence_letter_once_never_for_re_registration(
    n: Notify,
) -> None:
    await n.deliver(received(), DOSSIER)
    await n.deliver(result_ready(["ceremony_birth"]), DOSSIER)
    await drain(n.runtime)
    kinds = sorted(x["kind"] for x in await notes(n))
    # No invitation without a date: the desk sets the ceremony first.
    assert kinds == ["receipt_confirmation", "result_ready"]
    ready = next(m for m in n.providers[Channel.ZALO].sent if m.kind == "result_ready")
    assert "Lễ trao Giấy khai sinh" in ready.params["ceremony_name"]

    death = "0d6c7a3e-0000-4000-8000-0000000000de"
    await n.deliver(received(procedure_code="1.000656", code="X-0003"), death)
    await n.deliver(result_ready(["condolence_death"], procedure_code="1.000656"), death)
    await n.deliver(result_ready(["condolence_death"], procedure_code="1.000656"), death)
    await drain(n.runtime)
    assert [x["kind"] for x in await notes(n, death)].count("condolence_letter") == 1

    again = "0d6c7a3e-0000-4000-8000-0000000000df"
    await n.deliver(received(procedure_code="1.005461", code="X-0004"), again)
    await n.deliver(result_ready(["condolence_death"], procedure_code="1.005461"), again)
    await drain(n.runtime)
    assert "condolence_letter" not in [x["kind"] for x in await notes(n, again)]


async def test_the_citizen_who_prefers_paper_gets_only_letters(n: Notify) -> None:
    await n.deliver(received(), DOSSIER)
    r = await n.client.put(
        f"/api/v1/communes/{TENANT}/dossiers/{DOSSIER}/preference",
        json={"preferred_channel": "letter"},
        headers=n.headers(),
    )
    assert r.status_code == 200, r.text
    await n.deliver(result_ready([]), DOSSIER)
    await drain(n.runtime)
    ready = next(x for x in await notes(n) if x["kind"] == "result_ready")
    assert ready["chain"] == ["letter"] and ready["in_print_queue"]


async def test_unconfigured_channels_are_skipped_and_online_dossiers_start_with_email(
    n: Notify,
) -> None:
    from motcua_testkit.notify import settings_with_all_channels

    await n.configure(settings_with_all_channels(zalo=None))
    await n.deliver(received(channel="online"), DOSSIER)
    await drain(n.runtime)
    [note] = await notes(n)
    # Planned over what the commune has (issue 20): no Zalo attempt bound to fail.
    assert note["chain"] == ["email", "sms", "letter"]
    assert note["channel"] == "email" and note["status"] == "sent"
    [mail] = n.providers[Channel.EMAIL].sent
    assert mail.subject and "000.22.38.H50-251007-0001" in mail.subject
    assert "Kính gửi Ông/Bà" in mail.body

    second = "0d6c7a3e-0000-4000-8000-000000000003"
    await n.configure(settings_with_all_channels(zalo=None, email=None))
    await n.deliver(received(channel="online", code="X-9"), second)
    await drain(n.runtime)
    [note] = await notes(n, second)
    assert note["chain"] == ["sms", "letter"]
    # Not a cascade of failures through e-mail and Zalo first: one delivery, by SMS.
    assert [(d["channel"], d["last_error_code"]) for d in note["deliveries"]] == [("sms", None)]
    assert note["channel"] == "sms" and note["status"] == "sent"
    failed = [e for e in await events(n) if e.get("event_type") == "NotificationFailed"]
    assert not failed


async def test_a_commune_with_no_channel_but_the_letter_prints_at_once(n: Notify) -> None:
    from motcua_testkit.notify import settings_with_all_channels

    await n.configure(settings_with_all_channels(zalo=None, email=None, sms=None))
    await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    [note] = await notes(n)
    assert note["chain"] == ["letter"] and note["in_print_queue"]
    assert [d["channel"] for d in note["deliveries"]] == ["letter"]


async def test_a_provider_rate_limit_delays_without_spending_attempts(n: Notify) -> None:
    n.providers[Channel.ZALO].rate_per_second = 1.0
    for i in range(3):
        await n.deliver(received(code=f"R-{i}"), f"0d6c7a3e-0000-4000-8000-00000000010{i}")
    await drain(n.runtime)
    assert len(n.providers[Channel.ZALO].sent) == 1
    for _ in range(3):
        n.clock.advance(timedelta(seconds=1.1))
        await drain(n.runtime)
    assert len(n.providers[Channel.ZALO].sent) == 3


async def test_leaders_get_escalations_and_the_morning_digest_from_staff_contacts(
    n: Notify,
) -> None:
    from datetime import date

    from motcua_contracts.events import clock_v1
    from motcua_testkit.notify import MORNING, settings_with_all_channels

    await n.configure(
        settings_with_all_channels(
            staff={
                "cb-lanh-dao": {"title_vi": "Phó Chủ tịch UBND xã", "email": "pct@chiengkhuong.vn"}
            }
        )
    )
    await n.deliver(received(), DOSSIER)
    await n.deliver(
        clock_v1.EscalationRaised(
            escalation_id="e1",
            dossier_code="000.22.38.H50-251007-0001",
            reason=clock_v1.EscalationReason.AT_RISK,
            level=1,
            to_official_id="cb-lanh-dao",
            raised_at=MORNING,
        ),
        DOSSIER,
        producer="workflow",
    )
    await n.deliver(
        clock_v1.MorningDigestCompiled(
            timer_key="digest:2025-10-07",
            day=date(2025, 10, 7),
            compiled_at=MORNING,
            leader_official_id="cb-lanh-dao",
            at_risk=[
                clock_v1.DigestEntry(dossier_code="000.22.38.H50-251007-0001", due_at=MORNING)
            ],
            late=[],
        ),
        None,
        producer="workflow",
    )
    await drain(n.runtime)
    mails = n.providers[Channel.EMAIL].sent
    assert {m.to for m in mails} == {"pct@chiengkhuong.vn"}
    escalation, digest = sorted(mails, key=lambda m: m.kind)
    assert "có nguy cơ trễ hạn" in (escalation.subject or "")
    assert "Đồng chí Phó Chủ tịch UBND xã" in escalation.body
    assert "1 có nguy cơ" in (digest.subject or "") and "000.22.38.H50-251007-0001" in digest.body


async def test_a_database_outage_stalls_the_dispatcher_without_spending_attempts(
    n: Notify,
) -> None:
    from motcua_platform.faults import STALLED, RetryPolicy
    from sqlalchemy import exc as sa_exc

    await n.deliver(received(), DOSSIER)
    dispatcher = n.runtime.app.state.dispatcher  # type: ignore[union-attr]
    dispatcher.retry_policy = RetryPolicy(base_seconds=0.001, cap_seconds=0.002)
    real = dispatcher.ledger._sessions
    left = {"n": 12}

    def failing():  # type: ignore[no-untyped-def]
        if left["n"] > 0:
            left["n"] -= 1
            raise sa_exc.OperationalError("SELECT", {}, ConnectionRefusedError("refused"))
        return real()

    dispatcher.ledger._sessions = failing
    gauge = STALLED.labels("notify", "dispatcher")
    for _ in range(12):
        assert await dispatcher._round() == 0
    assert gauge._value.get() == 1.0
    assert await dispatcher._round() == 1
    assert gauge._value.get() == 0.0
    [note] = await notes(n)
    assert (note["status"], note["channel"]) == ("sent", "zalo")
    assert note["deliveries"][0]["attempts"] == 1


async def test_the_ceremony_invitation_states_date_time_and_place_once_per_schedule(
    n: Notify,
) -> None:
    await n.deliver(received(), DOSSIER)
    await n.deliver(result_ready(["ceremony_birth"]), DOSSIER)
    at = datetime(2025, 10, 9, 8, 30, tzinfo=VN)  # a Thursday
    first = await n.deliver(ceremony_scheduled(at, "Hội trường UBND xã Chiềng Khương"), DOSSIER)
    await n.consumer.handle(inbound(first))  # the same event again: dropped by the inbox
    await n.deliver(ceremony_scheduled(at, "Hội trường UBND xã Chiềng Khương"), DOSSIER)
    await drain(n.runtime)
    kinds = [x["kind"] for x in await notes(n)]
    assert kinds.count("ceremony_invitation") == 1 and kinds.count("ceremony_message") == 1
    letter = next(x for x in await notes(n) if x["kind"] == "ceremony_invitation")
    assert letter["chain"] == ["letter"] and letter["in_print_queue"]
    [message] = [m for m in n.providers[Channel.ZALO].sent if m.kind == "ceremony_message"]
    assert message.params["ceremony_time"] == "08 giờ 30"
    assert message.params["ceremony_date"] == "thứ Năm, ngày 09/10/2025"
    assert message.params["ceremony_place"] == "Hội trường UBND xã Chiềng Khương"

    moved = at + timedelta(days=1, hours=6)  # Friday 14:30: the family hears once more
    await n.deliver(ceremony_scheduled(moved, "Nhà văn hóa bản Nà Ngà", revision=2), DOSSIER)
    await drain(n.runtime)
    kinds = [x["kind"] for x in await notes(n)]
    assert kinds.count("ceremony_invitation") == 2 and kinds.count("ceremony_message") == 2
    latest = [m for m in n.providers[Channel.ZALO].sent if m.kind == "ceremony_message"][-1]
    assert latest.params["ceremony_time"] == "14 giờ 30"
    assert latest.params["ceremony_place"] == "Nhà văn hóa bản Nà Ngà"


async def test_an_escalation_is_addressed_to_the_roster_leader_of_that_day(n: Notify) -> None:
    import io
    import unicodedata
    from datetime import date

    from motcua_contracts.events import clock_v1, tenants_v1, tenants_v2
    from motcua_testkit.notify import MORNING
    from pypdf import PdfReader

    swap = tenants_v1.LeaderOnDuty(official_id="ld-thay", title_vi="Ủy viên UBND xã (trực thay)")
    profile = tenants_v2.TenantConfigured(
        tenant_id=TENANT,
        unit_code="04087",
        name_vi="Xã Chiềng Khương",
        unit_type=tenants_v1.UnitType.XA,
        province_code="14",
        agency_code="000.22.38.H50",
        status=tenants_v1.TenantStatus.ACTIVE,
        leader_on_duty=tenants_v1.LeaderOnDuty(official_id="ld-pct", title_vi="Phó Chủ tịch"),
        duty_roster=tenants_v2.DutyRoster(
            dates=[tenants_v2.DateDuty(day=date(2025, 10, 7), leader=swap)]
        ),
        revision=1,
    )
    await n.deliver(profile, None, producer="intake", schema_version=2)
    await n.deliver(received(), DOSSIER)
    await n.deliver(
        clock_v1.EscalationRaised(
            escalation_id="e1",
            dossier_code="000.22.38.H50-251007-0001",
            reason=clock_v1.EscalationReason.LATE,
            level=1,
            to_official_id="ld-thay",
            raised_at=MORNING,
        ),
        DOSSIER,
        producer="workflow",
    )
    for _ in range(12):  # no work contact for the stand-in: the alert ends as a letter
        await drain(n.runtime)
        n.clock.advance(timedelta(seconds=5))
    [alert] = [x for x in await notes(n) if x["kind"] == "escalation_alert"]
    assert alert["in_print_queue"], alert
    base = f"/api/v1/communes/{TENANT}"
    queue = (await n.client.get(f"{base}/print-queue", headers=n.headers())).json()
    [job] = [j for j in queue if j["kind"] == "escalation_alert"]
    pdf = await n.client.get(f"{base}/print-queue/{job['delivery_id']}/pdf", headers=n.headers())
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    text = " ".join(
        unicodedata.normalize("NFC", " ".join(p.extract_text() or "" for p in pages)).split()
    )
    assert "Đồng chí Ủy viên UBND xã (trực thay)" in text
