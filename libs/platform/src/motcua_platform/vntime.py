"""Moments as people and clients read them: ISO 8601 in Vietnam time (+07:00).

Events and databases keep UTC (the internal wire form); every API answer, CSV and page shows
Asia/Ho_Chi_Minh. Response models declare their moments as `VnDateTime` so the rule lives
in one place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from motcua_clock import VN_TZ
from pydantic import AfterValidator, PlainSerializer, WithJsonSchema

VN = VN_TZ  # the one zone: motcua_clock's


def to_vn(moment: datetime) -> datetime:
    """The same instant in Vietnam time (a naive moment is taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN)


def vn_iso(moment: datetime | None, *, seconds: bool = False) -> str | None:
    """ISO 8601 with +07:00; `seconds` drops the fraction (spreadsheets, pages)."""
    if moment is None:
        return None
    local = to_vn(moment)
    return local.isoformat(timespec="seconds") if seconds else local.isoformat()


def _json(moment: datetime) -> str:
    return to_vn(moment).isoformat()


VnDateTime = Annotated[
    datetime,
    AfterValidator(to_vn),
    PlainSerializer(_json, return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": ["2026-02-13T16:00:00+07:00"]}
    ),
]
