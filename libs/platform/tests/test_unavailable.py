"""Database away: 503 with Retry-After and the standard body, never a bare 500."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import Request
from motcua_platform.runtime import build_service
from motcua_platform.settings import ServiceSettings
from motcua_testkit.platform import scratch_schema
from sqlalchemy import text

_, outbox, inbox, _effects = scratch_schema()


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql+asyncpg://nobody:nothing@127.0.0.1:1/none",  # a closed port
        "sqlite+aiosqlite:///{tmp}/no/such/dir/db.sqlite",
    ],
)
async def test_a_database_away_answers_503_with_retry_after(tmp_path: Path, dsn: str) -> None:
    settings = ServiceSettings(
        environment="test", service_name="t503", database_url=dsn.format(tmp=tmp_path)
    )
    runtime = build_service(
        settings, migrations=tmp_path, inbox=inbox, outbox=outbox, title="t", description="t"
    )
    app = runtime.app
    assert app is not None

    @app.get("/query")
    async def query(request: Request) -> dict[str, int]:
        async with request.app.state.sessions() as session:
            return {"one": int(await session.scalar(text("SELECT 1")) or 0)}

    @app.get("/bug")
    async def bug() -> None:
        raise KeyError("a bug stays a 500")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=30) as client:
        response = await client.get("/query")
        assert response.status_code == 503
        assert response.headers["Retry-After"].isdigit()
        body = response.json()
        assert body["code"] == "service.unavailable"
        assert "thử lại" in body["message"]
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "down"
        assert (await client.get("/bug")).status_code == 500
    await runtime.close()
