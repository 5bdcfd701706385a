"""Standalone runs the four services in one process: a hostile template preview on notify
must not stop intake from answering (issue 17, point 1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from motcua_platform.auth import dev_tokens
from motcua_standalone.platform import Platform

TENANT = "quyet-thang"
# Within the sandbox's static guards yet a minute of work: only the worker's timeout stops it.
HOSTILE = (
    "{% for i in range(2000) %}"
    "{% if (('x' * 100000).replace('x', 'y' * 1000)) | length > 1 %}.{% endif %}"
    "{% endfor %}{{ dossier_code }}"
)


async def test_intake_answers_while_a_hostile_preview_runs_on_notify(tmp_path: Path) -> None:
    keys = dev_tokens.ensure_keys(tmp_path / "dev-keys")
    settings = {name: {"dev_keys_dir": str(keys)} for name in ("intake", "workflow", "analytics")}
    settings["notify"] = {"dev_keys_dir": str(keys), "template_render_timeout_seconds": 5.0}
    platform = Platform(tmp_path / "data", settings=settings)
    await platform.start()
    token = dev_tokens.mint("clerk", TENANT, keys=keys)
    headers = {"Authorization": f"Bearer {token}"}

    def client(name: str) -> httpx.AsyncClient:
        app = platform.runtimes[name].app
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=transport, base_url=f"http://{name}", timeout=120)

    try:
        async with client("notify") as notify, client("intake") as intake:
            pool = platform.runtimes["notify"].app.state.deps.engine  # type: ignore[union-attr]
            hostile = asyncio.create_task(
                notify.post(
                    f"/api/v1/communes/{TENANT}/templates/receipt_confirmation/sms/preview",
                    json={"body": HOSTILE},
                    headers=headers,
                )
            )
            async with asyncio.timeout(60):
                while pool.in_flight == 0:  # noqa: ASYNC110 - set by the render thread
                    await asyncio.sleep(0.01)
            answer = await asyncio.wait_for(
                intake.get(f"/api/v1/communes/{TENANT}/dossiers", headers=headers), timeout=30
            )
            assert answer.status_code == 200, answer.text
            assert not hostile.done()  # intake answered while notify's render was pending
            refused = await asyncio.wait_for(hostile, timeout=120)
            assert refused.status_code == 422
            assert refused.json()["code"] == "template.too_expensive"
    finally:
        await platform.stop()
