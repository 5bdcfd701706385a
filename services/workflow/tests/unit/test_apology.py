"""The apology notice (Form 04): the leader's reason travels (v2), once only, and a
same-day dossier's new date is never its day of receipt."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Any

import httpx
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import clock_v1
from motcua_testkit.workflow import TENANT, Dossier, Harness, vn
from sqlalchemy import select
from workflow.adapters.tables import apologies

REASON = "Cần xác minh thêm thông tin tại bản Hìn với Công an xã"


def _url(d: Dossier) -> str:
    return f"/api/v1/communes/{TENANT}/dossiers/{d.dossier_id}/apology"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _received(h: Harness, d: Dossier, **kwargs: Any) -> None:
    await h.deliver(d.received(vn(2026, 4, 28, 9, 0), **kwargs))
    await h.new_events()  # ClockStarted


async def _apologies(h: Harness) -> list[Any]:
    async with h.runtime.sessions() as s:
        return list((await s.execute(select(apologies))).all())


async def test_a_second_apology_is_refused_with_409(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    d = Dossier(TENANT)
    await _received(harness, d)
    body = {"reason_vi": REASON, "new_due_at": "2026-05-08"}
    first = await client.post(_url(d), json=body, headers=auth("leader"))
    assert first.status_code == 201, first.text
    assert [e.event_type for e in await harness.new_events()] == [
        "ApologyIssued",
        "DeadlineChanged",
    ]
    second = await client.post(
        _url(d), json=body | {"new_due_at": "2026-05-12"}, headers=auth("leader")
    )
    assert second.status_code == 409
    assert second.json()["code"] == "apology.already_issued"
    assert "một lần" in second.json()["message"]
    assert await harness.new_events() == []  # nothing staged by the refusal
    rows = await _apologies(harness)
    assert len(rows) == 1 and rows[0].new_due_at == vn(2026, 5, 8, 17)


async def test_the_event_carries_the_leaders_reason_normalised(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    d = Dossier(TENANT)
    await _received(harness, d)
    typed = "  " + unicodedata.normalize("NFD", REASON).replace(" ", "  \n ", 1) + " "
    r = await client.post(
        _url(d),
        json={"reason_vi": typed, "reason_code": "verification", "new_due_at": "2026-05-08"},
        headers=auth("leader"),
    )
    assert r.status_code == 201, r.text
    issued = (await harness.new_events())[0]
    assert issued.event_type == "ApologyIssued" and issued.schema_version == 2
    assert issued.payload["reason_vi"] == REASON  # NFC, whitespace runs as one space
    assert issued.payload["reason_code"] == "verification"
    assert (await _apologies(harness))[0].reason_vi == REASON


async def test_control_characters_and_overlong_reasons_are_refused(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    d = Dossier(TENANT)
    await _received(harness, d)
    for reason in ("Lý do\x07 có ký tự chuông", "Lý do có \x00 ký tự rỗng", "x" * 501):
        r = await client.post(
            _url(d), json={"reason_vi": reason, "new_due_at": "2026-05-08"}, headers=auth("leader")
        )
        assert r.status_code == 422, reason
        assert r.json()["code"] == "request.invalid"
        assert {e["field"] for e in r.json()["errors"]} == {"reason_vi"}
    assert await _apologies(harness) == []


async def test_same_day_dossier_apology_is_never_due_on_its_day_of_receipt(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    d = Dossier(TENANT)
    # Birth registration (same day), received Tuesday 28 Apr 2026 09:00: due 17:00 that day.
    await _received(harness, d, procedure="1.001193")
    harness.clock.set(vn(2026, 4, 28, 14, 0))
    r = await client.post(
        _url(d), json={"reason_vi": REASON, "new_due_at": "2026-04-28"}, headers=auth("leader")
    )
    assert r.status_code == 201, r.text
    # The next working day's close, and issued before the due: not late.
    assert _at(r.json()["new_due_at"]) == vn(2026, 4, 29, 17, 0)
    assert r.json()["late"] is False
    issued = (await harness.new_events())[0]
    assert _at(issued.payload["new_due_at"]) == vn(2026, 4, 29, 17, 0)
    assert issued.payload["late"] is False


async def test_a_version_1_apology_is_still_read_back(harness: Harness) -> None:
    d = Dossier(TENANT)
    await _received(harness, d)
    payload = clock_v1.ApologyIssued(
        dossier_code=d.code,
        issued_at=vn(2026, 5, 4, 10, 0),
        issued_by="lanh-dao-1",
        reason_code=clock_v1.ApologyReason.WORKLOAD,
        old_due_at=vn(2026, 5, 5, 17, 0),
        new_due_at=vn(2026, 5, 8, 17, 0),
        late=False,
    )
    await harness.deliver(
        EventEnvelope(
            event_id=uuid.uuid4(),
            event_type="ApologyIssued",
            schema_version=1,
            occurred_at=payload.issued_at,
            tenant_id=TENANT,
            dossier_id=d.dossier_id,
            aggregate_version=2,
            producer="workflow",
            payload=payload.model_dump(mode="json"),
        )
    )
    assert not harness.dead.sent
    rows = await _apologies(harness)
    assert len(rows) == 1 and rows[0].reason_vi is None and rows[0].reason_code == "workload"


async def test_a_reason_with_a_phone_id_number_or_e_mail_is_refused(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    d = Dossier(TENANT)
    await _received(harness, d)
    for reason in (
        "Đã gọi bà Hoa số 0912 345 678 nhưng không liên lạc được",
        "Cần xác minh CCCD 014195001234 tại Công an",
        "Chờ phản hồi từ hoa.lo@example.vn",
    ):
        r = await client.post(
            _url(d), json={"reason_vi": reason, "new_due_at": "2026-05-08"}, headers=auth("leader")
        )
        assert r.status_code == 422, reason
        (error,) = r.json()["errors"]
        assert error["field"] == "reason_vi" and error["code"] == "validation.personal_data"
        assert "trang tra cứu" in error["message"]
    ok = await client.post(
        _url(d),
        json={
            "reason_vi": "Chờ kết quả xác minh ngày 05/05/2026, lần 2",
            "new_due_at": "2026-05-08",
        },
        headers=auth("leader"),
    )
    assert ok.status_code == 201, ok.text


async def test_a_same_day_dossier_plans_no_apology_timer_at_its_due(harness: Harness) -> None:
    from motcua_testkit.workflow import state_of

    same_day, three_days = Dossier(TENANT), Dossier(TENANT)
    await _received(harness, same_day, procedure="1.001193")
    await _received(harness, three_days)
    keys = {(subject, key) for subject, key, _, _ in (await state_of(harness.runtime))["timers"]}
    # The limit of a same-day procedure is its due: the breach timer covers it.
    assert (same_day.dossier_id, "breach@p0") in keys
    assert (same_day.dossier_id, "apology_due@p0") not in keys
    assert (three_days.dossier_id, "apology_due@p0") in keys
