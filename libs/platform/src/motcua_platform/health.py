"""/health/live, /health/ready and /metrics, the same for every service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

ReadinessCheck = Callable[[], Awaitable[bool]]


def health_router(
    checks: Mapping[str, ReadinessCheck],
    *,
    optional: Callable[[], frozenset[str]] = frozenset,
) -> APIRouter:
    """`optional()` names checks that are reported but do not make the process unready.

    An API whose writes go to the outbox keeps serving while the broker is away, so only the
    roles that consume need the broker to be ready.
    """
    router = APIRouter(tags=["vận hành"])

    @router.get("/health/live", summary="Tiến trình còn sống")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="Sẵn sàng phục vụ (cơ sở dữ liệu, broker)")
    async def ready() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                results[name] = "ok" if await check() else "down"
            except Exception:
                results[name] = "down"
        skip = optional()
        healthy = all(v == "ok" for k, v in results.items() if k not in skip)
        return JSONResponse(
            {"status": "ok" if healthy else "down", "checks": results},
            status_code=200 if healthy else 503,
        )

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
