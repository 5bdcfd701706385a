"""The HTTP middleware: metrics per route template and status, one server span per request."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from motcua_platform.observability import HTTP_REQUESTS, instrument_app


def _count(service: str, method: str, route: str, status: str) -> float:
    value = HTTP_REQUESTS.labels(service, method, route, status)._value.get()
    return float(value)


async def test_requests_are_counted_by_route_template_and_status() -> None:
    app = FastAPI()
    instrument_app(app, "obs-test")

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        assert (await client.get("/things/1")).status_code == 200
        assert (await client.get("/things/2")).status_code == 200
        assert (await client.get("/nowhere")).status_code == 404
        assert (await client.get("/boom")).status_code == 500
    assert _count("obs-test", "GET", "/things/{thing_id}", "200") == 2
    assert _count("obs-test", "GET", "unmatched", "404") == 1
    assert _count("obs-test", "GET", "/boom", "500") == 1
