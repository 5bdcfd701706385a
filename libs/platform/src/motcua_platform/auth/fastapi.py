"""FastAPI glue: a dependency that turns the Authorization header into a Principal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from motcua_platform.auth.principal import AuthError, Principal, missing_token


async def current_principal(request: Request) -> Principal:
    """Reads `app.state.verifier`, set by the service's composition root."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise missing_token()
    verify: Callable[[str], Awaitable[Principal]] = request.app.state.verifier.verify
    return await verify(token.strip())


def install_auth_errors(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(
            {"code": exc.code, "message": exc.message_vi, "field": None, "errors": []},
            status_code=exc.status,
            headers=headers,
        )
