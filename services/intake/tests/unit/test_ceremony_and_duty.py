"""The hand-over ceremony's schedule and the leaders' duty roster, through the HTTP API."""

from __future__ import annotations

import unicodedata
from typing import Any

from motcua_contracts.events.tenants_v2 import TenantConfigured
from motcua_contracts.topics import Topics
from motcua_testkit.intake import A, Desk, outbox_events

B = "chieng-khuong"


async def _ready(desk: Desk) -> dict[str, Any]:
    d = await desk.register()  # a birth registration (1.001193): a ceremony procedure
    assert (await desk.act(d, "accept")).status_code == 200
    assert (await desk.act(d, "decision", {"outcome": "approved"}, role="leader")).status_code
    assert (await desk.act(d, "result-ready")).json()["status"] == "result_ready"
    return d


def _url(d: dict[str, Any]) -> str:
    return f"/api/v1/communes/{d['tenant_id']}/dossiers/{d['dossier_id']}/ceremony"


async def _ceremonies(desk: Desk, d: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e
        for e in await outbox_events(desk.runtime)
        if e["dossier_id"] == d["dossier_id"] and e["event_type"] == "CeremonyScheduled"
    ]


async def test_the_clerk_sets_date_time_and_place_and_one_event_tells_notify(desk: Desk) -> None:
    d = await _ready(desk)
    place = unicodedata.normalize("NFD", "  Hội trường   UBND phường Quyết Thắng ")
    body = {"ceremony_at": "2026-02-23T08:30:00+07:00", "place": place}  # Monday after Tết
    r = await desk.client.put(_url(d), json=body, headers=desk.auth())
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["place"] == "Hội trường UBND phường Quyết Thắng"  # NFC, single spaces
    assert unicodedata.is_normalized("NFC", out["place"])
    assert out["ceremony_at"] == "2026-02-23T08:30:00+07:00"
    assert out["ceremony_time_vi"] == "08 giờ 30, thứ Hai, ngày 23/02/2026"
    assert (out["revision"], out["change"]) == (1, "created")

    again = await desk.client.put(_url(d), json=body, headers=desk.auth())
    assert again.json()["change"] == "unchanged"
    [event] = await _ceremonies(desk, d)  # the same schedule twice: one event, one invitation
    payload = event["payload"]
    assert payload["occasion"] == "birth" and payload["schedule_revision"] == 1
    assert payload["place_vi"] == "Hội trường UBND phường Quyết Thắng"
    assert payload["ready_at"] is not None
    assert "Lò" not in str(payload) and "applicant" not in str(payload)

    moved = {"ceremony_at": "2026-02-24T14:00:00+07:00", "place": "Nhà văn hóa tổ 3"}
    changed = (await desk.client.put(_url(d), json=moved, headers=desk.auth())).json()
    assert (changed["revision"], changed["change"]) == (2, "changed")
    assert [e["payload"]["schedule_revision"] for e in await _ceremonies(desk, d)] == [1, 2]
    read = (await desk.client.get(_url(d), headers=desk.auth())).json()
    assert read["place"] == "Nhà văn hóa tổ 3" and read["revision"] == 2
    audit = (
        await desk.client.get(_url(d).removesuffix("/ceremony") + "/audit", headers=desk.auth())
    ).json()
    assert [a["new_value"] for a in audit if a["field"] == "ceremony_place"] == [
        "Hội trường UBND phường Quyết Thắng",
        "Nhà văn hóa tổ 3",
    ]


