"""What people read: moments in Vietnam time (+07:00), whatever the stored zone."""

from __future__ import annotations

from datetime import UTC, datetime

from motcua_platform.vntime import VnDateTime, vn_iso
from pydantic import BaseModel


class _Out(BaseModel):
    at: VnDateTime
    maybe: VnDateTime | None = None


def test_utc_and_naive_moments_are_shown_in_vietnam_time() -> None:
    out = _Out(at=datetime(2026, 2, 13, 9, 0, 0, 123456, tzinfo=UTC), maybe=None)
    assert out.model_dump(mode="json") == {"at": "2026-02-13T16:00:00.123456+07:00", "maybe": None}
    naive = _Out(at=datetime(2026, 2, 13, 9, 0))  # stored UTC without its zone
    assert naive.model_dump_json() == '{"at":"2026-02-13T16:00:00+07:00","maybe":null}'
    assert _Out.model_json_schema()["properties"]["at"]["format"] == "date-time"


def test_spreadsheets_get_seconds_precision() -> None:
    moment = datetime(2026, 2, 13, 9, 0, 5, 987654, tzinfo=UTC)
    assert vn_iso(moment, seconds=True) == "2026-02-13T16:00:05+07:00"
    assert vn_iso(None) is None
