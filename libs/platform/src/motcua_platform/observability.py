"""Request metrics, server spans and log context for every service's HTTP API.

Route labels use the route template, never the raw path, so label cardinality stays bounded.
A plain ASGI middleware: Starlette's `BaseHTTPMiddleware` runs every request in an extra task
with memory streams, which cost more than a small endpoint's own work.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from motcua_platform.inputs import method_label
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
# Headers the W3C trace-context and baggage propagators read.
_PROPAGATED = frozenset({b"traceparent", b"tracestate", b"baggage"})


class _Observe:
    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service
        self.tracer = trace.get_tracer(f"motcua.{service}.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = method_label(scope["method"])
        carrier = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope["headers"]
            if k in _PROPAGATED
        }
        context = extract_context(carrier) if carrier else otel_context.get_current()
        path_params: dict[str, Any] = scope.get("path_params") or {}
        status = 500  # unless the application starts a response

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with (
            bind_log_context(tenant=path_params.get("tenant_id")),
            self.tracer.start_as_current_span(
                f"HTTP {method}", context=context, kind=SpanKind.SERVER
            ) as span,
        ):
            try:
                await self.app(scope, receive, observed_send)
            finally:
                route = getattr(scope.get("route"), "path", _UNMATCHED)
                if span.is_recording():
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.request.method", method)
                    span.set_attribute("http.route", route)
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
                HTTP_DURATION.labels(self.service, method, route).observe(
                    time.perf_counter() - started
                )


def instrument_app(app: FastAPI, service: str) -> None:
    app.add_middleware(_Observe, service=service)
