"""Helpers for workflow's tests and benchmark: intake-like envelopes and an in-process
harness that delivers them through the idempotent consumer (no broker needed)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any

from motcua_clock import VN_TZ
from motcua_contracts.codec import decode, encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import dossiers_v1 as dv
from motcua_contracts.events.common import Channel
from motcua_contracts.events.tenants_v1 import LeaderOnDuty, UnitType
from motcua_contracts.events.tenants_v2 import TenantConfigured
from motcua_platform.clock import FixedClock
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import ServiceRuntime
from pydantic import BaseModel
from sqlalchemy import select, update
from workflow.adapters.tables import outbox
from workflow.application.context import Context
from workflow.application.fire_timers import fire_due
from workflow.application.recompute_deadlines import recompute_batch

from motcua_testkit.platform import RecordingPublisher

TENANT = "xa-kiem-thu"


def vn(*parts: int) -> datetime:
    """A moment in Vietnam time: vn(2026, 4, 28, 9, 0)."""
    return datetime(*parts, tzinfo=VN_TZ)  # type: ignore[arg-type,misc]


class Dossier:
    """Builds one dossier's intake events with increasing aggregate versions."""

    def __init__(self, tenant_id: str, *, dossier_id: str | None = None, code: str = "") -> None:
        self.tenant_id = tenant_id
        self.dossier_id = dossier_id or str(uuid.uuid4())
        self.code = code or f"000.99.99.H50-260428-{uuid.uuid4().int % 10_000:04d}"
        self._versions = count(1)

    def envelope(self, payload: BaseModel, at: datetime) -> EventEnvelope:
        from motcua_contracts.registry import spec_of

        return EventEnvelope(
            event_type=type(payload).__name__,
            schema_version=spec_of(type(payload)).schema_version,
            occurred_at=at,
            tenant_id=self.tenant_id,
            dossier_id=self.dossier_id,
            aggregate_version=next(self._versions),
            producer="intake",
            payload=payload.model_dump(mode="json"),
        )

    def received(
        self,
        at: datetime,
        *,
        procedure: str = "1.004859",
        version: str = "2",
        channel: str = "counter",
        due_at: datetime | None = None,
        resolving: str | None = None,
    ) -> EventEnvelope:
        return self.envelope(
            dv.DossierReceived(
                dossier_code=self.code,
                procedure_code=procedure,
                procedure_version=version,
                field_code="ho_tich",
                channel=Channel(channel),
                received_at=at,
                due_at=due_at or at,
                receiving_tenant_id=self.tenant_id,
                resolving_tenant_id=resolving or self.tenant_id,
            ),
            at,
        )

    def accepted(self, at: datetime) -> EventEnvelope:
        return self.envelope(
            dv.DossierAccepted(dossier_code=self.code, accepted_at=at, due_at=at), at
        )

    def transferred(self, at: datetime, step: str, official: str, row: int = 1) -> EventEnvelope:
        return self.envelope(
            dv.DossierTransferred(
                dossier_code=self.code,
                transferred_at=at,
                sheet_row=row,
                step_key=step,
                to_official_id=official,
            ),
            at,
        )

    def supplement_requested(self, at: datetime, *, version: int = 2) -> EventEnvelope:
        """As intake publishes it (v2: the count); `version=1` as older intakes did."""
        from motcua_contracts.events import dossiers_v2

        if version == 1:
            return self.envelope(
                dv.SupplementRequested(
                    dossier_code=self.code, requested_at=at, missing_items=["Tờ khai"]
                ),
                at,
            )
        return self.envelope(
            dossiers_v2.SupplementRequested(
                dossier_code=self.code, requested_at=at, missing_count=1
            ),
            at,
        )

    def supplement_received(self, at: datetime) -> EventEnvelope:
        return self.envelope(dv.SupplementReceived(dossier_code=self.code, received_at=at), at)

    def result_ready(self, at: datetime, procedure: str = "1.004859") -> EventEnvelope:
        return self.envelope(
            dv.ResultReady(
                dossier_code=self.code,
                ready_at=at,
                outcome=dv.DecisionOutcome.APPROVED,
                procedure_code=procedure,
                procedure_version="2",
            ),
            at,
        )

    def reassigned(
        self,
        at: datetime,
        to: str,
        *,
        resolving: str | None = None,
        effective: datetime | None = None,
    ) -> EventEnvelope:
        """A merger moved the dossier from its unit to `to` (intake's DossierReassigned)."""
        before = self.tenant_id
        self.tenant_id = to
        return self.envelope(
            dv.DossierReassigned(
                dossier_code=self.code,
                from_tenant_id=before,
                to_tenant_id=to,
                reassigned_at=at,
                effective_at=effective,
                receiving_tenant_id=to,
                resolving_tenant_id=resolving or to,
            ),
            at,
        )

    def withdrawn(self, at: datetime) -> EventEnvelope:
        return self.envelope(dv.DossierWithdrawn(dossier_code=self.code, withdrawn_at=at), at)


