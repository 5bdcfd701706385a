"""The one error shape of every service: code, Vietnamese message, field, per-field errors."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from motcua_platform.errors import (
    Conflict,
    DomainError,
    ErrorOut,
    error_responses,
    install_error_handlers,
)
from pydantic import BaseModel, Field


class _In(BaseModel):
    name: str = Field(min_length=2)
    count: int


class _Moved(Conflict):
    def __init__(self, allowed: list[str]) -> None:
        super().__init__("state.invalid", "Không thể chuyển trạng thái.", field="status")
        self.allowed = allowed


def _app(**options) -> FastAPI:  # type: ignore[no-untyped-def]
    app = FastAPI()
    install_error_handlers(app, **options)

    @app.post("/things")
    async def create(body: _In) -> dict[str, str]:
        raise DomainError("thing.bad", "Không hợp lệ.", field="name")

    @app.post("/moves")
    async def move() -> None:
        raise _Moved(["accepted"])

    return app


async def _call(app: FastAPI, path: str, body: object = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        return await client.post(path, json=body)


async def test_domain_validation_and_route_errors_share_one_shape() -> None:
    app = _app()
    r = await _call(app, "/things", {"name": "ab", "count": 1})
    assert (r.status_code, r.json()) == (
        422,
        {"code": "thing.bad", "message": "Không hợp lệ.", "field": "name", "errors": []},
    )
    r = await _call(app, "/things", {"name": "a", "extra": 1})
    body = r.json()
    assert r.status_code == 422 and body["code"] == "request.invalid"
    assert {(e["field"], e["code"], e["message"]) for e in body["errors"]} == {
        ("name", "validation.string_too_short", "Giá trị quá ngắn."),
        ("count", "validation.missing", "Thiếu trường bắt buộc."),
    }
    r = await _call(app, "/nowhere")
    assert (r.status_code, r.json()["code"]) == (404, "route.not_found")


async def test_a_service_adds_its_texts_and_fields() -> None:
    def enrich(exc: DomainError) -> tuple[dict[str, object], dict[str, str]]:
        if isinstance(exc, _Moved):
            return {"allowed_transitions": exc.allowed}, {"X-Allowed": ",".join(exc.allowed)}
        return {}, {}

    class Out(ErrorOut):
        allowed_transitions: list[str] = Field(default_factory=list)

    app = _app(messages={"missing": "Bắt buộc phải có."}, enrich=enrich, model=Out)
    r = await _call(app, "/moves")
    assert r.status_code == 409 and r.headers["x-allowed"] == "accepted"
    assert r.json() | {"errors": None} == {
        "code": "state.invalid",
        "message": "Không thể chuyển trạng thái.",
        "field": "status",
        "errors": None,
        "allowed_transitions": ["accepted"],
    }
    r = await _call(app, "/things", {"name": "abc"})
    assert r.json()["errors"][0]["message"] == "Bắt buộc phải có."
    responses = error_responses(Out, s409="Không chuyển được")
    assert responses[409] == {"model": Out, "description": "Không chuyển được"}
    assert set(responses) == {401, 403, 404, 409, 422, 429}


def test_an_html_route_documents_its_errors_as_json_as_they_are_sent() -> None:
    from fastapi.responses import HTMLResponse
    from motcua_platform.errors import error_responses
    from motcua_platform.runtime import make_app

    app = make_app(title="t")

    @app.get(
        "/page",
        response_class=HTMLResponse,
        responses={200: {"content": {"text/html": {}}}, **error_responses()},
    )
    async def page() -> str:
        return "<p>x</p>"

    responses = app.openapi()["paths"]["/page"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"text/html"}
    for status in ("401", "403", "404", "422"):
        assert set(responses[status]["content"]) == {"application/json"}, status
        assert responses[status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorOut"
        )

    @app.get(
        "/citizen",
        response_class=HTMLResponse,
        responses={404: {"content": {"text/html": {}}, "description": "trang HTML"}},
    )
    async def citizen() -> str:
        return "<p>x</p>"

    app.openapi_schema = None
    # An error page the route declares itself (no model) is what it sends: kept as HTML.
    citizen_404 = app.openapi()["paths"]["/citizen"]["get"]["responses"]["404"]
    assert set(citizen_404["content"]) == {"text/html"}
