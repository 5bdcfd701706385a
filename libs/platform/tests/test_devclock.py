"""The movable clock (development and tests only), its operator endpoint, and its refusal in
production."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from motcua_platform import devclock
from motcua_platform.auth import verifier_from_settings
from motcua_platform.auth.dev_tokens import mint
from motcua_platform.auth.settings import AuthSettings
from motcua_platform.clock import MAX_OFFSET, FixedClock, MovableClock, OffsetOutOfRange
from motcua_platform.errors import install_error_handlers
from motcua_platform.settings import ServiceSettings

T0 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # Thu 3 Dec 2026, 09:00 in Vietnam
PG = "postgresql+asyncpg://db/x"


def test_a_movable_clock_moves_forward_and_back_and_keeps_the_base_running() -> None:
    base = FixedClock(T0)
    clock = MovableClock(base)
    assert clock.now() == T0
    assert clock.advance(timedelta(days=4)) == T0 + timedelta(days=4)
    base.advance(timedelta(seconds=5))  # the base keeps flowing between moves
    assert clock.now() == T0 + timedelta(days=4, seconds=5)
    assert clock.advance(timedelta(days=-1)) == T0 + timedelta(days=3, seconds=5)
    assert clock.offset == timedelta(days=3)


def test_setting_the_same_offset_twice_moves_once_and_reset_returns_to_the_start() -> None:
    clock = MovableClock(FixedClock(T0), offset=timedelta(hours=1))
    clock.set_offset(timedelta(days=2))
    clock.set_offset(timedelta(days=2))  # standalone: workflow and notify told the same
    assert clock.now() == T0 + timedelta(days=2)
    assert clock.reset() == T0 + timedelta(hours=1)
    assert clock.offset == timedelta(hours=1)


def test_a_movable_clock_refuses_an_offset_beyond_its_bound_and_stays_put() -> None:
    clock = MovableClock(FixedClock(T0))
    clock.advance(MAX_OFFSET - timedelta(days=1))
    with pytest.raises(OffsetOutOfRange):
        clock.advance(timedelta(days=2))
    assert clock.offset == MAX_OFFSET - timedelta(days=1)
    with pytest.raises(OffsetOutOfRange):
        clock.set_offset(-MAX_OFFSET - timedelta(seconds=1))
    with pytest.raises(OffsetOutOfRange):
        MovableClock(FixedClock(T0), offset=MAX_OFFSET * 2)


def test_production_refuses_the_movable_clock() -> None:
    with pytest.raises(ValueError, match="dev_clock"):
        ServiceSettings(environment="production", database_url=PG, dev_clock=True)
    assert ServiceSettings(environment="production", database_url=PG).dev_clock is False
    assert ServiceSettings(environment="development", dev_clock=True).dev_clock is True


def test_a_service_clock_is_movable_only_with_dev_clock_and_shares_a_given_movable_one() -> None:
    system = FixedClock(T0)
    assert devclock.service_clock(False, None, system) is system
    wrapped = devclock.service_clock(True, None, system)
    assert isinstance(wrapped, MovableClock) and wrapped.now() == T0
    shared = MovableClock(system)
    assert devclock.service_clock(True, shared, FixedClock(T0)) is shared


def _app(tmp_path: Path, clock: MovableClock, *, enabled: bool = True) -> FastAPI:
    app = FastAPI()
    app.state.verifier = verifier_from_settings(
        AuthSettings(environment="test", dev_keys_dir=str(tmp_path))
    )
    devclock.mount(app, clock, enabled=enabled)
    install_error_handlers(app)
    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


def _as(role: str, tmp_path: Path) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(role, None, keys=tmp_path)}"}


async def test_an_operator_moves_the_clock_and_resets_it(tmp_path: Path) -> None:
    clock = MovableClock(FixedClock(T0))
    op = _as("operator", tmp_path)
    async with _client(_app(tmp_path, clock)) as c:
        r = await c.post(devclock.PATH, json={"advance_seconds": 86_400}, headers=op)
        assert r.status_code == 200, r.text
        assert r.json() == {"now": "2026-12-04T09:00:00+07:00", "offset_seconds": 86_400.0}
        r = await c.post(devclock.PATH, json={"offset_seconds": 3_600}, headers=op)
        assert r.json()["now"] == "2026-12-03T10:00:00+07:00"
        assert (await c.get(devclock.PATH, headers=op)).json()["offset_seconds"] == 3_600.0
        r = await c.post(f"{devclock.PATH}/reset", headers=op)
        assert r.status_code == 200 and r.json()["now"] == "2026-12-03T09:00:00+07:00"
    assert clock.now() == T0


async def test_only_an_operator_moves_the_clock(tmp_path: Path) -> None:
    clock = MovableClock(FixedClock(T0))
    async with _client(_app(tmp_path, clock)) as c:
        r = await c.post(devclock.PATH, json={"advance_seconds": 60})
        assert r.status_code == 401
        leader = {"Authorization": f"Bearer {mint('leader', 'quyet-thang', keys=tmp_path)}"}
        r = await c.post(devclock.PATH, json={"advance_seconds": 60}, headers=leader)
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "auth.forbidden" and "vận hành" in r.json()["message"]
    assert clock.now() == T0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "dev_clock.one_of"),
        ({"advance_seconds": 1, "offset_seconds": 1}, "dev_clock.one_of"),
        ({"advance_seconds": MAX_OFFSET.total_seconds() * 2}, None),
    ],
)
async def test_a_bad_move_is_a_422_in_vietnamese(
    tmp_path: Path, body: dict[str, float], code: str | None
) -> None:
    clock = MovableClock(FixedClock(T0))
    async with _client(_app(tmp_path, clock)) as c:
        r = await c.post(devclock.PATH, json=body, headers=_as("operator", tmp_path))
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors and all(e["message"] for e in errors)
    if code:
        assert [e["code"] for e in errors] == [code]
        assert "advance_seconds hoặc offset_seconds" in errors[0]["message"]
    assert clock.now() == T0


async def test_a_move_past_the_bound_from_where_the_clock_is_is_refused(tmp_path: Path) -> None:
    clock = MovableClock(FixedClock(T0), offset=MAX_OFFSET)
    async with _client(_app(tmp_path, clock)) as c:
        r = await c.post(
            devclock.PATH, json={"advance_seconds": 60}, headers=_as("operator", tmp_path)
        )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "dev_clock.out_of_range" and "ngày" in r.json()["message"]
    assert clock.offset == MAX_OFFSET


async def test_without_dev_clock_there_is_no_such_endpoint(tmp_path: Path) -> None:
    clock = MovableClock(FixedClock(T0))
    async with _client(_app(tmp_path, clock, enabled=False)) as c:
        r = await c.post(
            devclock.PATH, json={"advance_seconds": 60}, headers=_as("operator", tmp_path)
        )
    assert r.status_code == 404
    assert clock.now() == T0
