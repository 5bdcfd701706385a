"""Fixtures of notify's unit tests; the helpers live in `motcua_testkit.notify`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from motcua_platform.auth import dev_tokens
from motcua_testkit.notify import Notify, make_notify


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dev_tokens.ensure_keys(tmp_path_factory.mktemp("keys") / "dev-keys")


@pytest.fixture
async def n(tmp_path: Path, keys_dir: Path) -> AsyncIterator[Notify]:
    async with make_notify(tmp_path, keys_dir) as notify:
        yield notify
