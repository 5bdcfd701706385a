"""Clock events whose payload changed incompatibly, version 2 (same topic, Topics.CLOCK).

`ApologyIssued` v2 adds the leader's own reason (`reason_vi`), required: the citizen's
letter and message must carry the words the leader wrote, not a canned text. The reason is
free text about the dossier's handling typed by the official, not the citizen's personal
data; it is bounded (5–500 characters), normalised to Unicode NFC with whitespace runs
collapsed, and control characters are refused. Consumers still read v1 (no `reason_vi`).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from motcua_contracts.events.clock_v1 import ApologyReason
from motcua_contracts.events.common import AwareDatetime, Payload

REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 500
_WHITESPACE_CONTROLS = frozenset("\t\n\r")


def normalise_reason(value: Any) -> Any:
    """NFC, whitespace runs as one space, trimmed; refuses other control characters."""
    if not isinstance(value, str):
        return value  # the str validation that follows refuses it
    text = unicodedata.normalize("NFC", value)
    for ch in text:
        if ch not in _WHITESPACE_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValueError("reason must not contain control characters")
    return " ".join(text.split())


ReasonText = Annotated[
    str,
    BeforeValidator(normalise_reason),
    Field(min_length=REASON_MIN_LENGTH, max_length=REASON_MAX_LENGTH),
]


class ApologyIssued(Payload):
    """Form 04: apology notice with the leader's reason and a new return date; once per dossier."""

    dossier_code: str
    issued_at: AwareDatetime
    issued_by: str = Field(description="Identity-provider subject of the official")
    reason_code: ApologyReason
    reason_vi: ReasonText = Field(
        description="The leader's own reason, as printed on Form 04 (NFC, no control characters)"
    )
    old_due_at: AwareDatetime
    new_due_at: AwareDatetime
    late: bool = Field(description="Issued after the legal limit (one working day before)")
