"""Analytics on the platform's skeleton: its own request metrics, server spans, readiness that
does not need Kafka outside the consumer role, the platform's error bodies (issue 18)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
from analytics.bootstrap import AnalyticsRuntime
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

_FRESH_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    import httpx
    from analytics.bootstrap import build_runtime
    from analytics.settings import AnalyticsSettings

    async def main() -> None:
        settings = AnalyticsSettings(
            database_url="sqlite+aiosqlite:///" + sys.argv[1], environment="test",
            dev_keys_dir=sys.argv[2],
        )
        runtime = build_runtime(settings, gauges=False)
        await runtime.migrate()
        transport = httpx.ASGITransport(app=runtime.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as client:
            assert (await client.get("/api/v1/indicators")).status_code == 401
            print((await client.get("/metrics")).text)
        await runtime.close()

    asyncio.run(main())
    """
)


def test_analytics_counts_its_own_requests_in_a_process_of_its_own(tmp_path: Path) -> None:
    """Only analytics in the process: intake cannot have filled the registry for it."""
    done = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS, str(tmp_path / "a.db"), str(tmp_path / "keys")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if "motcua_http_requests_total{" in line]
    assert any(
        'route="/api/v1/indicators"' in line
        and 'service="analytics"' in line
        and 'status="401"' in line
        for line in lines
    ), lines
    assert any("motcua_http_request_duration_seconds_count{" in x for x in done.stdout.split())


def _exporter() -> InMemorySpanExporter:
    """On the process's SDK provider: OpenTelemetry lets a process set its provider once."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def test_every_request_has_a_server_span(client: httpx.AsyncClient) -> None:
    exporter = _exporter()
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    answer = await client.get("/api/v1/indicators", headers={"traceparent": parent})
    assert answer.status_code == 200
    spans = [
        s
        for s in exporter.get_finished_spans()
        if s.kind is SpanKind.SERVER and s.name == "GET /api/v1/indicators"
    ]
    assert len(spans) == 1, [s.name for s in exporter.get_finished_spans()]
    [span] = spans
    # the platform's middleware (the same span and attributes as every service), not another
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "motcua.analytics.http"
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/api/v1/indicators"
    assert span.attributes["http.response.status_code"] == 200
    assert span.context is not None
    assert format(span.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"


async def test_the_api_is_ready_without_kafka_the_consumer_is_not(
    runtime: AnalyticsRuntime,
) -> None:
    """Like every service: the API reads the database only; the consumer needs the broker."""
    assert runtime.app is not None and runtime.transport is None
    transport = httpx.ASGITransport(app=runtime.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://a") as client:
        runtime.roles = frozenset({"api"})
        api_only = await client.get("/health/ready")
        runtime.roles = frozenset({"api", "consumer"})
        consuming = await client.get("/health/ready")
    assert api_only.status_code == 200, api_only.text
    assert api_only.json()["checks"]["broker"] == "down"
    assert consuming.status_code == 503 and consuming.json()["checks"]["broker"] == "down"


async def test_errors_have_the_platforms_shape(client: httpx.AsyncClient) -> None:
    """An unknown route is the platform's JSON 404 (analytics answered Starlette's plain
    {"detail": ...} before), a reversed period keeps its own code and field."""
    missing = await client.get("/api/v1/khong-co")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "route.not_found",
        "message": "Không tìm thấy địa chỉ yêu cầu.",
        "field": None,
        "errors": [],
    }
    reversed_ = await client.get(
        "/api/v1/indicators", params={"from": "2026-03-10", "to": "2026-03-01"}
    )
    assert reversed_.status_code == 422
    body = reversed_.json()
    assert (body["code"], body["field"]) == ("query.period_reversed", "from")
    assert body["message"] == "Ngày bắt đầu phải trước ngày kết thúc."
