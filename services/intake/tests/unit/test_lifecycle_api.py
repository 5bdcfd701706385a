"""Every path of the lifecycle through the HTTP API, with its events in the outbox."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from motcua_testkit.intake import A, Desk, dossier_body, outbox_events


async def _types(desk: Desk, dossier_id: str) -> list[str]:
    return [
        e["event_type"] for e in await outbox_events(desk.runtime) if e["dossier_id"] == dossier_id
    ]


async def test_register_gives_an_official_code_and_a_due_date(desk: Desk) -> None:
    d = await desk.register()
    assert d["code"] == "000.21.31.H50-260213-0001"
    assert d["status"] == "received" and d["version"] == 1
    assert d["allowed_transitions"] == ["accept", "supplement-request", "refuse", "withdraw"]
    assert d["public_url"].startswith("https://motcua.example.vn/tra-cuu/")
    assert (await desk.register())["code"].endswith("-0002")
    [event] = [e for e in await outbox_events(desk.runtime) if e["dossier_id"] == d["dossier_id"]]
    assert event["payload"]["due_at"] and event["aggregate_version"] == 1


async def test_happy_path_with_supplement_transfer_decision_and_rating(desk: Desk) -> None:
    d = await desk.register()
    r = await desk.act(d, "supplement-request", {"missing_items": ["Bản sao sổ hộ khẩu"]})
    assert r.status_code == 200 and r.json()["status"] == "awaiting_supplement"
    desk.clock.advance(timedelta(hours=2))
    assert (await desk.act(d, "supplement-received")).json()["status"] == "received"
    again = await desk.act(d, "supplement-request", {"missing_items": ["x"]})
    assert again.status_code == 409
    assert "supplement-request" not in again.json()["allowed_transitions"]
    assert (await desk.act(d, "accept")).json()["status"] == "accepted"
    hop = {"to_official_id": "cb-tu-phap", "to_unit_id": "tu-phap", "step_key": "xu_ly"}
    assert (await desk.act(d, "transfer", hop)).json()["handler_official_id"] == "cb-tu-phap"
    assert (await desk.act(d, "decision", {"outcome": "approved"})).status_code == 403
    decided = await desk.act(d, "decision", {"outcome": "approved"}, role="leader")
    assert decided.json()["status"] == "decided"
    assert (await desk.act(d, "result-ready")).json()["status"] == "result_ready"
    returned = await desk.act(d, "result-returned", {"method": "counter"})
    assert returned.json()["status"] == "returned" and returned.json()["version"] == 8
    url = f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}/satisfaction"
    rating = {"level": "rat_hai_long", "criteria": {"attitude": 2}, "comment": "Cán bộ tận tình"}
    assert (await desk.client.post(url, json=rating, headers=desk.auth())).status_code == 204
    assert (await desk.client.post(url, json=rating, headers=desk.auth())).status_code == 409

    events = [e for e in await outbox_events(desk.runtime) if e["dossier_id"] == d["dossier_id"]]
    assert [e["event_type"] for e in events] == [
        "DossierReceived",
        "SupplementRequested",
        "SupplementReceived",
        "DossierAccepted",
        "DossierTransferred",
        "DecisionMade",
        "ResultReady",
        "ResultReturned",
        "SatisfactionRated",
    ]
    assert [e["aggregate_version"] for e in events] == list(range(1, 10))
    ready = events[6]["payload"]
    assert ready["practices"] == ["ceremony_birth"] and ready["outcome"] == "approved"
    assert "comment" not in events[-1]["payload"]

    base = f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}"
    sheet = (await desk.client.get(f"{base}/history", headers=desk.auth())).json()
    assert [s["action"] for s in sheet][:2] == ["register", "request_supplement"]
    transfer = next(s for s in sheet if s["action"] == "transfer")
    assert transfer["receiver"] == "cb-tu-phap" and transfer["step_key"] == "xu_ly"
    audit = (await desk.client.get(f"{base}/audit", headers=desk.auth())).json()
    status_changes = [(a["old_value"], a["new_value"]) for a in audit if a["field"] == "status"]
    assert status_changes[0] == ("received", "awaiting_supplement")
    assert all(a["actor"] for a in audit)


async def test_refusal_withdrawal_and_rejection_paths(desk: Desk) -> None:
    refused = await desk.register()
    bad = await desk.act(refused, "refuse", {"reason_codes": ["not_competent"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reason_text"
    ok = await desk.act(
        refused,
        "refuse",
        {"reason_codes": ["not_competent"], "reason_text": "Không thuộc thẩm quyền."},
    )
    assert ok.json()["status"] == "refused"
    assert ok.json()["allowed_transitions"] == []
    assert (await desk.act(refused, "accept")).json()["code"] == "dossier.invalid_transition"

    withdrawn = await desk.register()
    await desk.act(withdrawn, "accept")
    assert (await desk.act(withdrawn, "withdraw", {"note": "Công dân xin rút"})).json()[
        "status"
    ] == "withdrawn"

    rejected = await desk.register()
    await desk.act(rejected, "accept")
    no_reason = await desk.act(rejected, "decision", {"outcome": "rejected"}, role="leader")
    assert no_reason.status_code == 422
    await desk.act(
        rejected, "decision", {"outcome": "rejected", "reason_codes": ["false_info"]}, role="leader"
    )
    await desk.act(rejected, "result-ready")
    assert (await _types(desk, rejected["dossier_id"]))[-1] == "ResultReady"
    last = [
        e for e in await outbox_events(desk.runtime) if e["dossier_id"] == rejected["dossier_id"]
    ]
    assert last[-1]["payload"]["practices"] == []
    to_other = await desk.act(
        rejected, "result-returned", {"method": "postal", "to_applicant": False}
    )
    assert to_other.status_code == 422
    done = await desk.act(
        rejected,
        "result-returned",
        {"method": "postal", "to_applicant": False, "recipient_name": "Lò Thị Hoa"},
    )
    assert done.json()["status"] == "returned"


async def test_validation_errors_are_vietnamese_per_field(desk: Desk) -> None:
    body = dossier_body()
    body["applicant"] = {**body["applicant"], "id_number": "999095001234", "phone": "123"}
    r = await desk.client.post(f"/api/v1/communes/{A}/dossiers", json=body, headers=desk.auth())
    assert r.status_code == 422 and r.json()["field"] == "applicant.id_number"
    assert "mã tỉnh" in r.json()["errors"][0]["message"]
    body = dossier_body()
    del body["applicant"]["date_of_birth"]
    r = await desk.client.post(f"/api/v1/communes/{A}/dossiers", json=body, headers=desk.auth())
    assert r.json()["errors"][0] == {
        "field": "applicant.date_of_birth",
        "code": "validation.missing",
        "message": "Thiếu trường bắt buộc.",
    }
    r = await desk.client.post(
        f"/api/v1/communes/{A}/dossiers",
        json={**dossier_body(), "procedure_code": "9.999"},
        headers=desk.auth(),
    )
    assert r.json()["code"] == "procedure.unknown"


async def test_idempotency_key_makes_a_retry_safe_even_concurrently(desk: Desk) -> None:
    headers = {**desk.auth(), "Idempotency-Key": "k-1"}
    url = f"/api/v1/communes/{A}/dossiers"
    first, second = await asyncio.gather(
        desk.client.post(url, json=dossier_body(), headers=headers),
        desk.client.post(url, json=dossier_body(), headers=headers),
    )
    assert {first.status_code, second.status_code} == {201}
    assert first.json()["dossier_id"] == second.json()["dossier_id"]
    other = await desk.client.post(
        url, json={**dossier_body(), "channel": "postal"}, headers=headers
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key.reused"
    assert len(await outbox_events(desk.runtime)) == 1


async def test_concurrent_registrations_get_unique_codes(desk: Desk) -> None:
    results = await asyncio.gather(*(desk.register() for _ in range(12)))
    codes = sorted(r["code"] for r in results)
    assert codes == [f"000.21.31.H50-260213-{i:04d}" for i in range(1, 13)]


async def test_search_filters_and_stable_pagination(desk: Desk) -> None:
    first = await desk.register()
    desk.clock.advance(timedelta(minutes=5))
    other = dossier_body()
    other["applicant"] = {**other["applicant"], "full_name": "Đặng Thị Ánh"}
    await desk.register(**{"applicant": other["applicant"], "procedure_code": "2.000884"})
    for _ in range(3):
        desk.clock.advance(timedelta(minutes=1))
        await desk.register()
    url = f"/api/v1/communes/{A}/dossiers"

    async def get(**params: Any) -> dict[str, Any]:
        r = await desk.client.get(url, params=params, headers=desk.auth())
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    assert [i["applicant_name"] for i in (await get(q="dang thi"))["items"]] == ["Đặng Thị Ánh"]
    assert len((await get(procedure_code="2.000884"))["items"]) == 1
    assert (await get(code=first["code"]))["items"][0]["dossier_id"] == first["dossier_id"]
    seen, cursor = [], None
    while True:
        page = await get(limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [i["dossier_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5 and seen[-1] == first["dossier_id"]
    assert len((await get(due_today=True))["items"]) == 5  # same-day procedures, before 15:00
    assert (await get(late=True))["items"] == []
    desk.clock.advance(timedelta(days=3))
    assert len((await get(late=True))["items"]) == 5
    assert (
        len(
            (await get(status="received", received_from="2026-02-13", received_to="2026-02-13"))[
                "items"
            ]
        )
        == 5
    )
    bad = await desk.client.get(url, params={"cursor": "nonsense"}, headers=desk.auth())
    assert bad.status_code == 422 and bad.json()["code"] == "cursor.invalid"


async def test_logs_of_a_full_lifecycle_carry_no_personal_data(desk: Desk, caplog: Any) -> None:
    from motcua_platform.logs import JsonFormatter, configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("intake", level="DEBUG")  # as production sets it up, at its most verbose
    root.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    d = await desk.register()
    await desk.act(d, "supplement-request", {"missing_items": ["Giấy chứng sinh"]})
    await desk.act(d, "supplement-received")
    await desk.act(d, "accept")
    await desk.act(d, "transfer", {"to_official_id": "cb-1"})
    await desk.act(d, "decision", {"outcome": "approved"}, role="leader")
    await desk.act(d, "result-ready")
    await desk.act(d, "result-returned", {"method": "counter"})
    await desk.client.get(
        f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}/receipt", headers=desk.auth()
    )
    await desk.client.get(d["public_url"].replace("https://motcua.example.vn", ""))
    await desk.client.post(
        f"/api/v1/communes/{A}/dossiers", json={**dossier_body(), "x": 1}, headers=desk.auth()
    )
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    formatter = JsonFormatter("intake")
    text = "\n".join(formatter.format(r) for r in caplog.records) + caplog.text
    applicant = dossier_body()["applicant"]
    for value in (*applicant.values(), "Lò Văn", "912345678", "5678"):
        assert str(value) not in text, value


async def test_allowed_transitions_name_the_url_the_client_calls(desk: Desk) -> None:
    """A 409 and the dossier list the path segments of the commands, never internal names."""
    d = await desk.register()
    await desk.act(d, "accept")
    decided = await desk.act(d, "decision", {"outcome": "approved"}, role="leader")
    assert decided.json()["allowed_transitions"] == ["transfer", "result-ready"]
    early = await desk.act(d, "result-returned", {"method": "counter"})
    assert early.status_code == 409
    assert early.json()["allowed_transitions"] == ["transfer", "result-ready"]
    await desk.act(d, "result-ready")
    wrong = await desk.act(d, "decision", {"outcome": "approved"}, role="leader")
    assert wrong.status_code == 409 and wrong.json()["allowed_transitions"] == ["result-returned"]
    for path in wrong.json()["allowed_transitions"]:
        assert (await desk.act(d, path, {"method": "counter"})).status_code == 200


async def test_every_invalid_field_is_reported_in_one_answer(desk: Desk) -> None:
    """Three mistakes, one round: the desk's rules and the schema's in the same 422."""
    body = dossier_body()
    body["applicant"] = {**body["applicant"], "id_number": "014099001234", "phone": "123"}
    body["documents"] = []
    r = await desk.client.post(f"/api/v1/communes/{A}/dossiers", json=body, headers=desk.auth())
    assert r.status_code == 422
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert set(errors) == {"applicant.id_number", "applicant.phone", "documents"}
    assert errors["applicant.id_number"]["code"] == "applicant.id_number.birth_year"
    assert errors["applicant.phone"]["code"] == "applicant.phone.invalid"
    assert "0912345678" in errors["applicant.phone"]["message"]
    assert errors["documents"]["code"] == "validation.too_short"


async def test_moments_in_answers_are_vietnam_time(desk: Desk) -> None:
    """The clerk reads +07:00, never UTC "Z", in the dossier, its list and its history."""
    import re

    moment = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$")
    d = await desk.register()
    assert moment.match(d["received_at"]) and moment.match(d["due_at"])
    accepted = (await desk.act(d, "accept")).json()
    assert moment.match(accepted["accepted_at"])
    base = f"/api/v1/communes/{A}/dossiers"
    listed = (await desk.client.get(base, headers=desk.auth())).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert all(moment.match(i["received_at"]) and moment.match(i["due_at"]) for i in items)
    sheet = await desk.client.get(f"{base}/{d['dossier_id']}/history", headers=desk.auth())
    assert all(moment.match(s["at"]) for s in sheet.json())


async def test_history_says_each_step_in_vietnamese(desk: Desk) -> None:
    d = await desk.register()
    await desk.act(d, "accept")
    base = f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}"
    sheet = (await desk.client.get(f"{base}/history", headers=desk.auth())).json()
    assert [(s["action"], s["action_vi"]) for s in sheet] == [
        ("register", "Tiếp nhận hồ sơ"),
        ("accept", "Nhận đủ hồ sơ, cấp giấy tiếp nhận và hẹn trả kết quả"),
    ]
    assert sheet[1]["status_after_vi"] == "Đã nhận đủ hồ sơ, đã hẹn trả kết quả"
    assert sheet[1]["timeliness_vi"] == "Đúng hạn"
    audit = (await desk.client.get(f"{base}/audit", headers=desk.auth())).json()
    assert audit and all(a["action_vi"] and a["action_vi"] != a["action"] for a in audit)
