"""One dossier driven by a controllable clock through pause, resume, apology and breach:
every event workflow emits, and every date, checked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from motcua_contracts.envelope import EventEnvelope
from motcua_testkit.workflow import TENANT, Dossier, Harness, tenant_configured, vn


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _summary(events: list[EventEnvelope]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.event_type, e.payload) for e in events]


async def test_pause_resume_apology_breach(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    h = harness
    await h.deliver(tenant_configured(TENANT, leader="lanh-dao-1", at=vn(2026, 4, 1)))
    d = Dossier(TENANT)
    # 1.004859 (3 working days) received Tue 28 Apr 2026 09:00: due Tue 5 May 17:00
    # (30 Apr, 1 May off, 2-3 May weekend; docs/clock.md).
    await h.deliver(
        d.received(vn(2026, 4, 28, 9, 0)),
        d.accepted(vn(2026, 4, 28, 9, 5)),
        d.transferred(vn(2026, 4, 28, 9, 10), "xu_ly", "cb-1"),
    )
    [started] = await h.new_events()
    assert started.event_type == "ClockStarted"
    assert started.aggregate_version == 1 and started.producer == "workflow"
    assert _at(started.payload["due_at"]) == vn(2026, 5, 5, 17, 0)
    assert [(t["kind"], _at(t["at"])) for t in started.payload["thresholds"]] == [
        ("share_50", vn(2026, 5, 4, 8, 15)),
        ("apology_due", vn(2026, 5, 4, 17, 0)),
        ("share_75", vn(2026, 5, 5, 7, 52, 30)),
        ("due", vn(2026, 5, 5, 17, 0)),
    ]

    # Supplement requested Wed 29 Apr 10:00, received Mon 4 May 08:00: due Wed 6 May 15:00.
    await h.deliver(d.supplement_requested(vn(2026, 4, 29, 10, 0)))
    h.clock.set(vn(2026, 5, 4, 7, 0))
    assert await h.fire() == 1  # only the commune's morning digest: a paused clock has none
    await h.deliver(d.supplement_received(vn(2026, 5, 4, 8, 0)))
    events = await h.new_events()
    kinds = [e.event_type for e in events]
    assert kinds == ["ClockPaused", "MorningDigestCompiled", "ClockResumed", "DeadlineChanged"]
    paused, _, resumed, moved = events
    assert _at(paused.payload["paused_at"]) == vn(2026, 4, 29, 10, 0)
    assert _at(resumed.payload["due_at"]) == vn(2026, 5, 6, 15, 0)
    assert resumed.payload["restarted"] is False
    assert moved.payload["cause"] == "resume"
    assert _at(moved.payload["old_due_at"]) == vn(2026, 5, 5, 17, 0)
    assert _at(moved.payload["new_due_at"]) == vn(2026, 5, 6, 15, 0)
    assert [e.aggregate_version for e in (paused, resumed, moved)] == [2, 3, 4]

    # Thresholds after the resume; the step "xu_ly" has its own deadline.
    h.clock.set(vn(2026, 5, 5, 11, 0))
    assert await h.fire() == 3  # share_50, step overdue, digest of 5 May
    fired = {e.event_type: e.payload for e in await h.new_events()}
    assert _at(fired["ThresholdReached"]["reached_at"]) == vn(2026, 5, 4, 15, 45)
    assert fired["ThresholdReached"]["threshold"] == "share_50"
    assert fired["StepOverdue"]["step_key"] == "xu_ly"
    assert fired["StepOverdue"]["holder_official_id"] == "cb-1"
    assert _at(fired["StepOverdue"]["step_due_at"]) == vn(2026, 5, 5, 10, 31, 31)

    # The apology limit: one working day before the due. It escalates to the leader.
    h.clock.set(vn(2026, 5, 5, 15, 10))
    assert await h.fire() == 1
    apology_due, raised = await h.new_events()
    assert apology_due.event_type == "ApologyDue"
    assert _at(apology_due.payload["apology_due_at"]) == vn(2026, 5, 5, 15, 0)
    assert raised.event_type == "EscalationRaised"
    assert (
        raised.payload["reason"] == "at_risk" and raised.payload["to_official_id"] == "lanh-dao-1"
    )
    # 4 working hours from 15:10: 1 h 50 that day, 2 h 10 from 07:30 the next.
    assert _at(raised.payload["raise_up_at"]) == vn(2026, 5, 6, 9, 40)
    at_risk = await client.get(
        f"/api/v1/communes/{TENANT}/worklist", params={"view": "at_risk"}, headers=auth("leader")
    )
    assert [i["dossier_id"] for i in at_risk.json()["items"]] == [d.dossier_id]

    # The apology, issued after its legal limit: flagged late; the due moves once only.
    h.clock.set(vn(2026, 5, 5, 16, 0))
    url = f"/api/v1/communes/{TENANT}/dossiers/{d.dossier_id}/apology"
    body = {"reason_vi": "Cần xác minh với Công an xã", "reason_code": "verification"}
    r = await client.post(url, json=body | {"new_due_at": "2026-05-08"}, headers=auth("leader"))
    assert r.status_code == 201, r.text
    assert r.json()["late"] is True
    assert _at(r.json()["new_due_at"]) == vn(2026, 5, 8, 17, 0)
    issued, changed = await h.new_events()
    assert issued.event_type == "ApologyIssued" and issued.payload["late"] is True
    assert issued.payload["reason_code"] == "verification"
    # Version 2 carries the leader's own reason to the citizen's letter and QR page.
    assert issued.schema_version == 2
    assert issued.payload["reason_vi"] == "Cần xác minh với Công an xã"
    assert changed.payload["cause"] == "apology"
    assert _at(changed.payload["old_due_at"]) == vn(2026, 5, 6, 15, 0)
    again = await client.post(url, json=body | {"new_due_at": "2026-05-12"}, headers=auth("leader"))
    assert again.status_code == 409
    assert again.json()["code"] == "apology.already_issued"

    # The leader acknowledges the at-risk escalation: it never goes up.
    escalation = raised.payload["escalation_id"]
    ack = await client.post(
        f"/api/v1/communes/{TENANT}/escalations/{escalation}/ack",
        headers=auth("leader", subject="lanh-dao-1"),
    )
    assert ack.status_code == 200, ack.text
    [acked] = await h.new_events()
    assert acked.event_type == "EscalationAcknowledged"

    # The new date passes: breach of the rescheduled due, escalated as late.
    h.clock.set(vn(2026, 5, 8, 17, 1))
    await h.fire()
    fired_list = _summary(await h.new_events())
    by_type = {t: p for t, p in fired_list}
    assert by_type["ThresholdReached"]["threshold"] == "share_75"
    assert by_type["DeadlineBreached"]["rescheduled"] is True
    assert _at(by_type["DeadlineBreached"]["due_at"]) == vn(2026, 5, 8, 17, 0)
    assert by_type["EscalationRaised"]["reason"] == "late"
    assert "EscalationRaisedUp" not in by_type
    late = await client.get(
        f"/api/v1/communes/{TENANT}/worklist", params={"view": "late"}, headers=auth("clerk")
    )
    assert [i["urgency"] for i in late.json()["items"]] == ["late"]

    # Unacknowledged for 4 working hours (Fri 17:01 -> Mon 11:30): one level up.
    h.clock.set(vn(2026, 5, 11, 12, 0))
    await h.fire()
    ups = [p for t, p in _summary(await h.new_events()) if t == "EscalationRaisedUp"]
    assert [(u["level"], u["escalation_id"]) for u in ups] == [
        (2, by_type["EscalationRaised"]["escalation_id"])
    ]

    # The result: late, with the processing time in working seconds.
    await h.deliver(d.result_ready(vn(2026, 5, 11, 14, 0)))
    [done] = await h.new_events()
    assert done.event_type == "ClockCompleted"
    assert done.payload["outcome"] == "done_late"
    assert done.payload["rescheduled"] is True and done.payload["apology_late"] is True
    assert done.payload["elapsed_working_seconds"] == 180_000
    assert done.payload["allowed_working_seconds"] == 163_800
    versions = [done.aggregate_version]
    assert versions == [16]

    # Nothing fires for a closed dossier, and nothing fired twice.
    h.clock.set(vn(2026, 5, 20, 12, 0))
    await h.fire()
    assert {e.event_type for e in await h.new_events()} <= {"MorningDigestCompiled"}
    assert not h.dead.sent
