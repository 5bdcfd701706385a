"""Notify's movable clock (development and tests only): with dev_clock the dispatcher, the
routes and the consumers run on one clock an operator moves; without it there is no endpoint."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from motcua_platform.auth import dev_tokens
from motcua_platform.clock import MovableClock
from motcua_testkit.notify import MORNING, make_notify
from notify.settings import NotifySettings

PATH = "/internal/dev/clock"


def test_production_refuses_notifys_movable_clock() -> None:
    with pytest.raises(ValueError, match="dev_clock"):
        NotifySettings(
            environment="production",
            database_url="postgresql+asyncpg://db/notify",
            jwks_url="https://sso.example.vn/realms/sonla/protocol/openid-connect/certs",
            jwt_issuer="https://sso.example.vn/realms/sonla",
            jwt_audience="motcua",
            dev_clock=True,
        )


async def test_an_operator_moves_the_clock_the_dispatcher_and_the_routes_read(
    tmp_path: Path, keys_dir: Path
) -> None:
    operator = {"Authorization": f"Bearer {dev_tokens.mint('operator', None, keys=keys_dir)}"}
    async with make_notify(tmp_path, keys_dir, dev_clock=True) as n:
        app = n.runtime.app
        assert app is not None
        clock = app.state.deps.clock
        assert isinstance(clock, MovableClock) and app.state.dispatcher.clock is clock
        r = await n.client.post(PATH, json={"advance_seconds": 86_400}, headers=operator)
        assert r.status_code == 200, r.text
        assert clock.now() == MORNING + timedelta(days=1)
        r = await n.client.post(f"{PATH}/reset", headers=operator)
        assert r.status_code == 200 and clock.now() == MORNING


async def test_without_dev_clock_notify_has_no_clock_endpoint(
    tmp_path: Path, keys_dir: Path
) -> None:
    operator = {"Authorization": f"Bearer {dev_tokens.mint('operator', None, keys=keys_dir)}"}
    async with make_notify(tmp_path, keys_dir) as n:
        r = await n.client.post(PATH, json={"advance_seconds": 60}, headers=operator)
        assert r.status_code == 404
        assert n.clock.now() == MORNING
