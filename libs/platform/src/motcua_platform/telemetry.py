"""OpenTelemetry set-up and W3C trace-context propagation through message headers."""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def configure_tracing(
    service: str, *, otlp_endpoint: str | None, extra: SpanProcessor | None = None
) -> TracerProvider:
    """Off by default: spans are only exported when an OTLP endpoint is configured."""
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    if extra is not None:
        provider.add_span_processor(extra)
    return provider


def inject_headers(headers: dict[str, str]) -> dict[str, str]:
    """Adds `traceparent` (and `tracestate`) of the current span to outgoing headers."""
    propagate.inject(headers)
    return headers


def extract_context(headers: dict[str, str]) -> Context:
    """The caller's trace from the headers; without one, the current context (so a span
    started by an outer instrumentation stays the parent)."""
    return propagate.extract(headers, context=otel_context.get_current())


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)
