"""The API: bearer tokens and roles, templates with preview, settings, the print desk."""

from __future__ import annotations

import io
import json

from motcua_testkit.notify import DOSSIER, TENANT, Notify, drain, received, result_ready
from notify.domain.kinds import Channel
from notify.domain.retry import SendFailure
from pypdf import PdfReader

BASE = f"/api/v1/communes/{TENANT}"


async def test_statuses_need_a_token_and_the_right_commune(n: Notify) -> None:
    url = f"{BASE}/dossiers/{DOSSIER}/notifications"
    r = await n.client.get(url)
    assert r.status_code == 401 and r.json()["code"] == "auth.missing_token"
    r = await n.client.get(url, headers=n.headers("clerk", "phuong-khac"))
    assert r.status_code == 403 and r.json()["code"] == "auth.other_commune"
    for role in ("clerk", "leader", "province_monitor"):
        assert (await n.client.get(url, headers=n.headers(role))).status_code == 200
    r = await n.client.put(
        f"{BASE}/dossiers/{DOSSIER}/preference",
        json={"preferred_channel": "sms"},
        headers=n.headers("province_monitor"),
    )
    assert r.status_code == 403  # read-only


async def test_operators_save_versioned_templates_and_a_missing_variable_is_refused(
    n: Notify,
) -> None:
    url = f"{BASE}/templates/receipt_confirmation/sms"
    bad = await n.client.put(
        url, json={"body": "Kính gửi {{ ho_ten }}"}, headers=n.headers("operator")
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "template.unknown_variable" and "ho_ten" in bad.json()["message"]
    denied = await n.client.put(url, json={"body": "{{ dossier_code }}"}, headers=n.headers())
    assert denied.status_code == 403
    for text in ("Xã kính báo: hồ sơ {{ dossier_code }} đã nhận.", "Hồ sơ {{ dossier_code }}."):
        r = await n.client.put(url, json={"body": text}, headers=n.headers("operator"))
        assert r.status_code == 200, r.text
    versions = (await n.client.get(url, headers=n.headers())).json()
    assert [v["version"] for v in versions] == [2, 1, 0]  # 0 is the packaged default

    await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    [sms] = n.providers[Channel.ZALO].sent  # Zalo renders the SMS text for its record
    assert sms.body == "Hồ sơ 000.22.38.H50-251007-0001."


async def test_preview_renders_drafts_and_letters(n: Notify) -> None:
    r = await n.client.post(
        f"{BASE}/templates/result_ready/email/preview",
        json={"data": {"ceremony": False}},
        headers=n.headers(),
    )
    assert r.status_code == 200, r.text
    assert "Kính mời Ông/Bà đến Bộ phận một cửa nhận kết quả" in r.json()["body"]
    r = await n.client.post(
        f"{BASE}/templates/condolence_letter/letter/preview?format=pdf",
        json={},
        headers=n.headers(),
    )
    assert r.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert "THƯ CHIA BUỒN" in text
    r = await n.client.post(
        f"{BASE}/templates/receipt_confirmation/sms/preview",
        json={"body": "{{ dossier_code }} {{ khong_co }}"},
        headers=n.headers(),
    )
    assert r.status_code == 422 and r.json()["code"] == "template.unknown_variable"


async def test_settings_keep_secrets_as_references_only(n: Notify) -> None:
    url = f"{BASE}/notify-settings"
    plain = {"sms": {"url": "https://sms.example/send", "token": "s3cr3t"}}
    r = await n.client.put(url, json=plain, headers=n.headers("operator"))
    assert r.status_code == 422 and "s3cr3t" not in r.text
    plain_ref = {"sms": {"url": "https://sms.example/send", "token_ref": "s3cr3t"}}
    assert (
        await n.client.put(url, json=plain_ref, headers=n.headers("operator"))
    ).status_code == 422
    ok = {
        "unit_name_vi": "Xã Chiềng Khương",
        "sms": {"url": "https://sms.example/send", "token_ref": "env:MOTCUA_SMS_TOKEN_CK"},
        "rules": [{"kind": "satisfaction_survey", "enabled": False}],
    }
    r = await n.client.put(url, json=ok, headers=n.headers("operator"))
    assert r.status_code == 200, r.text
    no_letter = {"rules": [{"kind": "refusal_notice", "chain": ["sms", "email"]}]}
    r = await n.client.put(url, json=no_letter, headers=n.headers("operator"))
    assert r.status_code == 422 and r.json()["code"] == "rule.letter_last"
    rules = (await n.client.get(f"{BASE}/notify-rules", headers=n.headers())).json()
    assert "satisfaction_survey" not in {x["kind"] for x in rules}
    assert (await n.client.get(url, headers=n.headers())).status_code == 403


async def test_the_desk_prints_a_letter_and_marks_it_printed_once(n: Notify) -> None:
    await n.deliver(received(procedure_code="1.000656"), DOSSIER)
    await n.deliver(result_ready(["condolence_death"], procedure_code="1.000656"), DOSSIER)
    await drain(n.runtime)
    queue = (await n.client.get(f"{BASE}/print-queue", headers=n.headers())).json()
    [job] = [j for j in queue if j["kind"] == "condolence_letter"]
    assert job["letter_number"] == "01/TCB-UBND" and job["recipient"] == "family"

    pdf = await n.client.get(f"{BASE}/print-queue/{job['delivery_id']}/pdf", headers=n.headers())
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Kính gửi: Ông/Bà Lò Thị Hoa và gia quyến" in text and "01/TCB-UBND" in text
    monitor = await n.client.get(
        f"{BASE}/print-queue/{job['delivery_id']}/pdf", headers=n.headers("province_monitor")
    )
    assert monitor.status_code == 403  # names and addresses: the commune's desk only

    for _ in range(2):
        r = await n.client.post(
            f"{BASE}/print-queue/{job['delivery_id']}/printed", headers=n.headers()
        )
        assert r.status_code == 200 and r.json()["status"] == "printed"
    from notify.adapters.tables import outbox
    from sqlalchemy import select

    async with n.runtime.sessions() as session:
        values = (await session.execute(select(outbox.c.value))).scalars().all()
    printed = [json.loads(v) for v in values if b"NotificationPrinted" in v]
    assert len(printed) == 1 and printed[0]["payload"]["letter_number"] == "01/TCB-UBND"
    note = next(
        x
        for x in (
            await n.client.get(f"{BASE}/dossiers/{DOSSIER}/notifications", headers=n.headers())
        ).json()
        if x["kind"] == "condolence_letter"
    )
    assert note["status"] == "printed"


async def test_a_delivery_receipt_needs_the_commune_token(n: Notify, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from motcua_testkit.notify import settings_with_all_channels

    monkeypatch.setenv("MOTCUA_TEST_CALLBACK", "cb-secret")
    await n.configure(settings_with_all_channels(callback_token_ref="env:MOTCUA_TEST_CALLBACK"))
    n.providers[Channel.ZALO].always = SendFailure("zalo.400", True)
    await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    note = (
        await n.client.get(f"{BASE}/dossiers/{DOSSIER}/notifications", headers=n.headers())
    ).json()[0]
    ref = note["deliveries"][-1]["delivery_id"]
    url = f"/api/v1/provider-callbacks/{TENANT}/sms"
    body = {"reference": ref, "status": "delivered"}
    assert (
        await n.client.post(url, json=body, headers={"X-Callback-Token": "x"})
    ).status_code == 403
    r = await n.client.post(url, json=body, headers={"X-Callback-Token": "cb-secret"})
    assert r.status_code == 204
    note = (
        await n.client.get(f"{BASE}/dossiers/{DOSSIER}/notifications", headers=n.headers())
    ).json()[0]
    assert note["status"] == "delivered"
