"""The provincial dashboard: one static page, its script and style, served by the service.

No CDN and no framework: it must load on a commune intranet with no internet access.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

STATIC = Path(__file__).resolve().parent.parent / "dashboard"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
PATH = "/bang-dieu-khien"

router = APIRouter(include_in_schema=False)


@cache
def _asset(name: str) -> bytes:
    return (STATIC / name).read_bytes()


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse(PATH, status_code=307)


@router.get(PATH)
async def page(request: Request) -> HTMLResponse:
    refresh = request.app.state.deps.settings.dashboard_refresh_seconds
    html = _asset("index.html").decode().replace("{{refresh_seconds}}", str(refresh))
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get(PATH + "/static/{name}")
async def asset(name: str) -> Response:
    suffix = Path(name).suffix
    if name not in {"app.js", "app.css"} or suffix not in _TYPES:
        raise HTTPException(404)
    return Response(
        _asset(name), media_type=_TYPES[suffix], headers={"Cache-Control": "max-age=3600"}
    )


def dashboard_url(base_url: str, token: str) -> str:
    """The URL the standalone launcher prints: the token rides in the fragment, never sent."""
    return f"{base_url.rstrip('/')}{PATH}#token={token}"
