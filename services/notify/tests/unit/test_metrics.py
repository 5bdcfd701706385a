"""Notifications by channel and status, for the operations dashboard and alerts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from motcua_contracts.events.notifications_v1 import NotificationSent
from motcua_platform.db import make_engine, make_session_factory
from notify.adapters import events
from notify.adapters.tables import metadata


async def test_a_recorded_outcome_is_counted_by_channel_and_status(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'n.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    counter = events.NOTIFICATIONS.labels("sms", "sent")
    before = counter._value.get()
    now = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    async with make_session_factory(engine)() as session, session.begin():
        await events.stage_event(
            session,
            tenant_id="quyet-thang",
            dossier_id="d-1",
            occurred_at=now,
            payload=NotificationSent(
                notification_id="n-1",
                source_event_id="e-1",
                kind="receipt_confirmation",
                recipient="applicant",
                channel="sms",  # type: ignore[arg-type]
                attempts=1,
                fell_back=False,
                sent_at=now,
            ),
        )
    await engine.dispose()
    assert counter._value.get() == before + 1
