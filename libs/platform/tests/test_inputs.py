"""The HTTP boundary: text normalised and cleaned, dates bounded, CSV cells and metric labels
safe, security headers on every answer."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse
from motcua_platform.errors import install_error_handlers
from motcua_platform.inputs import BoundedDate, MultilineText, Text, csv_cell, method_label
from motcua_platform.observability import HTTP_REQUESTS, instrument_app
from motcua_platform.runtime import build_service
from motcua_platform.security_headers import hsts_seconds
from motcua_platform.settings import ServiceSettings
from pydantic import BaseModel, ValidationError


class _Body(BaseModel):
    name: Text
    note: MultilineText | None = None


def test_text_is_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Lò Văn Bình")
    assert decomposed != "Lò Văn Bình"
    assert _Body(name=decomposed).name == "Lò Văn Bình"


@pytest.mark.parametrize("bad", ["Lò\x00Văn", "a\x1bb", "a\x7fb", "a\u0085b", "a\nb", "a\u2028b"])
def test_control_characters_are_refused_in_single_line_text(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Body(name=bad)
    assert caught.value.errors()[0]["type"] == "control_characters"


def test_multiline_text_keeps_line_breaks_but_not_nul() -> None:
    assert _Body(name="x", note="dòng 1\r\ndòng 2\tcột").note == "dòng 1\r\ndòng 2\tcột"
    with pytest.raises(ValidationError):
        _Body(name="x", note="a\x00b")


def test_csv_cells_starting_like_a_formula_are_neutralised() -> None:
    for formula in ('=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(formula) == "'" + formula
    assert csv_cell("Xã Chiềng Khương") == "Xã Chiềng Khương"
    assert csv_cell(-3) == -3
    assert csv_cell(None) is None


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/days")
    async def days(
        to: Annotated[BoundedDate | None, Query()] = None,
    ) -> dict[str, str | None]:
        return {"to": to.isoformat() if to else None}

    return app


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
async def test_dates_out_of_range_are_a_422_in_vietnamese(day: str) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        answer = await client.get("/days", params={"to": day})
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert error["code"] == "validation.date_out_of_range"
    assert error["message"].startswith("Ngày phải nằm trong khoảng")


async def test_unknown_http_methods_share_one_metric_label() -> None:
    assert method_label("GET") == "GET"
    assert method_label("FOO") == "OTHER"
    app = FastAPI()
    instrument_app(app, "obs-methods")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        for method in ("XYZZY", "PLUGH", "FOO"):
            await client.request(method, "/nowhere")
    assert HTTP_REQUESTS.labels("obs-methods", "OTHER", "unmatched", "404")._value.get() == 3
    sampled = {
        s.labels["method"]
        for metric in HTTP_REQUESTS.collect()
        for s in metric.samples
        if s.labels.get("service") == "obs-methods"
    }
    assert sampled == {"OTHER"}


def _service(tmp_path: Path, **settings: object) -> FastAPI:
    runtime = build_service(
        ServiceSettings(
            service_name="hdr-test",
            environment="test",
            database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
            **settings,
        ),
        migrations=tmp_path,
        inbox=None,
        outbox=None,
        title="t",
        description="d",
    )
    assert runtime.app is not None

    @runtime.app.get("/page", response_class=HTMLResponse)
    async def page() -> str:
        return "<p>xin chào</p>"

    return runtime.app


async def test_every_answer_carries_security_headers(tmp_path: Path) -> None:
    app = _service(tmp_path)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        answers = [
            await client.get(p) for p in ("/page", "/health/live", "/openapi.json", "/nowhere")
        ]
        docs = await client.get("/docs")
    for answer in [*answers, docs]:
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "strict-transport-security" not in answer.headers  # development: plain http
    assert "script-src 'self';" in answers[0].headers["content-security-policy"]
    # Swagger's inline start-up script must run.
    assert "'unsafe-inline'" in docs.headers["content-security-policy"].split("script-src")[1]


async def test_hsts_when_configured(tmp_path: Path) -> None:
    app = _service(tmp_path, hsts_seconds=600)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        answer = await client.get("/health/live")
    assert answer.headers["strict-transport-security"] == "max-age=600"


def test_hsts_defaults_to_one_year_in_production_only() -> None:
    assert hsts_seconds(None, "production") == 365 * 24 * 3600
    assert hsts_seconds(None, "development") == 0
    assert hsts_seconds(0, "production") == 0
