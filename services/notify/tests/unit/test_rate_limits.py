"""A clerk flooding the template preview (each one a render in the worker process) is
throttled with 429 before any rendering; the limits are notify's own settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

from motcua_platform.auth import dev_tokens
from motcua_testkit.notify import TENANT, make_notify

PREVIEW = f"/api/v1/communes/{TENANT}/templates/receipt_confirmation/sms/preview"


async def test_a_preview_flood_gets_429(tmp_path: Path, keys_dir: Path) -> None:
    async with make_notify(
        tmp_path, keys_dir, principal_rate_per_second=0.01, principal_burst=5
    ) as n:
        flooder = {"Authorization": f"Bearer {dev_tokens.mint('clerk', TENANT, keys=keys_dir)}"}
        colleague = {
            "Authorization": "Bearer "
            + dev_tokens.mint("clerk", TENANT, subject="clerk-2", keys=keys_dir)
        }
        body = {"data": {}}
        answers = await asyncio.wait_for(
            asyncio.gather(
                *(n.client.post(PREVIEW, json=body, headers=flooder) for _ in range(20))
            ),
            120,
        )
        other = await n.client.post(PREVIEW, json=body, headers=colleague)
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * 5 + [429] * 15, [r.text for r in answers if r.status_code != 429]
    refused = next(r for r in answers if r.status_code == 429)
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["message"].startswith("Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau")
    assert int(refused.headers["Retry-After"]) >= 1
    assert other.status_code == 200, other.text


async def test_notify_is_limited_by_default(tmp_path: Path, keys_dir: Path) -> None:
    async with make_notify(tmp_path, keys_dir) as n:
        limits = n.runtime.app.state.api_limits  # type: ignore[union-attr]
        assert limits.principal is not None and limits.tenant is not None
