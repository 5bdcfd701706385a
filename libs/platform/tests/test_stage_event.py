"""The one `stage_event` every service uses: the union of what the three copies did."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from motcua_contracts.codec import HEADER_EVENT_ID, HEADER_EVENT_TYPE, decode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events.clock_v2 import ApologyIssued
from motcua_contracts.events.notifications_v1 import NotificationPrinted
from motcua_platform.messaging.outbox import EventStager, Outgoing
from motcua_testkit.platform import scratch_schema
from sqlalchemy import select

_, outbox, _inbox, _effects = scratch_schema()
AT = datetime(2026, 2, 13, 9, 0, tzinfo=UTC)


def _printed(n: int = 1) -> NotificationPrinted:
    return NotificationPrinted(
        notification_id=f"n{n}",
        source_event_id="e",
        kind="appointment",
        recipient="applicant",
        letter_number="05/GM-UBND",
        printed_at=AT,
    )


def _apology() -> ApologyIssued:
    return ApologyIssued.model_validate(
        {
            "dossier_code": "H01.01-260213-0001",
            "issued_at": AT,
            "issued_by": "leader-1",
            "reason_code": "workload",
            "reason_vi": "Hồ sơ cần xác minh thêm với cơ quan khác",
            "old_due_at": AT,
            "new_due_at": AT,
            "late": False,
        }
    )


async def _rows(sessions):  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return (await s.execute(select(outbox).order_by(outbox.c.id))).all()


async def test_the_registered_schema_version_and_the_producer_are_staged(sessions) -> None:  # type: ignore[no-untyped-def]
    # notify's copy wrote schema_version 1 whatever the payload's registration said.
    stager = EventStager(producer="notify", table=outbox)
    async with sessions() as s, s.begin():
        envelope = await stager.stage_event(
            s, tenant_id="t1", dossier_id="d1", occurred_at=AT, payload=_apology()
        )
    assert envelope.schema_version == 2 and envelope.producer == "notify"
    (row,) = await _rows(sessions)
    decoded = decode(bytes(row.value))
    assert decoded.schema_version == 2 and decoded.event_id == envelope.event_id
    headers = json.loads(row.headers)
    assert headers[HEADER_EVENT_ID] == str(envelope.event_id)
    assert headers[HEADER_EVENT_TYPE] == "ApologyIssued"


async def test_a_batch_keeps_given_event_ids_versions_and_order(sessions) -> None:  # type: ignore[no-untyped-def]
    seen: list[EventEnvelope] = []
    stager = EventStager(producer="workflow", table=outbox, on_staged=seen.append)
    fixed = uuid.uuid5(uuid.NAMESPACE_URL, "follows-from-another")
    events = [
        Outgoing("t1", "d1", 3, AT, _printed(1), event_id=fixed),
        Outgoing("t1", "d1", 4, AT, _printed(2)),
        Outgoing("t1", None, None, AT, _apology()),
    ]
    async with sessions() as s, s.begin():
        envelopes = await stager.stage_events(s, events)
    assert seen == envelopes
    assert envelopes[0].event_id == fixed and envelopes[1].event_id != fixed
    assert [e.aggregate_version for e in envelopes] == [3, 4, None]
    assert [e.schema_version for e in envelopes] == [1, 1, 2]
    rows = await _rows(sessions)
    assert [decode(bytes(r.value)).event_id for r in rows] == [e.event_id for e in envelopes]


async def test_event_row_is_the_row_stage_event_writes(sessions) -> None:  # type: ignore[no-untyped-def]
    seen: list[EventEnvelope] = []
    stager = EventStager(producer="intake", table=outbox, on_staged=seen.append)
    fixed = uuid.uuid4()
    row = stager.event_row(
        tenant_id="t1",
        dossier_id="d1",
        aggregate_version=1,
        occurred_at=AT,
        payload=_printed(),
        event_id=fixed,
    )
    assert seen == []  # nothing staged yet: the caller writes the row
    async with sessions() as s, s.begin():
        await s.execute(outbox.insert(), row)
    (stored,) = await _rows(sessions)
    envelope = decode(bytes(stored.value))
    assert envelope.event_id == fixed and envelope.producer == "intake"
    assert envelope.aggregate_version == 1 and stored.topic == row["topic"]
