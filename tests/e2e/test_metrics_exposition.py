"""Every service's /metrics passes `promtool check metrics` (Prometheus naming conventions)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from motcua_standalone.platform import SERVICES, Platform

from tests.support.dossiers import bearer, registration

PROMTOOL = os.environ.get("PROMTOOL") or shutil.which("promtool") or ""


@pytest.fixture
async def platform(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = Platform(tmp_path)
    await p.start()
    yield p
    await p.stop()


async def test_every_service_exposes_lint_clean_metrics(platform: Platform) -> None:
    assert PROMTOOL, "the test command installs promtool: scripts/lib/tools.sh ensure_promtool"
    intake = platform.runtimes["intake"].app
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=intake), base_url="http://x"
    ) as c:
        response = await c.post(
            "/api/v1/communes/quyet-thang/dossiers",
            json=registration(),
            headers=bearer("clerk", "quyet-thang"),
        )
        assert response.status_code == 201
    for name in SERVICES:
        app = platform.runtimes[name].app
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            body = (await client.get("/metrics")).text
        assert "motcua_http_requests_total" in body
        if name in ("workflow", "notify"):  # consumers report their own lag, per topic
            assert f'motcua_consumer_lag_messages{{group="{name}",service="{name}"' in body, name
        checked = await asyncio.to_thread(
            subprocess.run,
            [PROMTOOL, "check", "metrics"],
            input=body,
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, f"{name}: {checked.stdout}{checked.stderr}"
