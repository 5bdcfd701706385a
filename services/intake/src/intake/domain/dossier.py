"""The dossier at the desk: identity, code format, checklist. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Channel(StrEnum):
    COUNTER = "counter"
    POSTAL = "postal"
    ONLINE = "online"


class DocumentForm(StrEnum):
    ORIGINAL = "original"
    COPY = "copy"
    CERTIFIED_COPY = "certified_copy"


DOCUMENT_FORM_VI = {
    DocumentForm.ORIGINAL: "Bản chính",
    DocumentForm.COPY: "Bản sao",
    DocumentForm.CERTIFIED_COPY: "Bản sao chứng thực",
}
CHANNEL_VI = {
    Channel.COUNTER: "Trực tiếp tại Bộ phận một cửa",
    Channel.POSTAL: "Qua dịch vụ bưu chính",
    Channel.ONLINE: "Trực tuyến",
}


@dataclass(frozen=True)
class Document:
    """One line of the checklist the clerk ticked."""

    name: str
    form: DocumentForm
    copies: int = 1


def format_dossier_code(agency_code: str, day: date, sequence: int) -> str:
    """`<agency e-ID>-YYMMDD-NNNN`, a daily sequence of 4+ digits (docs/domain.md §3.5)."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


@dataclass(frozen=True)
class Registration:
    """Everything decided when a dossier is registered, before it is stored."""

    dossier_id: str
    tenant_id: str
    code: str
    procedure_code: str
    procedure_version: str
    field_code: str
    channel: Channel
    received_at: datetime
    due_at: datetime
    verification_required: bool = False
