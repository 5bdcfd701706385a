"""Request metrics, server spans and log context for every service's HTTP API.

Route labels use the route template, never the raw path, so label cardinality stays bounded.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Counter, Histogram

from motcua_platform.logcontext import bind_log_context
from motcua_platform.telemetry import extract_context

HTTP_REQUESTS = Counter(
    "motcua_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "motcua_http_request_duration_seconds",
    "HTTP request duration",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
_UNMATCHED = "unmatched"


def instrument_app(app: FastAPI, service: str) -> None:
    tracer = trace.get_tracer(f"motcua.{service}.http")

    @app.middleware("http")
    async def _observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        context = extract_context(dict(request.headers))
        tenant = request.path_params.get("tenant_id") if request.path_params else None
        with (
            bind_log_context(tenant=tenant),
            tracer.start_as_current_span(
                f"HTTP {request.method}", context=context, kind=SpanKind.SERVER
            ) as span,
        ):
            response = await call_next(request)
            route = getattr(request.scope.get("route"), "path", _UNMATCHED)
            span.update_name(f"{request.method} {route}")
            span.set_attribute("http.request.method", request.method)
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
        HTTP_REQUESTS.labels(service, request.method, route, str(response.status_code)).inc()
        HTTP_DURATION.labels(service, request.method, route).observe(time.perf_counter() - started)
        return response
