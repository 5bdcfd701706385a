"""Workflow's apology (Form 04) reaches the dossier: API, receipt reprint, citizen's page.

Delivered through intake's own subscription and idempotent consumer, as the transport would.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from intake.domain.time import VN
from motcua_contracts.codec import encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import clock_v1, clock_v2
from motcua_contracts.topics import Topics
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.types import InboundMessage
from motcua_testkit.intake import A, Desk
from motcua_testkit.platform import RecordingPublisher
from pydantic import BaseModel

REASON = "Cần xác minh thêm giấy tờ tại Công an xã"
NEW_DUE = datetime(2026, 2, 23, 17, 0, tzinfo=VN)  # the first working day after Tết 2026


def _consumer(desk: Desk, dead: RecordingPublisher) -> IdempotentConsumer:
    (sub,) = [s for s in desk.runtime.subscriptions if Topics.CLOCK in s.topics]
    assert desk.runtime.inbox is not None
    return IdempotentConsumer(
        service="intake",
        consumer="intake",
        session_factory=desk.runtime.sessions,
        inbox=desk.runtime.inbox,
        handlers=sub.handlers,
        dead_letters=dead,
        max_attempts=1,
    )


def _apology(
    d: dict[str, Any],
    *,
    version: int = 2,
    aggregate_version: int = 3,
    new_due: datetime = NEW_DUE,
    event_id: uuid.UUID | None = None,
) -> InboundMessage:
    common: dict[str, Any] = {
        "dossier_code": d["code"],
        "issued_at": datetime(2026, 2, 13, 14, 0, tzinfo=VN),
        "issued_by": "lanh-dao-1",
        "reason_code": clock_v1.ApologyReason.VERIFICATION,
        "old_due_at": datetime(2026, 2, 13, 17, 0, tzinfo=VN),
        "new_due_at": new_due,
        "late": False,
    }
    payload: BaseModel = (
        clock_v2.ApologyIssued(**common, reason_vi=REASON)
        if version == 2
        else clock_v1.ApologyIssued(**common)
    )
    envelope = EventEnvelope(
        event_id=event_id or uuid.uuid4(),
        event_type="ApologyIssued",
        schema_version=version,
        occurred_at=common["issued_at"],
        tenant_id=d["tenant_id"],
        dossier_id=d["dossier_id"],
        aggregate_version=aggregate_version,
        producer="workflow",
        payload=payload.model_dump(mode="json"),
    )
    wire = encode(envelope)
    return InboundMessage(wire.topic, wire.key, wire.value, dict(wire.headers))


async def _detail(desk: Desk, d: dict[str, Any]) -> dict[str, Any]:
    r = await desk.client.get(
        f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}", headers=desk.auth()
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_intake_subscribes_to_the_apology_on_the_clock_topic(desk: Desk) -> None:
    subs = [s for s in desk.runtime.subscriptions if "ApologyIssued" in s.handlers]
    assert [s.topics for s in subs] == [[Topics.CLOCK]]


async def test_apology_new_date_and_reason_reach_the_dossier_and_the_citizen(desk: Desk) -> None:
    d = await desk.register()
    await desk.act(d, "accept")
    assert (await _detail(desk, d))["apology_new_due_at"] is None
    dead = RecordingPublisher()
    await _consumer(desk, dead).handle(_apology(d))
    assert not dead.sent

    detail = await _detail(desk, d)
    assert detail["apology_new_due_at"] == "2026-02-23T17:00:00+07:00"
    assert datetime.fromisoformat(detail["apology_new_due_at"]) == NEW_DUE
    assert detail["apology_reason_vi"] == REASON
    assert datetime.fromisoformat(detail["due_at"]) == datetime(2026, 2, 13, 17, tzinfo=VN)

    page = (await desk.client.get(d["public_url"].replace("https://motcua.example.vn", ""))).text
    assert "Ngày hẹn trả mới: <strong>17 giờ 00 phút, Thứ Hai ngày 23/02/2026</strong>" in page
    assert f"Lý do: {REASON}" in page
    assert "Ngày hẹn trả kết quả ban đầu" in page
    # Past the first date but before the new one: not shown as late to the citizen.
    desk.clock.set(datetime(2026, 2, 20, 9, 0, tzinfo=VN))
    page = (await desk.client.get(d["public_url"].replace("https://motcua.example.vn", ""))).text
    assert "quá hạn" not in page and "đang trong thời hạn" in page

    url = f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}/receipt"
    receipt = (await desk.client.get(url, headers=desk.auth())).text
    assert "Ngày hẹn trả mới" in receipt and "Thứ Hai ngày 23/02/2026" in receipt
    pdf = await desk.client.get(url + ".pdf", headers=desk.auth())
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    audit = await desk.client.get(
        f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}/audit", headers=desk.auth()
    )
    assert audit.status_code == 200, audit.text
    assert any(
        a["action"] == "apology_issued" and a["field"] == "apology_new_due_at" for a in audit.json()
    )


async def test_duplicate_and_stale_apologies_change_nothing(desk: Desk) -> None:
    d = await desk.register()
    await desk.act(d, "accept")
    dead = RecordingPublisher()
    consumer = _consumer(desk, dead)
    event_id = uuid.uuid4()
    await consumer.handle(_apology(d, aggregate_version=5, event_id=event_id))
    await consumer.handle(_apology(d, aggregate_version=5, event_id=event_id))  # redelivered
    # Another copy with an older sequence (a replay, a stale producer): ignored.
    stale = datetime(2026, 2, 25, 17, 0, tzinfo=VN)
    await consumer.handle(_apology(d, aggregate_version=4, new_due=stale))
    await consumer.handle(_apology(d, aggregate_version=5, new_due=stale))
    assert not dead.sent
    detail = await _detail(desk, d)
    assert datetime.fromisoformat(detail["apology_new_due_at"]) == NEW_DUE
    before = detail["version"]
    assert before == (await _detail(desk, d))["version"]  # not a clerk's edit


async def test_a_version_1_apology_gives_the_date_without_a_reason(desk: Desk) -> None:
    d = await desk.register()
    await desk.act(d, "accept")
    version = (await _detail(desk, d))["version"]
    dead = RecordingPublisher()
    await _consumer(desk, dead).handle(_apology(d, version=1))
    assert not dead.sent
    detail = await _detail(desk, d)
    assert datetime.fromisoformat(detail["apology_new_due_at"]) == NEW_DUE
    assert detail["apology_reason_vi"] is None
    assert detail["version"] == version  # intake's own sequence is untouched
    page = (await desk.client.get(d["public_url"].replace("https://motcua.example.vn", ""))).text
    assert "Ngày hẹn trả mới" in page and "Lý do:" not in page


async def test_an_apology_for_an_unknown_dossier_is_ignored(desk: Desk) -> None:
    dead = RecordingPublisher()
    ghost = {"code": "000.00.00.H50-260213-9999", "tenant_id": A, "dossier_id": str(uuid.uuid4())}
    await _consumer(desk, dead).handle(_apology(ghost))
    assert not dead.sent
