"""FastAPI glue: the one bearer dependency every service's routes use, and its 401/403 body."""

from __future__ import annotations

from typing import Annotated

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
    return await verifier.verify(credentials.credentials.strip())


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
