"""Fixtures of intake's unit tests; the helpers live in `motcua_testkit.intake`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from intake.auth import dev_tokens
from motcua_testkit.intake import Desk, make_desk


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dev_tokens.ensure_keys(tmp_path_factory.mktemp("keys") / "dev-keys")


@pytest.fixture
async def desk(tmp_path: Path, keys_dir: Path) -> AsyncIterator[Desk]:
    runtime, clock = await make_desk(tmp_path, keys_dir)
    assert runtime.app is not None
    transport = httpx.ASGITransport(app=runtime.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield Desk(runtime, client, clock, keys_dir)
    await runtime.close()
