from __future__ import annotations

import httpx
from fastapi import FastAPI
from motcua_platform.health import health_router


async def _up() -> bool:
    return True


async def _down() -> bool:
    raise ConnectionError("broker unavailable")


async def _ready(optional: frozenset[str]) -> tuple[int, dict[str, object]]:
    app = FastAPI()
    app.include_router(health_router({"database": _up, "broker": _down}, optional=lambda: optional))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        response = await c.get("/health/ready")
    return response.status_code, response.json()


async def test_a_consumer_is_not_ready_without_its_broker() -> None:
    status, body = await _ready(frozenset())
    assert status == 503
    assert body["checks"] == {"database": "ok", "broker": "down"}


async def test_an_api_behind_the_outbox_stays_ready_and_still_reports_the_broker() -> None:
    status, body = await _ready(frozenset({"broker"}))
    assert status == 200
    assert body["checks"] == {"database": "ok", "broker": "down"}


async def test_swagger_ui_is_served_from_the_service_not_a_cdn() -> None:
    """/docs works offline: its script and style come from the service itself."""
    import re

    import httpx
    from motcua_platform.runtime import make_app

    app = make_app(title="thử")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page.text)
        assert assets and all(a.startswith("/") for a in assets), assets
        assert "cdn" not in page.text.lower()
        for asset in assets:
            loaded = await client.get(asset)
            assert loaded.status_code == 200 and len(loaded.content) > 1000
        assert (await client.get("/redoc")).status_code == 200
