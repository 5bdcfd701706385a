"""FastAPI glue: the one bearer dependency every service's routes use, and its 401/403 body."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from motcua_platform.auth.principal import AuthError, Principal, missing_token
from motcua_platform.auth.verifier import TokenVerifier

_bearer = HTTPBearer(auto_error=False, description="OpenID Connect access token (RS256)")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Reads `app.state.verifier`, set by the service's composition root."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise missing_token()
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(credentials.credentials.strip())
    # Every authenticated API is rate-limited per principal and per commune (429 before any
    # work of the route); `motcua_platform.rate_limit.install_api_rate_limits` sets it.
    limits: _Limits | None = getattr(request.app.state, "api_limits", None)
    if limits is not None:
        limits.admit(principal)
    return principal


class _Limits(Protocol):
    def admit(self, principal: Principal) -> None: ...


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def install_auth_errors(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(
            {"code": exc.code, "message": exc.message_vi, "field": None, "errors": []},
            status_code=exc.status,
            headers=headers,
        )
