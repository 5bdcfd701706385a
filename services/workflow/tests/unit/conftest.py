"""Fixtures of workflow's unit tests: one runtime on SQLite with a clock that moves on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from motcua_platform.auth import dev_tokens
from motcua_testkit.workflow import TENANT, Harness, make_harness, vn


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dev_tokens.ensure_keys(tmp_path_factory.mktemp("keys") / "dev-keys")


@pytest.fixture
async def harness(tmp_path: Path, keys_dir: Path) -> AsyncIterator[Harness]:
    h = await make_harness(tmp_path, vn(2026, 4, 28, 9, 0), keys_dir)
    yield h
    await h.runtime.close()


@pytest.fixture
async def client(harness: Harness) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=harness.runtime.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://workflow") as c:
        yield c


@pytest.fixture
def auth(keys_dir: Path):  # type: ignore[no-untyped-def]
    def headers(
        role: str, tenant: str | None = TENANT, subject: str | None = None
    ) -> dict[str, str]:
        token = dev_tokens.mint(role, tenant, subject=subject, keys=keys_dir)
        return {"Authorization": f"Bearer {token}"}

    return headers
