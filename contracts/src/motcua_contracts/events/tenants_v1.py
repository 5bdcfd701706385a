"""Tenant configuration on the compacted Topics.TENANTS, version 1 (key = tenant id).

The latest message per tenant is the whole truth about that commune: consumers replace,
never merge, what they hold. Secrets appear only as references (names of mounted secrets).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from motcua_contracts.events.common import Payload


class UnitType(StrEnum):
    XA = "xa"
    PHUONG = "phuong"
    DAC_KHU = "dac_khu"
    THI_TRAN = "thi_tran"  # before the 2025 reform; kept so history still reads


class TenantStatus(StrEnum):
    PILOT = "pilot"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    MERGED = "merged"


class OfficeHoursV1(Payload):
    morning: tuple[str, str] = Field(default=("07:30", "11:30"), examples=[("07:30", "11:30")])
    afternoon: tuple[str, str] | None = Field(default=("13:30", "17:00"))


class LeaderOnDuty(Payload):
    official_id: str = Field(description="Identity-provider subject of the leader on duty")
    title_vi: str = Field(default="Lãnh đạo UBND", examples=["Phó Chủ tịch UBND xã"])


class ProcedurePromise(Payload):
    """A local service promise: never longer than the statutory time (checked at onboarding)."""

    procedure_code: str
    promised_working_days: float | None = Field(default=None, ge=0)


class TenantConfigured(Payload):
    """Snapshot of one commune's configuration after an onboarding or a change."""

    tenant_id: str
    unit_code: str = Field(description="Official administrative unit code", examples=["04087"])
    name_vi: str = Field(examples=["Xã Chiềng Khương"])
    unit_type: UnitType
    province_code: str = Field(examples=["14"])
    agency_code: str = Field(description="Agency e-ID used in dossier codes")
    status: TenantStatus
    cohorts: list[str] = Field(default_factory=list, examples=[["pilot"]])
    office_hours: OfficeHoursV1 = Field(default_factory=OfficeHoursV1)
    closures: list[date] = Field(default_factory=list)
    enabled_procedures: list[ProcedurePromise] = Field(default_factory=list)
    leader_on_duty: LeaderOnDuty | None = None
    escalate_after_working_hours: float = Field(default=4.0, gt=0)
    digest_time: str = Field(default="07:30", pattern=r"^\d{2}:\d{2}$")
    ceremony_slots: list[str] = Field(default_factory=list, examples=[["Thứ Hai 08:00"]])
    senders: dict[str, str] = Field(
        default_factory=dict, description="Channel → sender name or secret reference"
    )
    merged_into: str | None = Field(default=None, description="Set when status is merged")
    revision: int = Field(ge=1, description="Increases with every change of this tenant")
