"""The event envelope, version 1. Frozen: changing a field means a new envelope version."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

ENVELOPE_VERSION = 1


class EventEnvelope(BaseModel):
    """Metadata every integration event carries, plus its typed payload as a JSON object."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    envelope_version: int = Field(default=ENVELOPE_VERSION, ge=1)
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    event_type: str = Field(min_length=1, examples=["DossierReceived"])
    schema_version: int = Field(ge=1, examples=[1])
    occurred_at: datetime = Field(description="UTC moment the fact happened")
    tenant_id: str = Field(min_length=1, examples=["14-04240"])
    dossier_id: str | None = Field(default=None, examples=["0d6c7a3e-..."])
    aggregate_version: int | None = Field(
        default=None, ge=1, description="Per-dossier sequence, lets consumers drop stale events"
    )
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    producer: str = Field(min_length=1, examples=["intake"])
    payload: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _must_be_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("occurred_at must be timezone-aware")
        return value.astimezone(UTC)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> EventEnvelope:
        return cls.model_validate_json(raw)