async def test_a_schedule_in_the_past_on_a_holiday_or_after_hours_is_refused_with_every_field(
    desk: Desk,
) -> None:
    d = await _ready(desk)
    cases = {
        "2026-02-13T08:00:00+07:00": "ceremony.in_the_past",  # the clock says 09:00 today
        "2026-02-16T08:30:00+07:00": "ceremony.not_working_day",  # Tết 2026
        "2026-02-21T08:30:00+07:00": "ceremony.not_working_day",  # a Saturday (and Tết)
        "2026-02-23T12:15:00+07:00": "ceremony.outside_office_hours",  # lunch break
        "2026-02-23T18:00:00+07:00": "ceremony.outside_office_hours",
        "2026-09-01T08:30:00+07:00": "ceremony.too_far",
    }
    for at, code in cases.items():
        r = await desk.client.put(
            _url(d), json={"ceremony_at": at, "place": "x"}, headers=desk.auth()
        )
        assert r.status_code == 422, (at, r.text)
        assert r.json()["code"] == code, at
        assert r.json()["message"] and r.json()["errors"][0]["field"] == "ceremony_at"
    both = await desk.client.put(
        _url(d),
        json={"ceremony_at": "2026-02-13T08:00:00+07:00", "place": "x" * 201},
        headers=desk.auth(),
    )
    assert {e["code"] for e in both.json()["errors"]} == {
        "ceremony.place_too_long",
        "ceremony.in_the_past",
    }
    naive = await desk.client.put(
        _url(d), json={"ceremony_at": "2026-02-23T08:30:00", "place": "x"}, headers=desk.auth()
    )
    assert naive.status_code == 422
    assert await _ceremonies(desk, d) == []


async def test_no_ceremony_before_the_decision_nor_for_other_procedures_nor_other_communes(
    desk: Desk,
) -> None:
    body = {"ceremony_at": "2026-02-23T08:30:00+07:00", "place": "Hội trường"}
    early = await desk.register()
    r = await desk.client.put(_url(early), json=body, headers=desk.auth())
    assert (r.status_code, r.json()["code"]) == (409, "ceremony.not_ready")
    other = await desk.register(procedure_code="2.000884")  # signature certification
    r = await desk.client.put(_url(other), json=body, headers=desk.auth())
    assert (r.status_code, r.json()["code"]) == (409, "ceremony.not_applicable")
    d = await _ready(desk)
    r = await desk.client.put(_url(d), json=body, headers=desk.auth("clerk", B))
    assert r.status_code in (403, 404)


async def _tenant_events(desk: Desk, tenant: str) -> list[TenantConfigured]:
    return [
        TenantConfigured.model_validate(e["payload"])
        for e in await outbox_events(desk.runtime, Topics.TENANTS)
        if e["tenant_id"] == tenant
    ]


async def test_the_pilot_communes_are_seeded_with_a_leader_on_duty_and_a_roster(desk: Desk) -> None:
    for tenant in ("quyet-thang", "chieng-khuong", "moc-chau-tt"):
        latest = (await _tenant_events(desk, tenant))[-1]
        assert latest.leader_on_duty is not None
        assert latest.leader_on_duty.official_id == f"lanh-dao.{tenant}.pct"
        assert {w.weekday for w in latest.duty_roster.weekdays} == {1, 2, 3, 4, 5}
    [envelope] = [
        e for e in await outbox_events(desk.runtime, Topics.TENANTS) if e["tenant_id"] == A
    ]
    assert envelope["schema_version"] == 2


async def test_only_the_communes_leader_sets_its_roster_and_it_is_published(desk: Desk) -> None:
    url = f"/api/v1/communes/{A}/duty-roster"
    roster = {
        "weekdays": [{"weekday": 1, "leader": {"official_id": "ld-1", "title_vi": "Chủ tịch"}}],
        "dates": [{"day": "2026-02-23", "leader": {"official_id": "ld-2"}}],
    }
    assert (await desk.client.put(url, json=roster, headers=desk.auth("clerk"))).status_code == 403
    other = await desk.client.put(url, json=roster, headers=desk.auth("leader", B))
    assert (other.status_code, other.json()["code"]) == (403, "auth.other_commune")
    r = await desk.client.put(url, json=roster, headers=desk.auth("leader"))
    assert r.status_code == 200, r.text
    assert (
        r.json()["change"] == "changed" and r.json()["dates"][0]["leader"]["official_id"] == "ld-2"
    )
    again = await desk.client.put(url, json=roster, headers=desk.auth("leader"))
    assert again.json()["change"] == "unchanged"
    latest = (await _tenant_events(desk, A))[-1]
    assert [d.leader.official_id for d in latest.duty_roster.dates] == ["ld-2"]
    assert latest.leader_on_duty is not None  # the default is kept
    assert len(await _tenant_events(desk, A)) == 2
    read = await desk.client.get(url, headers=desk.auth("clerk"))
    assert read.json()["weekdays"][0]["leader"]["official_id"] == "ld-1"
    twice = {"weekdays": [roster["weekdays"][0], roster["weekdays"][0]]}
    assert (await desk.client.put(url, json=twice, headers=desk.auth("leader"))).status_code == 422


