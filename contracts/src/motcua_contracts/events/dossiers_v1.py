"""Dossier lifecycle events published by intake on Topics.DOSSIERS, version 1."""

from enum import StrEnum

from pydantic import Field

from motcua_contracts.events.common import AwareDatetime, Channel, Payload


class DossierReceived(Payload):
    """A dossier was registered at a desk (or arrived by post or online)."""

    dossier_code: str = Field(examples=["14.04240-261123-0001"])
    procedure_code: str = Field(examples=["1.001193"])
    procedure_version: str = Field(examples=["2025-07-01"])
    field_code: str = Field(examples=["ho_tich"])
    channel: Channel
    received_at: AwareDatetime
    due_at: AwareDatetime = Field(description="Appointment date printed on the receipt")
    receiving_tenant_id: str
    resolving_tenant_id: str
    verification_required: bool = False


# --- The rest of the lifecycle (added with the clerk's desk). None carries personal data:
# free texts typed by a clerk (reasons, comments, who collected the result) stay in intake.


class DossierAccepted(Payload):
    """The dossier was complete: receipt (Form 01) issued with the appointment date."""

    dossier_code: str
    accepted_at: AwareDatetime
    due_at: AwareDatetime = Field(description="Appointment date printed on the receipt")


class SupplementRequested(Payload):
    """Form 02: everything missing listed at once; the clock pauses (or restarts later)."""

    dossier_code: str
    requested_at: AwareDatetime
    missing_items: list[str] = Field(
        min_length=1, description="Names of missing or incorrect documents from the checklist"
    )


class SupplementReceived(Payload):
    """The applicant brought what was missing; the clock resumes (or restarts)."""

    dossier_code: str
    received_at: AwareDatetime


class DossierRefused(Payload):
    """Form 03: the desk refused the dossier; reasons as stable codes."""

    dossier_code: str
    refused_at: AwareDatetime
    reason_codes: list[str] = Field(min_length=1, examples=[["not_competent"]])


class DossierTransferred(Payload):
    """One hand-over, one row of the control sheet (Form 05 / Form 06)."""

    dossier_code: str
    transferred_at: AwareDatetime
    sheet_row: int = Field(ge=1, description="Row number on the control sheet")
    step_key: str | None = Field(default=None, examples=["verify"])
    from_unit_id: str | None = None
    from_official_id: str | None = None
    to_unit_id: str | None = None
    to_official_id: str | None = None


class DecisionOutcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class DecisionMade(Payload):
    dossier_code: str
    decided_at: AwareDatetime
    outcome: DecisionOutcome
    reason_codes: list[str] = Field(default_factory=list)


class ResultReady(Payload):
    """The result is at the desk; the clock stops here (early, on time or late)."""

    dossier_code: str
    ready_at: AwareDatetime
    outcome: DecisionOutcome
    procedure_code: str
    procedure_version: str
    practices: list[str] = Field(
        default_factory=list,
        description="Friendly-government practices the procedure version triggers",
        examples=[["ceremony_birth"]],
    )


class CeremonyOccasion(StrEnum):
    BIRTH = "birth"
    MARRIAGE = "marriage"


class CeremonyScheduled(Payload):
    """The desk set (or moved) the hand-over ceremony of a birth or marriage certificate.

    `place_vi` is the commune's venue (a hall, the desk), never a family's address.
    """

    dossier_code: str
    occasion: CeremonyOccasion
    ceremony_at: AwareDatetime = Field(description="Proposed date and time of the ceremony")
    place_vi: str = Field(min_length=1, max_length=200, examples=["Hội trường UBND xã"])
    schedule_revision: int = Field(
        ge=1, description="1 when first set, +1 at every change: the family hears once each"
    )
    scheduled_at: AwareDatetime
    ready_at: AwareDatetime | None = Field(default=None, description="When the result was ready")


class ReturnMethod(StrEnum):
    COUNTER = "counter"
    POSTAL = "postal"
    ONLINE = "online"


class ResultReturned(Payload):
    dossier_code: str
    returned_at: AwareDatetime
    method: ReturnMethod
    to_applicant: bool = Field(description="False when an authorised person collected it")


class DossierWithdrawn(Payload):
    """Withdrawn at the applicant's request; the clock stops."""

    dossier_code: str
    withdrawn_at: AwareDatetime


class SatisfactionLevel(StrEnum):
    DISSATISFIED = "khong_hai_long"
    SATISFIED = "hai_long"
    VERY_SATISFIED = "rat_hai_long"


class RatingSource(StrEnum):
    LINK = "link"
    KIOSK = "kiosk"


class SatisfactionRated(Payload):
    """The applicant's rating (the free comment stays in intake)."""

    dossier_code: str
    rated_at: AwareDatetime
    level: SatisfactionLevel
    source: RatingSource
    criteria: dict[str, int] = Field(
        default_factory=dict, description="Criterion key -> 0..2 points (9 criteria, 18 points)"
    )


class ReassignmentReason(StrEnum):
    MERGER = "merger"


class DossierReassigned(Payload):
    """An open dossier now belongs to another commune (its unit was merged into that one).

    The code, history and deadlines are unchanged. `from_tenant_id` is the unit that held the
    dossier (as receiving and/or resolving unit); after this event both roles it held belong to
    `to_tenant_id`. Closed dossiers are never reassigned: they stay with the unit as it was.
    """

    dossier_code: str
    from_tenant_id: str
    to_tenant_id: str
    reassigned_at: AwareDatetime
    reason: ReassignmentReason = ReassignmentReason.MERGER
    effective_at: AwareDatetime | None = Field(
        default=None, description="When the merger took legal effect (may precede reassigned_at)"
    )
    receiving_tenant_id: str = Field(description="Receiving unit after the reassignment")
    resolving_tenant_id: str = Field(description="Resolving unit after the reassignment")
