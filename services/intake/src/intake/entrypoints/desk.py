"""The desk web app at /ban-tiep-nhan/: one HTML page, plain ES modules and a style sheet.

No build step and no CDN: the files are in the package (intake/desk/) and served as they are.
The page signs in with OIDC (authorisation code + PKCE, in the browser) in production; outside
production, `POST /ban-tiep-nhan/dev-token` gives the development token of a pilot role, the
same one `motcua-intake dev-token` prints. None of these routes is in the OpenAPI: they are a
page, its files and a development aid, not the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from motcua_platform.auth.roles import Role
from motcua_platform.security_headers import CSP
from pydantic import BaseModel, ConfigDict, Field

from intake.adapters import tenant_repo
from intake.domain.errors import NotFound
from intake.domain.tenants import RECEIVING, TenantStatus
from intake.settings import IntakeSettings

ASSETS = Path(__file__).resolve().parents[1] / "desk"
BASE = "/ban-tiep-nhan"
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# Files change with the package: revalidate, but a slow link keeps them an hour.
_CACHE = "public, max-age=3600, must-revalidate"


class DevTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal[Role.CLERK, Role.LEADER]
    tenant_id: str = Field(min_length=1, max_length=64)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def page_policy(settings: IntakeSettings) -> str:
    """The platform's policy, with the issuer (OIDC discovery, token) and the other services
    the page calls added to connect-src."""
    extra = {
        _origin(u)
        for u in (settings.desk_workflow_url, settings.desk_notify_url, settings.jwt_issuer or "")
    }
    extra.discard("")
    if not extra:
        return CSP
    return CSP.replace("connect-src 'self'", "connect-src 'self' " + " ".join(sorted(extra)))


def desk_router(settings: IntakeSettings) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    development = settings.environment != "production"
    policy = page_policy(settings)

    @router.get("/")
    async def root() -> Response:
        return RedirectResponse(f"{BASE}/", status_code=307)

    @router.get(BASE)
    async def without_slash() -> Response:
        return RedirectResponse(f"{BASE}/", status_code=307)

    @router.get(f"{BASE}/")
    async def page() -> Response:
        return FileResponse(
            ASSETS / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": policy, "Cache-Control": "no-cache"},
        )

    @router.get(f"{BASE}/static/{{name}}")
    async def asset(name: str) -> Response:
        path = ASSETS / name
        # Only the package's own files, by plain name: no directories, no dot files.
        if "/" in name or name.startswith(".") or path.suffix not in _TYPES or not path.is_file():
            raise NotFound("desk.asset_unknown", "Không có tệp này trong ứng dụng bàn tiếp nhận.")
        return FileResponse(path, media_type=_TYPES[path.suffix], headers={"Cache-Control": _CACHE})

    @router.get(f"{BASE}/cau-hinh")
    async def config(request: Request) -> Response:
        """How to sign in and where the other services are; outside production, the communes
        whose development tokens the page offers."""
        body: dict[str, object] = {
            "sign_in": "dev" if development else "oidc",
            "issuer": settings.jwt_issuer,
            "client_id": settings.desk_oidc_client_id,
            "workflow_url": settings.desk_workflow_url.rstrip("/"),
            "notify_url": settings.desk_notify_url.rstrip("/"),
            "communes": [],
        }
        if development:
            async with request.app.state.deps.sessions() as session:
                rows = await tenant_repo.list_tenants(session)
            body["communes"] = [
                {"tenant_id": t.tenant_id, "name_vi": t.name_vi}
                for t in rows
                if TenantStatus(t.status) in RECEIVING  # a merged unit takes no dossiers
            ]
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @router.post(f"{BASE}/dev-token")
    async def dev_token(body: DevTokenIn) -> Response:
        if not development:
            raise NotFound(
                "desk.dev_token_disabled", "Môi trường vận hành chỉ đăng nhập qua cổng định danh."
            )
        from intake.auth.dev_tokens import mint

        token = mint(
            body.role,
            body.tenant_id,
            subject=f"demo-{body.role}-{body.tenant_id}",
            keys_dir=settings.dev_keys_dir,
        )
        return JSONResponse({"access_token": token}, headers={"Cache-Control": "no-store"})

    return router
