"""Each provider call is a span in the trace of the event that asked for the message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from motcua_testkit.notify import DOSSIER, Notify, drain, received
from notify.application.send_tracing import TRACER_NAME
from notify.domain.kinds import Channel
from notify.domain.retry import SendFailure
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """An exporter on the process's SDK provider (installed once if there is none yet)."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # later spans are no longer collected here


def _sends(exporter: InMemorySpanExporter) -> list:  # type: ignore[type-arg]
    return [
        s
        for s in exporter.get_finished_spans()
        if s.instrumentation_scope and s.instrumentation_scope.name == TRACER_NAME
    ]


async def test_each_send_is_a_child_span_of_the_events_trace(
    n: Notify, spans: InMemorySpanExporter
) -> None:
    n.providers[Channel.ZALO].always = SendFailure("zalo.400", permanent=True)
    root = trace.get_tracer("test").start_span("clerk request")
    with trace.use_span(root, end_on_exit=True):
        await n.deliver(received(), DOSSIER)
    await drain(n.runtime)
    failed, sent = _sends(spans)
    for span in (failed, sent):
        assert span.context.trace_id == root.context.trace_id
        assert span.parent is not None and span.kind is trace.SpanKind.CLIENT
    assert (
        dict(failed.attributes or {}).items()
        >= {
            "notification.channel": "zalo",
            "notification.provider": "fake_zalo",
            "notification.status": "failed",
            "notification.error_code": "zalo.400",
        }.items()
    )
    assert failed.status.status_code is StatusCode.ERROR
    assert (
        dict(sent.attributes or {}).items()
        >= {
            "notification.channel": "sms",
            "notification.provider": "fake_sms",
            "notification.status": "sent",
            "notification.kind": "receipt_confirmation",
        }.items()
    )
    assert sent.status.status_code is not StatusCode.ERROR