async def test_a_new_commune_gets_a_duty_leader_and_an_operator_change_keeps_the_roster(
    desk: Desk,
) -> None:
    unit = {"name_vi": "Xã Mường Bú", "agency_code": "000.30.01.H50", "unit_type": "xa"}
    put = await desk.client.put(
        "/api/v1/tenants/muong-bu", json=unit, headers=desk.auth("operator", None)
    )
    assert put.status_code == 200, put.text
    [created] = await _tenant_events(desk, "muong-bu")
    assert created.leader_on_duty is not None
    assert created.leader_on_duty.official_id == "truc.muong-bu"
    roster = {"weekdays": [{"weekday": 3, "leader": {"official_id": "ld-mb"}}]}
    headers = desk.auth("leader", "muong-bu")
    url = "/api/v1/communes/muong-bu/duty-roster"
    assert (await desk.client.put(url, json=roster, headers=headers)).status_code == 200
    renamed = {**unit, "name_vi": "Xã Mường Bú (mới)"}
    await desk.client.put(
        "/api/v1/tenants/muong-bu", json=renamed, headers=desk.auth("operator", None)
    )
    latest = (await _tenant_events(desk, "muong-bu"))[-1]
    assert latest.name_vi == "Xã Mường Bú (mới)"
    assert [w.leader.official_id for w in latest.duty_roster.weekdays] == ["ld-mb"]


async def test_the_citizens_qr_page_shows_the_scheduled_ceremony_until_the_hand_over(
    desk: Desk,
) -> None:
    d = await _ready(desk)
    path = "/tra-cuu/" + d["public_url"].split("/tra-cuu/", 1)[1]
    before = (await desk.client.get(path)).text
    assert "Lễ trao" not in before  # nothing scheduled yet: nothing promised
    body = {"ceremony_at": "2026-02-23T08:30:00+07:00", "place": "Hội trường UBND xã"}
    assert (await desk.client.put(_url(d), json=body, headers=desk.auth())).status_code == 200

    page = (await desk.client.get(path)).text
    assert "Lễ trao Giấy khai sinh" in page
    assert "Thời gian: <strong>08 giờ 30 phút, Thứ Hai ngày 23/02/2026</strong>" in page
    assert "Địa điểm: <strong>Hội trường UBND xã</strong>" in page
    assert "Lò Văn" not in page and "0912345678" not in page  # still no personal data

    returned = await desk.act(d, "result-returned", {"method": "counter"})
    assert returned.status_code == 200, returned.text
    after = (await desk.client.get(path)).text
    assert "Lễ trao" not in after  # handed over: the invitation is no longer ahead


async def test_the_place_carries_no_phone_id_or_email(desk: Desk) -> None:
    """Issue 17: the place travels in CeremonyScheduled; a person's contact must not."""
    d = await _ready(desk)
    at = "2026-02-23T08:30:00+07:00"
    for place in (
        "Nhà anh Lò Văn An, ĐT 0912 345 678",
        "Hội trường, liên hệ hoa.lo@example.vn",
        "Nhà ông CCCD 014095001234",
    ):
        r = await desk.client.put(
            _url(d), json={"ceremony_at": at, "place": place}, headers=desk.auth()
        )
        assert r.status_code == 422, (place, r.text)
        assert r.json()["errors"][0]["code"] == "ceremony.place_personal_data"
        assert "điện thoại" in r.json()["errors"][0]["message"]
    assert await _ceremonies(desk, d) == []
    ok = {"ceremony_at": at, "place": "Hội trường UBND xã, tầng 2, phòng 201"}
    assert (await desk.client.put(_url(d), json=ok, headers=desk.auth())).status_code == 200
