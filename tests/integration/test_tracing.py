"""One connected trace: the clerk's HTTP request at intake, through the outbox row and Kafka
headers, into workflow's and notify's consumers, and out to the notification provider: a
real HTTP SMS gateway stand-in that receives the trace's `traceparent` (real Kafka and
PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from motcua_contracts.topics import Topics
from motcua_platform.messaging.kafka import make_broker
from motcua_platform.messaging.transport import KafkaTransport
from motcua_platform.runtime import ServiceRuntime
from motcua_testkit.notify import FakeContacts
from motcua_testkit.standins import GatewayStandIn, ThreadedServer
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from tests.support.dossiers import bearer, registration
from tests.support.servers import (
    create_database,
    drop_database,
    free_port,
    server_env,
    start_groups_at_end,
    unique,
)

pytestmark = pytest.mark.integration

EXPORTER = InMemorySpanExporter()


def _install_provider() -> None:
    """The exporter on the process's SDK provider: OpenTelemetry lets a process set its
    provider once, and an earlier test in the same run may have done so."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))


def _runtimes(urls: dict[str, str], bootstrap: str, run: str) -> dict[str, ServiceRuntime]:
    from intake.bootstrap import build_runtime as intake
    from intake.settings import IntakeSettings
    from notify.bootstrap import build_runtime as notify
    from notify.settings import NotifySettings
    from workflow.bootstrap import build_runtime as workflow
    from workflow.settings import WorkflowSettings

    common: dict[str, Any] = {"kafka_bootstrap": bootstrap, "environment": "test"}
    return {
        "intake": intake(IntakeSettings(database_url=urls["intake"], **common)),
        "workflow": workflow(
            WorkflowSettings(
                database_url=urls["workflow"], consumer_group=f"{run}-workflow", **common
            )
        ),
        "notify": notify(
            NotifySettings(
                database_url=urls["notify"],
                consumer_group=f"{run}-notify",
                dispatch_poll_seconds=0.05,
                gateway_hosts="127.0.0.1",  # the stand-in gateway
                **common,
            ),
            contacts=FakeContacts(),  # intake's contact endpoint is not served here
        ),
    }


@pytest.fixture
def gateway() -> Iterator[tuple[GatewayStandIn, str]]:
    """An SMS gateway on loopback, answering real HTTP."""
    standin = GatewayStandIn()
    server = ThreadedServer(standin.app, free_port()).start()
    try:
        yield standin, server.url
    finally:
        server.stop()


@pytest.fixture
async def services(
    gateway: tuple[GatewayStandIn, str],
) -> AsyncIterator[dict[str, ServiceRuntime]]:
    _install_provider()
    env = server_env()
    run = unique("trace")
    names = {s: f"{run}_{s}" for s in ("intake", "workflow", "notify")}
    await start_groups_at_end(env["MOTCUA_KAFKA_BOOTSTRAP"], [f"{run}-workflow", f"{run}-notify"])
    urls = {s: await create_database(env, n) for s, n in names.items()}
    runtimes = _runtimes(urls, env["MOTCUA_KAFKA_BOOTSTRAP"], run)
    transports = []
    try:
        for runtime in runtimes.values():
            await runtime.migrate()
            transport = KafkaTransport(make_broker(runtime.settings))
            runtime.wire(transport)
            await transport.start()
            runtime.start_background()
            transports.append(transport)
        yield runtimes
    finally:
        for runtime in runtimes.values():
            await runtime.stop_background()
        for transport in transports:
            await transport.stop()
        for runtime in runtimes.values():
            await runtime.close()
        for name in names.values():
            await drop_database(env, name)


async def _sms_settings(notify: ServiceRuntime, tenant: str, gateway: str) -> None:
    """The commune sends SMS through the stand-in at any hour (no quiet hours)."""
    from notify.adapters import store
    from notify.domain.tenant_settings import TenantSettings

    settings = TenantSettings.model_validate(
        {
            "unit_name_vi": "Xã Dấu Vết",
            "quiet_hours": {"start": "00:00", "end": "00:00"},
            "sms": {"url": f"{gateway}/sms"},
            "rules": [{"kind": "receipt_confirmation", "chain": ["sms", "letter"]}],
        }
    )
    async with notify.sessions() as session, session.begin():
        await store.save_settings(session, tenant, settings, by="test", now=datetime.now(UTC))


async def test_one_trace_spans_intake_workflow_and_notify(
    services: dict[str, ServiceRuntime], gateway: tuple[GatewayStandIn, str]
) -> None:
    tenant = unique("xa").replace("_", "-")
    await _sms_settings(services["notify"], tenant, gateway[1])
    app = services["intake"].app
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        onboarded = await c.put(
            f"/api/v1/tenants/{tenant}",
            json={"name_vi": "Xã Dấu Vết", "unit_type": "xa", "agency_code": "000.77.77.H50"},
            headers=bearer("operator", None),
        )
        assert onboarded.status_code in (200, 201), onboarded.text
        EXPORTER.clear()
        posted = await c.post(
            f"/api/v1/communes/{tenant}/dossiers",
            json=registration(),
            headers=bearer("clerk", tenant),
        )
        assert posted.status_code == 201, posted.text

    request_span = next(
        s
        for s in EXPORTER.get_finished_spans()
        if s.name == "POST /api/v1/communes/{tenant_id}/dossiers"
    )
    trace_id = request_span.context.trace_id
    wanted = {"motcua.workflow.consumer", "motcua.notify.consumer", "motcua.notify.provider"}
    deadline = time.monotonic() + 60
    found: dict[str, Any] = {}
    while time.monotonic() < deadline and set(found) != wanted:
        for span in EXPORTER.get_finished_spans():
            scope = span.instrumentation_scope.name if span.instrumentation_scope else ""
            if scope in wanted and span.context.trace_id == trace_id:
                found.setdefault(scope, span)
        await asyncio.sleep(0.2)
    assert set(found) == wanted, f"consumer spans in the request's trace: {sorted(found)}"
    request_spans = {
        s.context.span_id for s in EXPORTER.get_finished_spans() if s.context.trace_id == trace_id
    }
    send = found.pop("motcua.notify.provider")
    for span in found.values():
        # The consumer continues the span that wrote the outbox row, inside the clerk's request.
        assert span.parent is not None
        assert span.parent.span_id in request_spans
        assert "DossierReceived" in span.name
    # The send, later and in another task, continues notify's consumer span.
    assert send.parent is not None
    assert send.parent.span_id == found["motcua.notify.consumer"].context.span_id
    assert (
        dict(send.attributes or {}).items()
        >= {
            "notification.channel": "sms",
            "notification.provider": "sms_http",
            "notification.status": "sent",
        }.items()
    )
    # The consumers' own lag gauge, fed by the real Kafka consumer: nothing left behind.
    for name in ("workflow", "notify"):
        labels = {
            "service": name,
            "group": services[name].settings.consumer_group,
            "topic": Topics.DOSSIERS,
        }
        async with asyncio.timeout(30):
            while REGISTRY.get_sample_value("motcua_consumer_lag_messages", labels) != 0:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
    # ...and out of the process: the gateway got the send span's traceparent.
    [request] = gateway[0].seen("sms")
    assert request.traceparent is not None
    _, trace_hex, parent_hex, _ = request.traceparent.split("-")
    assert (int(trace_hex, 16), int(parent_hex, 16)) == (trace_id, send.context.span_id)
