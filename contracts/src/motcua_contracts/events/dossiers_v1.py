"""Dossier lifecycle events published by intake on Topics.DOSSIERS, version 1."""

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
