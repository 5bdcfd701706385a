"""Security headers on every answer of every service (API, HTML pages, Swagger, dashboard).

One plain ASGI middleware, installed by `runtime.build_service`. The content security policy
allows only the service's own scripts; inline styles stay allowed (receipts and the public
look-up carry their CSS inline, the dashboard sets bar widths), frames are refused. The
Swagger and ReDoc pages need their inline start-up script (and, when served from the CDN,
its assets): they get their own, looser policy. HSTS is sent only when configured (production
sets it by default): a development server on plain http must stay reachable.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motcua_platform.settings import ServiceSettings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_CDN}; "
    f"style-src 'self' 'unsafe-inline' {_CDN}; img-src 'self' data: https://fastapi.tiangolo.com; "
    f"font-src 'self' data: {_CDN}; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
ONE_YEAR = 365 * 24 * 3600


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts_seconds: int = 0) -> None:
        self.app = app
        fixed = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        if hsts_seconds > 0:
            fixed.append(("Strict-Transport-Security", f"max-age={hsts_seconds}"))
        self.fixed = fixed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        policy = DOCS_CSP if path.startswith(DOCS_PATHS) else CSP

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.fixed:
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, with_headers)


def hsts_seconds(configured: int | None, environment: str) -> int:
    """`configured` wins; otherwise one year in production, none elsewhere."""
    if configured is not None:
        return configured
    return ONE_YEAR if environment == "production" else 0


def install_security_headers(app: FastAPI, settings: ServiceSettings) -> None:
    app.add_middleware(
        SecurityHeaders, hsts_seconds=hsts_seconds(settings.hsts_seconds, settings.environment)
    )
