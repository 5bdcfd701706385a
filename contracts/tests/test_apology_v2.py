"""ApologyIssued v2: the leader's reason, bounded, NFC, without control characters."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from motcua_contracts.events import clock_v1, clock_v2
from motcua_contracts.registry import spec_for, spec_of
from pydantic import ValidationError

VN = timezone(timedelta(hours=7))


def _event(reason: str) -> clock_v2.ApologyIssued:
    return clock_v2.ApologyIssued(
        dossier_code="000.21.31.H50-260213-0001",
        issued_at=datetime(2026, 5, 4, 10, tzinfo=VN),
        issued_by="lanh-dao-1",
        reason_code=clock_v1.ApologyReason.VERIFICATION,
        reason_vi=reason,
        old_due_at=datetime(2026, 5, 5, 17, tzinfo=VN),
        new_due_at=datetime(2026, 5, 8, 17, tzinfo=VN),
        late=False,
    )


def test_v2_is_registered_beside_v1_on_the_same_topic() -> None:
    v1, v2 = spec_for("ApologyIssued", 1), spec_for("ApologyIssued", 2)
    assert v1.model is clock_v1.ApologyIssued and v2.model is clock_v2.ApologyIssued
    assert v1.topic == v2.topic
    assert spec_of(clock_v2.ApologyIssued) is v2


def test_reason_is_nfc_with_whitespace_collapsed() -> None:
    typed = "\t" + unicodedata.normalize("NFD", "Chờ  xác minh\r\ntại bản") + " "
    assert _event(typed).reason_vi == "Chờ xác minh tại bản"
    assert unicodedata.is_normalized("NFC", _event(typed).reason_vi)


@pytest.mark.parametrize(
    "reason", ["Lý do\x1b[31m đỏ", "Lý do\x00 rỗng", "Lý\x7f do xóa", "ngắn", "x" * 501, "   "]
)
def test_control_characters_and_bad_lengths_are_refused(reason: str) -> None:
    with pytest.raises(ValidationError):
        _event(reason)
