"""A span around each provider call, continuing the trace of the event that asked for the
message: the trace runs from the clerk's request through Kafka and notify's consumer out to
the notification provider (whose HTTP request carries the same `traceparent`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from motcua_platform.telemetry import extract_context, tracer
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from notify.application.ports import Claimed

TRACER_NAME = "motcua.notify.provider"


@contextmanager
def provider_span(c: Claimed, provider: str) -> Iterator[Span]:
    """`notify.send <channel>`; the caller records the outcome with `record_outcome`."""
    parent = extract_context(c.trace_context or {})
    with tracer(TRACER_NAME).start_as_current_span(
        f"notify.send {c.channel.value}",
        context=parent,
        kind=SpanKind.CLIENT,
        attributes={
            "notification.channel": c.channel.value,
            "notification.provider": provider,
            "notification.kind": c.kind,
            "notification.attempt": c.attempts,
            "motcua.tenant": c.tenant_id,
        },
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        yield span


def record_outcome(span: Span, status: str, error_code: str | None = None) -> None:
    span.set_attribute("notification.status", status)
    if error_code is not None:
        span.set_attribute("notification.error_code", error_code)
        span.set_status(Status(StatusCode.ERROR, error_code))
