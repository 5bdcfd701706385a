"""Workflow's API is rate-limited per commune and per principal, from its own settings."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from motcua_platform.auth import dev_tokens
from motcua_testkit.workflow import TENANT, make_harness, vn

OTHER = "xa-khac"


async def test_a_flooding_commune_gets_429_and_another_commune_does_not(
    tmp_path: Path, keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_WORKFLOW_TENANT_RATE_PER_SECOND", "0.01")
    monkeypatch.setenv("MOTCUA_WORKFLOW_TENANT_BURST", "8")
    h = await make_harness(tmp_path, vn(2026, 4, 28, 9, 0), keys_dir)
    try:
        transport = httpx.ASGITransport(app=h.runtime.app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://workflow") as client:

            async def worklist(tenant: str, clerk: int) -> httpx.Response:
                token = dev_tokens.mint("clerk", tenant, subject=f"clerk-{clerk}", keys=keys_dir)
                return await client.get(
                    f"/api/v1/communes/{tenant}/worklist",
                    headers={"Authorization": f"Bearer {token}"},
                )

            flood = [await worklist(TENANT, i % 4) for i in range(12)]  # four clerks
            other = [await worklist(OTHER, 0) for _ in range(3)]
    finally:
        await h.runtime.close()
    assert [r.status_code for r in flood] == [200] * 8 + [429] * 4, flood[-1].text
    refused = flood[-1]
    assert refused.json()["code"] == "tenant.rate_limited"
    assert refused.json()["message"].startswith("Đơn vị của bạn đang gửi quá nhiều yêu cầu")
    assert int(refused.headers["Retry-After"]) >= 1
    assert [r.status_code for r in other] == [200] * 3


async def test_one_clerk_flooding_the_api_is_limited(
    tmp_path: Path, keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_WORKFLOW_PRINCIPAL_RATE_PER_SECOND", "0.01")
    monkeypatch.setenv("MOTCUA_WORKFLOW_PRINCIPAL_BURST", "5")
    h = await make_harness(tmp_path, vn(2026, 4, 28, 9, 0), keys_dir)
    try:
        transport = httpx.ASGITransport(app=h.runtime.app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://workflow") as client:
            auth = {"Authorization": f"Bearer {dev_tokens.mint('clerk', TENANT, keys=keys_dir)}"}
            url = f"/api/v1/communes/{TENANT}/worklist"
            statuses = [(await client.get(url, headers=auth)).status_code for _ in range(7)]
            refused = await client.get(url, headers=auth)
    finally:
        await h.runtime.close()
    assert statuses == [200] * 5 + [429] * 2
    assert refused.json()["code"] == "rate_limited" and "Retry-After" in refused.headers
