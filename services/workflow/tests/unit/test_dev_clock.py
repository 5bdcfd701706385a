"""Workflow's movable clock (development and tests only): an operator moves it through
POST /internal/dev/clock, the timers fire on the moved time, a reset brings it back; production
refuses it and has no such endpoint."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from motcua_contracts.events.tenants_v1 import LeaderOnDuty
from motcua_contracts.events.tenants_v2 import DutyRoster, WeekdayDuty
from motcua_platform.auth import dev_tokens
from motcua_platform.clock import FixedClock, MovableClock
from motcua_testkit.workflow import TENANT, Dossier, Harness, tenant_configured, vn
from workflow.bootstrap import build_runtime
from workflow.settings import WorkflowSettings

PATH = "/internal/dev/clock"
SAFE = {
    "environment": "production",
    "database_url": "postgresql+asyncpg://db/workflow",
    "jwks_url": "https://sso.example.vn/realms/sonla/protocol/openid-connect/certs",
    "jwt_issuer": "https://sso.example.vn/realms/sonla",
    "jwt_audience": "motcua",
}


def test_production_refuses_a_movable_or_shifted_clock() -> None:
    with pytest.raises(ValueError, match="dev_clock"):
        WorkflowSettings(**SAFE, dev_clock=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="real clock"):
        WorkflowSettings(**SAFE, clock_offset_seconds=60)  # type: ignore[arg-type]


async def test_production_workflow_has_no_clock_endpoint() -> None:
    runtime = build_runtime(WorkflowSettings(**SAFE))  # type: ignore[arg-type]
    try:
        assert not isinstance(runtime.app.state.context.clock, MovableClock)  # type: ignore[union-attr]
        transport = httpx.ASGITransport(app=runtime.app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wf") as c:
            r = await c.post(PATH, json={"advance_seconds": 60})
        assert r.status_code == 404
    finally:
        await runtime.close()


async def test_the_offset_setting_starts_a_movable_clock_that_resets_to_it(
    tmp_path: Path,
) -> None:
    settings = WorkflowSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'wf.db'}",
        environment="test",
        transport="local",
        clock_offset_seconds=3_600,
    )
    runtime = build_runtime(settings)
    try:
        clock = runtime.app.state.context.clock  # type: ignore[union-attr]
        assert isinstance(clock, MovableClock)
        assert clock.offset.total_seconds() == 3_600
    finally:
        await runtime.close()


async def test_an_operator_moves_workflows_clock_past_a_due_and_the_leader_on_duty_is_told(
    tmp_path: Path, keys_dir: Path
) -> None:
    base = FixedClock(vn(2026, 4, 28, 9, 0))
    settings = WorkflowSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'wf.db'}",
        environment="test",
        transport="local",
        dev_keys_dir=str(keys_dir),
        dev_clock=True,
    )
    runtime = build_runtime(settings, clock=base)
    await runtime.migrate()
    h = Harness(runtime, base)
    operator = {"Authorization": f"Bearer {dev_tokens.mint('operator', None, keys=keys_dir)}"}
    try:
        roster = DutyRoster(
            weekdays=[WeekdayDuty(weekday=2, leader=LeaderOnDuty(official_id="ld-tuesday"))],
            dates=[],
        )
        await h.deliver(
            tenant_configured(TENANT, leader="ld-default", duty_roster=roster, at=vn(2026, 4, 1))
        )
        d = Dossier(TENANT)
        # 1.004859 received Tue 28 Apr 2026 09:00: due Tue 5 May 17:00.
        await h.deliver(d.received(vn(2026, 4, 28, 9, 0)), d.accepted(vn(2026, 4, 28, 9, 5)))
        await h.fire()
        assert not [e for e in await h.new_events() if e.event_type == "EscalationRaised"]

        transport = httpx.ASGITransport(app=runtime.app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wf") as c:
            past_due = (vn(2026, 5, 5, 17, 1) - base.now()).total_seconds()
            r = await c.post(PATH, json={"advance_seconds": past_due}, headers=operator)
            assert r.status_code == 200, r.text
            assert r.json()["now"] == "2026-05-05T17:01:00+07:00"
            await h.fire()
            raised = [e.payload for e in await h.new_events() if e.event_type == "EscalationRaised"]
            assert raised and {p["to_official_id"] for p in raised} == {"ld-tuesday"}

            r = await c.post(f"{PATH}/reset", headers=operator)
            assert r.status_code == 200 and r.json()["now"] == "2026-04-28T09:00:00+07:00"
        assert runtime.app.state.context.clock.now() == base.now()  # type: ignore[union-attr]
    finally:
        await runtime.close()
