"""After a supplement, the receipt's new date follows the statutory clock (as workflow does)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from intake.adapters.statutory_clock import CatalogueClock

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _due(channel: str) -> datetime:
    clock = CatalogueClock()
    received = datetime(2026, 3, 10, 9, 0, tzinfo=VN)  # Tuesday
    version = clock.terms_for(
        procedure_code="1.004859", received_at=received, tenant_config={}, verification=False
    ).procedure.version
    return clock.due_after_supplement(
        procedure_code="1.004859",  # correction of civil-status information: 3 working days
        procedure_version=version,
        received_at=received,
        requested_at=datetime(2026, 3, 10, 10, 0, tzinfo=VN),
        supplied_at=datetime(2026, 3, 10, 11, 0, tzinfo=VN),
        channel=channel,
        tenant_config={},
        verification=False,
    )


def test_a_counter_dossier_pauses_and_resumes_so_the_paused_hour_is_added() -> None:
    # Due Friday 13/3 17:00 without the supplement; one working hour later is Monday 08:30.
    assert _due("counter") == datetime(2026, 3, 16, 8, 30, tzinfo=VN)


def test_an_online_dossier_restarts_from_the_supplement() -> None:
    # Decree 118: the period restarts when the online dossier is complete (Tue 11:00).
    assert _due("online") == datetime(2026, 3, 13, 17, 0, tzinfo=VN)