def tenant_configured(
    tenant_id: str,
    *,
    revision: int = 1,
    leader: str | None = "lanh-dao-1",
    closures: Sequence[str] = (),
    at: datetime,
    status: str = "active",
    **extra: Any,
) -> EventEnvelope:
    payload = TenantConfigured(
        tenant_id=tenant_id,
        unit_code="04087",
        name_vi="Xã Kiểm Thử",
        unit_type=UnitType.XA,
        province_code="14",
        agency_code="000.99.99.H50",
        status=status,  # type: ignore[arg-type]
        closures=list(closures),  # type: ignore[arg-type]
        leader_on_duty=LeaderOnDuty(official_id=leader) if leader else None,
        revision=revision,
        **extra,
    )
    return EventEnvelope(
        event_type="TenantConfigured",
        schema_version=2,
        occurred_at=at,
        tenant_id=tenant_id,
        producer="tenants",
        payload=payload.model_dump(mode="json"),
    )


def inbound(envelope: EventEnvelope) -> InboundMessage:
    wire = encode(envelope)
    return InboundMessage(wire.topic, wire.key, wire.value, dict(wire.headers))


class Harness:
    """One workflow runtime on SQLite; events delivered as the transport would."""

    def __init__(self, runtime: ServiceRuntime, clock: FixedClock) -> None:
        self.runtime = runtime
        self.clock = clock
        self.context: Context = runtime.app.state.context  # type: ignore[union-attr]
        self.dead = RecordingPublisher()
        self._consumers: dict[str, IdempotentConsumer] = {}
        assert runtime.inbox is not None
        for sub in runtime.subscriptions:
            consumer = IdempotentConsumer(
                service="workflow",
                consumer="workflow",
                session_factory=runtime.sessions,
                inbox=runtime.inbox,
                handlers=sub.handlers,
                dead_letters=self.dead,
                max_attempts=1,
            )
            for topic in sub.topics:
                self._consumers[topic] = consumer
        self._seen = 0

    async def deliver(self, *envelopes: EventEnvelope) -> None:
        for envelope in envelopes:
            message = inbound(envelope)
            await self._consumers[message.topic].handle(message)

    async def deliver_batch(self, *envelopes: EventEnvelope) -> None:
        """One poll's records, as the Kafka subscriber hands them over: one transaction."""
        messages = [inbound(e) for e in envelopes]
        consumer = self._consumers[messages[0].topic]
        assert all(self._consumers[m.topic] is consumer for m in messages)
        await consumer.handle_batch(messages)

    async def fire(self) -> int:
        total = 0
        while n := await fire_due(self.context):
            total += n
        return total

    async def recompute(self) -> None:
        while await recompute_batch(self.context) is not None:
            pass

    async def new_events(self) -> list[EventEnvelope]:
        """Outbox rows staged since the last call, marked published (as the relay would)."""
        async with self.runtime.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(outbox.c.id, outbox.c.value)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                )
            ).all()
            if rows:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.id.in_([r.id for r in rows]))
                    .values(published_at=self.clock.now())
                )
        return [decode(bytes(r.value)) for r in rows]


async def make_harness(
    tmp: Path, start: datetime, keys_dir: Path | None = None, database_url: str | None = None
) -> Harness:
    from workflow.bootstrap import build_runtime
    from workflow.settings import WorkflowSettings

    clock = FixedClock(start)
    settings = WorkflowSettings(
        database_url=database_url or f"sqlite+aiosqlite:///{tmp / 'workflow.db'}",
        environment="test",
        transport="local",
        dev_keys_dir=str(keys_dir) if keys_dir else None,
    )
    runtime = build_runtime(settings, clock=clock)
    await runtime.migrate()
    return Harness(runtime, clock)


STATE_COLUMNS = (
    "dossier_id",
    "state",
    "due_at",
    "original_due_at",
    "at_risk_at",
    "is_open",
    "outcome",
    "holder_id",
    "step_key",
    "step_due_at",
    "apology_issued_at",
    "clock_state",
)


async def state_of(runtime: ServiceRuntime, tenant_id: str | None = None) -> dict[str, Any]:
    """The state tables a replay must reproduce (of one commune, or all)."""
    from workflow.adapters.tables import apologies, dossier_clocks, escalations, timers

    def only(table: Any) -> Any:
        stmt = select(table)
        return stmt.where(table.c.tenant_id == tenant_id) if tenant_id else stmt

    async with runtime.sessions() as s:
        clocks = (await s.execute(only(dossier_clocks).order_by("dossier_id"))).all()
        timer_rows = (await s.execute(only(timers))).all()
        esc = (await s.execute(only(escalations).order_by("escalation_id"))).all()
        apo = (await s.execute(only(apologies).order_by("dossier_id"))).all()
    return {
        "clocks": [{c: getattr(r, c) for c in STATE_COLUMNS} for r in clocks],
        # A fired digest learnt from the topic knows when it was compiled, not scheduled.
        "timers": sorted(
            (r.subject_id, r.timer_key, r.fired_at is not None, r.kind == "digest" or r.due_at)
            for r in timer_rows
        ),
        "escalations": [
            (r.escalation_id, r.level, r.reason, r.acknowledged_at, r.raise_up_at) for r in esc
        ],
        "apologies": [(r.dossier_id, r.new_due_at, r.late, r.reason_code) for r in apo],
    }
