"""The dossier at the desk: identity, code format and registration rules. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from intake.domain.errors import DomainError

_ID_NUMBER = re.compile(r"^\d{12}$")
_PHONE = re.compile(r"^(?:\+84|0)(?:3|5|7|8|9)\d{8}$")


class DossierStatus(StrEnum):
    RECEIVED = "received"


class Channel(StrEnum):
    COUNTER = "counter"
    POSTAL = "postal"
    ONLINE = "online"


def format_dossier_code(agency_code: str, day: date, sequence: int) -> str:
    """`<agency e-ID>-YYMMDD-NNNN`: a daily sequence of at least four digits (DOMAIN.md §3)."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


@dataclass(frozen=True)
class Applicant:
    full_name: str
    id_number: str
    phone: str
    email: str | None = None

    def validate(self) -> None:
        if not self.full_name.strip():
            raise DomainError(
                "applicant.full_name.required", "Họ và tên không được để trống.", field="full_name"
            )
        if not _ID_NUMBER.match(self.id_number):
            raise DomainError(
                "applicant.id_number.invalid",
                "Số định danh cá nhân phải gồm đúng 12 chữ số.",
                field="id_number",
            )
        if not _PHONE.match(self.phone):
            raise DomainError(
                "applicant.phone.invalid",
                "Số điện thoại không đúng định dạng Việt Nam (ví dụ 0912345678).",
                field="phone",
            )


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
