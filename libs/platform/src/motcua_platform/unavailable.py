"""HTTP side of infrastructure faults: the database or broker away answers 503 with
`Retry-After` and the standard error body (machine code + Vietnamese message), never a bare
500. Installed on every service by the shared app builder (`runtime.build_service`)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from motcua_platform.errors import error_body
from motcua_platform.faults import FailureKind, classify
from motcua_platform.logs import summarised

log = logging.getLogger(__name__)

UNAVAILABLE_CODE = "service.unavailable"
UNAVAILABLE_VI = (
    "Hệ thống tạm thời không truy cập được cơ sở dữ liệu hoặc hàng đợi sự kiện. "
    "Vui lòng thử lại sau ít phút."
)

# The classes a transient fault arrives as; the classifier decides (a non-transient one of them
# is re-raised: a genuine bug stays a 500).
_CANDIDATES: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
    OSError,
)


def install_unavailable_handler(app: FastAPI, *, retry_after_seconds: int = 5) -> None:
    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        if classify(exc) is not FailureKind.TRANSIENT:
            raise exc
        summarised(log, "http.unavailable", exc)
        return JSONResponse(
            error_body(UNAVAILABLE_CODE, UNAVAILABLE_VI),
            status_code=503,
            headers={"Retry-After": str(retry_after_seconds)},
        )

    for cls in _CANDIDATES:
        app.add_exception_handler(cls, _unavailable)
    try:
        from aiokafka.errors import KafkaError
    except ImportError:  # pragma: no cover
        return
    app.add_exception_handler(KafkaError, _unavailable)
