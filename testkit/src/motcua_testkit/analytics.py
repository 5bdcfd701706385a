"""Scripted dossier lifecycles as integration events, for tests, the browser test and benches.

Only codes and moments: the same shape intake and workflow publish, never personal data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import clock_v1 as clock
from motcua_contracts.events import dossiers_v1 as dossiers
from motcua_contracts.events.common import Channel
from motcua_contracts.events.tenants_v1 import TenantConfigured, TenantStatus, UnitType
from pydantic import BaseModel

APPROVED = dossiers.DecisionOutcome.APPROVED
_NAMESPACE = uuid.UUID("6f1c3f0e-8a4e-4b59-9d0f-2b1f2d6a7c11")


@dataclass
class DossierScript:
    tenant_id: str
    dossier_id: str
    code: str
    procedure_code: str
    received_at: datetime
    due_at: datetime
    envelopes: list[EventEnvelope]
    version: int = 1
    clock_version: int = 0

    def _emit(self, payload: BaseModel, at: datetime, producer: str = "intake") -> DossierScript:
        if producer == "intake":
            self.version += 1
            version = self.version
        else:
            self.clock_version += 1
            version = self.clock_version
        kind = type(payload).__name__
        self.envelopes.append(
            EventEnvelope(
                event_id=uuid.uuid5(_NAMESPACE, f"{self.dossier_id}/{kind}/{version}"),
                event_type=kind,
                schema_version=1,
                occurred_at=at,
                tenant_id=self.tenant_id,
                dossier_id=self.dossier_id,
                aggregate_version=version,
                producer=producer,
                payload=payload.model_dump(mode="json"),
            )
        )
        return self

    def accepted(self, at: datetime) -> DossierScript:
        payload = dossiers.DossierAccepted(
            dossier_code=self.code, accepted_at=at, due_at=self.due_at
        )
        return self._emit(payload, at)

    def clock_started(self) -> DossierScript:
        payload = clock.ClockStarted(
            dossier_code=self.code,
            procedure_code=self.procedure_code,
            procedure_version="2025-07-01",
            received_at=self.received_at,
            counting_started_at=self.received_at,
            due_at=self.due_at,
            thresholds=[],
        )
        return self._emit(payload, self.received_at, "workflow")

    def supplement(self, requested: datetime, received: datetime | None) -> DossierScript:
        self._emit(
            dossiers.SupplementRequested(
                dossier_code=self.code, requested_at=requested, missing_items=["Tờ khai"]
            ),
            requested,
        )
        if received is not None:
            self.supplement_received(received)
        return self

    def supplement_received(self, at: datetime) -> DossierScript:
        return self._emit(dossiers.SupplementReceived(dossier_code=self.code, received_at=at), at)

    def refused(self, at: datetime) -> DossierScript:
        payload = dossiers.DossierRefused(
            dossier_code=self.code, refused_at=at, reason_codes=["not_competent"]
        )
        return self._emit(payload, at)

    def withdrawn(self, at: datetime) -> DossierScript:
        return self._emit(dossiers.DossierWithdrawn(dossier_code=self.code, withdrawn_at=at), at)

    def apology(self, at: datetime, *, late: bool, new_due: datetime) -> DossierScript:
        payload = clock.ApologyIssued(
            dossier_code=self.code,
            issued_at=at,
            issued_by="official-1",
            reason_code=clock.ApologyReason.WORKLOAD,
            old_due_at=self.due_at,
            new_due_at=new_due,
            late=late,
        )
        return self._emit(payload, at, "workflow")

    def at_risk(self, at: datetime) -> DossierScript:
        payload = clock.ThresholdReached(
            timer_key=f"{self.dossier_id}/share_75",
            dossier_code=self.code,
            threshold="share_75",
            share=0.75,
            reached_at=at,
            due_at=self.due_at,
        )
        return self._emit(payload, at, "workflow")

    def ready(self, at: datetime, *, elapsed_seconds: int | None = None) -> DossierScript:
        self._emit(
            dossiers.DecisionMade(dossier_code=self.code, decided_at=at, outcome=APPROVED), at
        )
        self._emit(
            dossiers.ResultReady(
                dossier_code=self.code,
                ready_at=at,
                outcome=APPROVED,
                procedure_code=self.procedure_code,
                procedure_version="2025-07-01",
            ),
            at,
        )
        if elapsed_seconds is not None:
            outcome = "done_late" if at > self.due_at else "done_on_time"
            self._emit(
                clock.ClockCompleted(
                    dossier_code=self.code,
                    completed_at=at,
                    outcome=clock.ClockOutcome(outcome),
                    due_at=self.due_at,
                    original_due_at=self.due_at,
                    elapsed_working_seconds=elapsed_seconds,
                    allowed_working_seconds=elapsed_seconds,
                    rescheduled=False,
                    apology_late=False,
                ),
                at,
                "workflow",
            )
        return self

    def returned(self, at: datetime, *, online: bool = False) -> DossierScript:
        payload = dossiers.ResultReturned(
            dossier_code=self.code,
            returned_at=at,
            method=dossiers.ReturnMethod.ONLINE if online else dossiers.ReturnMethod.COUNTER,
            to_applicant=True,
        )
        return self._emit(payload, at)

    def reassigned(self, at: datetime, to_tenant: str) -> DossierScript:
        """A merger moved the open dossier to `to_tenant` (both of its roles)."""
        payload = dossiers.DossierReassigned(
            dossier_code=self.code,
            from_tenant_id=self.tenant_id,
            to_tenant_id=to_tenant,
            reassigned_at=at,
            effective_at=at,
            receiving_tenant_id=to_tenant,
            resolving_tenant_id=to_tenant,
        )
        self._emit(payload, at)
        self.tenant_id = to_tenant  # later events come from the new unit
        return self

    def rated(self, at: datetime, level: str, points: int | None = None) -> DossierScript:
        criteria = {}
        if points is not None:  # spread over the 9 criteria, 0..2 each
            criteria = {f"c{i}": min(2, max(0, points - 2 * i)) for i in range(9)}
        payload = dossiers.SatisfactionRated(
            dossier_code=self.code,
            rated_at=at,
            level=dossiers.SatisfactionLevel(level),
            source=dossiers.RatingSource.KIOSK,
            criteria=criteria,
        )
        return self._emit(payload, at)


@dataclass
class Scenario:
    """Build lifecycles; `envelopes` lists every event in the order they happened."""

    envelopes: list[EventEnvelope] = field(default_factory=list)
    _seq: int = 0

    def dossier(
        self,
        tenant_id: str,
        received_at: datetime,
        *,
        due_in: timedelta = timedelta(days=3),
        procedure_code: str = "1.004859",
        field_code: str = "ho_tich",
        channel: str = "counter",
        dossier_id: str | None = None,
        resolving_tenant_id: str | None = None,
    ) -> DossierScript:
        self._seq += 1
        dossier_id = dossier_id or str(uuid.uuid5(_NAMESPACE, f"{tenant_id}/{self._seq}"))
        code = f"000.00.12.H56-{received_at:%y%m%d}-{self._seq:04d}"
        script = DossierScript(
            tenant_id,
            dossier_id,
            code,
            procedure_code,
            received_at,
            received_at + due_in,
            self.envelopes,
        )
        payload = dossiers.DossierReceived(
            dossier_code=code,
            procedure_code=procedure_code,
            procedure_version="2025-07-01",
            field_code=field_code,
            channel=Channel(channel),
            received_at=received_at,
            due_at=script.due_at,
            receiving_tenant_id=tenant_id,
            resolving_tenant_id=resolving_tenant_id or tenant_id,
        )
        self.envelopes.append(
            EventEnvelope(
                event_id=uuid.uuid5(_NAMESPACE, f"{dossier_id}/DossierReceived/1"),
                event_type="DossierReceived",
                schema_version=1,
                occurred_at=received_at,
                tenant_id=tenant_id,
                dossier_id=dossier_id,
                aggregate_version=1,
                producer="intake",
                payload=payload.model_dump(mode="json"),
            )
        )
        return script

    def tenant(
        self,
        tenant_id: str,
        name_vi: str,
        *,
        cohorts: tuple[str, ...] = (),
        revision: int = 1,
        at: datetime,
        merged_into: str | None = None,
    ) -> None:
        payload = TenantConfigured(
            tenant_id=tenant_id,
            unit_code=tenant_id[-5:],
            name_vi=name_vi,
            unit_type=UnitType.XA,
            province_code="14",
            agency_code="000.00.12.H56",
            status=(
                TenantStatus.MERGED
                if merged_into
                else TenantStatus.PILOT
                if "pilot" in cohorts
                else TenantStatus.ACTIVE
            ),
            cohorts=list(cohorts),
            merged_into=merged_into,
            revision=revision,
        )
        self.envelopes.append(
            EventEnvelope(
                event_type="TenantConfigured",
                schema_version=1,
                occurred_at=at,
                tenant_id=tenant_id,
                producer="intake",
                payload=payload.model_dump(mode="json"),
            )
        )


VN_OFFSET = timedelta(hours=7)
# "Now" for the reference month: Friday 20 March 2026, 10:00 in Vietnam.
REFERENCE_NOW = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)


def vn(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A 2026 moment given in Vietnam's local time."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - VN_OFFSET


def reference_month(a: str, b: str) -> Scenario:
    """Eleven dossiers in March 2026 whose indicators the tests compute by hand.

    Commune `a` (cohort "pilot"):
      d1  received 2/3 08:00, due 5/3; ready 3/3 09:00 (early); returned online; "rất hài lòng" 18
      d2  received 2/3 09:00, due 5/3 09:00; ready 5/3 08:30 (on time); "hài lòng" 14
      d3  received 3/3, due 6/3; apology 5/3 (in time, new date 9/3); ready 9/3 (late);
          "không hài lòng", no criteria
      d4  received 10/3 online; supplement 10/3 → 11/3; due 13/3; open: overdue now
      d5  received 19/3, due Sun 22/3 08:00; open: at risk (5 working hours left)
      d6  received 4/3, refused the same morning
      d7  received 16/3, withdrawn 17/3
      d8  received 18/3, due 28/3; open within time
      d11 received 25/2, due 2/3 08:00; ready 2/3 10:00 (late, counted in March)
    Commune `b`:
      d9  received 2/3, due 5/3; ready 6/3, workflow says done_late after 30 working hours
      d10 received 12/3, due Sun 15/3; open: overdue now
    """
    s = Scenario()
    at = vn(2, 20, 8)
    s.tenant(a, "Xã Chiềng Khương", cohorts=("pilot",), at=at)
    s.tenant(b, "Phường Tô Hiệu", at=at)
    three = timedelta(days=3)
    s.dossier(a, vn(2, 25, 8), due_in=timedelta(days=5)).accepted(vn(2, 25, 8)).ready(vn(3, 2, 10))
    d1 = s.dossier(a, vn(3, 2, 8), due_in=three).accepted(vn(3, 2, 8))
    d1.ready(vn(3, 3, 9)).returned(vn(3, 3, 10), online=True).rated(
        vn(3, 3, 10, 5), "rat_hai_long", 18
    )
    d2 = s.dossier(a, vn(3, 2, 9), due_in=three)
    d2.ready(vn(3, 5, 8, 30)).returned(vn(3, 5, 9)).rated(vn(3, 5, 9, 5), "hai_long", 14)
    d3 = s.dossier(a, vn(3, 3, 8), due_in=three).clock_started()
    d3.apology(vn(3, 5, 10), late=False, new_due=vn(3, 9, 8))
    d3.ready(vn(3, 9, 8)).returned(vn(3, 9, 9)).rated(vn(3, 9, 9, 5), "khong_hai_long")
    s.dossier(a, vn(3, 10, 8), due_in=three, channel="online").supplement(
        vn(3, 10, 9), vn(3, 11, 9)
    )
    s.dossier(a, vn(3, 19, 8), due_in=three)
    s.dossier(a, vn(3, 4, 8), due_in=three).refused(vn(3, 4, 9))
    s.dossier(a, vn(3, 16, 8), due_in=timedelta(days=10)).withdrawn(vn(3, 17, 8))
    s.dossier(a, vn(3, 18, 8), due_in=timedelta(days=10))
    s.dossier(b, vn(3, 2, 8), due_in=three).ready(vn(3, 6, 8), elapsed_seconds=30 * 3600)
    s.dossier(b, vn(3, 12, 8), due_in=three)
    return s
