"""The batch path: the decoder's checks, offsets stored with the batch, poison set aside."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections import Counter
from collections.abc import Sequence

import pytest
from aiokafka.structs import ConsumerRecord
from analytics.adapters.batch_projector import AheadFailed, BatchProjector
from analytics.adapters.offsets import applied_offsets
from analytics.adapters.tables import daily_indicators, dossier_facts, monthly_indicators
from analytics.adapters.working_time import CalendarWorkingTime
from analytics.application.decode import Undecodable, decode_event
from analytics.bootstrap import AnalyticsRuntime
from motcua_contracts.codec import encode
from motcua_platform.messaging.types import OutboundMessage
from motcua_testkit.analytics import reference_month
from sqlalchemy import func, select

from .conftest import A, B

TOPIC = "motcua.dossiers.v1"


class Sink:
    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    async def publish_many(self, messages: Sequence[OutboundMessage]) -> None:
        self.sent.extend(messages)


def record(offset: int, value: bytes, event_type: str | None) -> ConsumerRecord[bytes, bytes]:
    headers = [("ce_type", event_type.encode())] if event_type else []
    return ConsumerRecord(TOPIC, 0, offset, 0, 0, b"k", value, None, 1, len(value), headers)


def received_envelope() -> dict:  # type: ignore[type-arg]
    envelope = reference_month(A, B).envelopes[2]
    assert envelope.event_type == "DossierReceived"
    return json.loads(encode(envelope).value)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("payload", "received_at"), "2026-03-02T08:00:00", "timezone.*received_at"),
        (("payload", "channel"), "fax", "Invalid enum value 'fax'.*channel"),
        (("payload", "procedure_code"), 7, "Expected `str`, got `int`.*procedure_code"),
        (("payload", "dossier_code"), "", "length >= 1.*dossier_code"),
        (("schema_version",), 2, "contract: Invalid enum value 2.*schema_version"),
        (("aggregate_version",), 0, "contract: Expected `int` >= 1.*aggregate_version"),
        (("dossier_id",), None, "contract: Expected `str`, got `null`.*dossier_id"),
        (("dossier_id",), "", "contract: Expected `str` of length >= 1.*dossier_id"),
        (("event_type",), "DossierRefused", "missing required field `refused_at`"),
        (("payload",), [1, 2], "contract: Expected `object`, got `array`.*payload"),
    ],
)
def test_the_decoder_refuses_what_the_projection_could_not_use(
    path: tuple[str, ...], value: object, message: str
) -> None:
    envelope = received_envelope()
    target = envelope
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(Undecodable, match=message):
        decode_event(json.dumps(envelope).encode())


def test_the_decoder_reads_what_the_handlers_need() -> None:
    envelope = received_envelope()
    event = decode_event(json.dumps(envelope).encode())
    assert event.payload.received_at.tzinfo is not None
    assert type(event.payload.channel) is str  # stored as it came, not as an enum member
    assert event.payload.channel in {"counter", "postal", "online"}
    assert event.aggregate_version == 1 and event.dossier_id == envelope["dossier_id"]
    del envelope["payload"]["due_at"]
    with pytest.raises(Undecodable, match="missing required field `due_at`"):
        decode_event(json.dumps(envelope).encode())
    for garbage in (b"{nope", b"\xff\xfe", json.dumps(envelope).encode() + b" x"):
        with pytest.raises(Undecodable, match="not JSON"):
            decode_event(garbage)


async def _state(rt: AnalyticsRuntime) -> tuple[list, list, list]:  # type: ignore[type-arg]
    async with rt.sessions() as session:
        return (
            list((await session.execute(select(dossier_facts).order_by("dossier_id"))).all()),
            list((await session.execute(select(daily_indicators).order_by("day"))).all()),
            list((await session.execute(select(monthly_indicators).order_by("month"))).all()),
        )


async def test_a_redelivered_batch_is_skipped_and_poison_is_dead_lettered(
    runtime: AnalyticsRuntime,
) -> None:
    sink = Sink()
    projector = BatchProjector(
        service="analytics",
        group="g1",
        sessions=runtime.sessions,
        working_time=CalendarWorkingTime(),
        dead_letters=sink,
        max_attempts=1,
    )
    wires = [encode(e) for e in reference_month(A, B).envelopes]
    records = [record(i, w.value, w.headers["ce_type"]) for i, w in enumerate(wires)]
    records.append(record(len(records), b"{broken", "DossierReceived"))
    records.append(record(len(records), b"{}", None))  # no type: not ours, ignored
    assert await projector.handle(records) == len(wires)
    assert [m.headers["dlq_source_offset"] for m in sink.sent] == [str(len(wires))]
    assert sink.sent[0].topic == f"{TOPIC}.dlq.g1"
    first = await _state(runtime)
    async with runtime.sessions() as session:
        assert await applied_offsets(session, "g1") == {(TOPIC, 0): len(records)}
        assert await session.scalar(select(func.count()).select_from(dossier_facts)) == 11

    # the same records again (the process died before Kafka's commit): nothing changes
    prepared = projector.prepare(records[:-2])
    assert await projector.apply(prepared) == len(wires)
    assert await _state(runtime) == first
    # proof that the offsets decide, not only the idempotent projection: a record at an
    # applied offset is skipped even with other content; a fresh group applies it
    changed = received_envelope()
    changed["payload"]["procedure_code"] = "2.000815"
    changed["aggregate_version"] = 9
    index = next(i for i, w in enumerate(wires) if w.headers["ce_type"] == "DossierReceived")
    altered = record(index, json.dumps(changed).encode(), "DossierReceived")
    await projector.handle([altered])
    assert await _state(runtime) == first
    fresh = BatchProjector(
        service="analytics",
        group="g2",
        sessions=runtime.sessions,
        working_time=CalendarWorkingTime(),
        dead_letters=sink,
    )
    await fresh.handle([altered])
    facts, _, _ = await _state(runtime)
    assert "2.000815" in {f.procedure_code for f in facts}


def test_a_record_whose_header_and_body_disagree_is_poison() -> None:
    envelope = received_envelope()
    value = json.dumps(envelope).encode()
    prepared = BatchProjector.prepare(
        [record(0, value, "DossierReceived"), record(1, value, "DossierRefused")]
    )
    assert [r.offset for _, r in prepared.items] == [0]
    [(poisoned, reason)] = prepared.poison
    assert poisoned.offset == 1 and "event_type" in reason
    assert prepared.starts == {(TOPIC, 0): 0} and prepared.ends == {(TOPIC, 0): 2}


async def test_a_batch_behind_one_that_failed_commits_nothing(runtime: AnalyticsRuntime) -> None:
    """Offsets are stored as the end of the last batch: had the batch behind committed, the
    failed batch's events would count as applied when Kafka delivers them again."""

    class KafkaDown:
        async def publish_many(self, messages: Sequence[OutboundMessage]) -> None:
            raise ConnectionError("Kafka không trả lời")

    projector = BatchProjector(
        service="analytics",
        group="g3",
        sessions=runtime.sessions,
        working_time=CalendarWorkingTime(),
        dead_letters=KafkaDown(),
        max_attempts=1,
    )
    wires = [encode(e) for e in reference_month(A, B).envelopes]
    records = [record(i + 1, w.value, w.headers["ce_type"]) for i, w in enumerate(wires)]
    first = [record(0, b"{broken", "DossierReceived"), *records[:10]]  # poison: not sent
    ahead = asyncio.create_task(projector.apply(projector.prepare(first)))
    behind = asyncio.create_task(projector.apply(projector.prepare(records[10:])))
    with pytest.raises(ConnectionError):
        await ahead
    with pytest.raises(AheadFailed):
        await behind
    async with runtime.sessions() as session:
        assert await applied_offsets(session, "g3") == {}
        assert await session.scalar(select(func.count()).select_from(dossier_facts)) == 0


async def test_a_database_outage_stalls_the_projection_and_dead_letters_nothing(
    runtime: AnalyticsRuntime,
) -> None:
    from motcua_platform.faults import STALLED, RetryPolicy
    from sqlalchemy import exc as sa_exc

    left = {"n": 15}  # max_attempts is 1: the old rule dead-lettered every event here

    def sessions():  # type: ignore[no-untyped-def]
        if left["n"] > 0:
            left["n"] -= 1
            raise sa_exc.OperationalError("BEGIN", {}, ConnectionRefusedError("refused"))
        return runtime.sessions()

    sink = Sink()
    projector = BatchProjector(
        service="analytics",
        group="g-outage",
        sessions=sessions,  # type: ignore[arg-type]
        working_time=CalendarWorkingTime(),
        dead_letters=sink,
        max_attempts=1,
    )
    projector.retry_policy = RetryPolicy(base_seconds=0.001, cap_seconds=0.002)
    gauge = STALLED.labels("analytics", "g-outage-batch")
    seen: list[float] = []

    async def watch() -> None:
        while True:
            seen.append(gauge._value.get())
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    wires = [encode(e) for e in reference_month(A, B).envelopes]
    records = [record(i, w.value, w.headers["ce_type"]) for i, w in enumerate(wires)]
    try:
        async with asyncio.timeout(30):
            assert await projector.handle(records) == len(wires)
    finally:
        watcher.cancel()
    assert sink.sent == []
    assert 1.0 in seen and gauge._value.get() == 0.0
    async with runtime.sessions() as session:
        assert await applied_offsets(session, "g-outage") == {(TOPIC, 0): len(wires)}


def _tenant_envelope(version: int) -> dict:  # type: ignore[type-arg]
    scenario = reference_month(A, B)
    envelope = next(e for e in scenario.envelopes if e.event_type == "TenantConfigured")
    body = json.loads(encode(envelope).value)
    body["schema_version"] = version
    if version == 2:  # what intake publishes since the duty roster
        body["payload"]["duty_roster"] = {"weekdays": [], "dates": []}
    return body


@pytest.mark.parametrize("version", [1, 2])
def test_a_tenant_snapshot_of_either_version_is_projected(version: int) -> None:
    # v2 (the duty roster) used to be dead-lettered: the onboarded communes never showed.
    event = decode_event(json.dumps(_tenant_envelope(version)).encode())
    assert event.event_type == "TenantConfigured" and event.payload.tenant_id


def test_a_tenant_snapshot_of_an_unknown_version_is_poison() -> None:
    with pytest.raises(Undecodable, match="TenantConfigured v3"):
        decode_event(json.dumps(_tenant_envelope(3)).encode())


def test_the_decoder_reads_both_versions_of_the_apology() -> None:
    from datetime import datetime, timedelta, timezone

    from motcua_contracts.envelope import EventEnvelope
    from motcua_contracts.events import clock_v1, clock_v2

    vn = timezone(timedelta(hours=7))
    common = {
        "dossier_code": "000.21.31.H50-260213-0001",
        "issued_at": datetime(2026, 5, 4, 10, tzinfo=vn),
        "issued_by": "lanh-dao-1",
        "reason_code": clock_v1.ApologyReason.WORKLOAD,
        "old_due_at": datetime(2026, 5, 5, 17, tzinfo=vn),
        "new_due_at": datetime(2026, 5, 8, 17, tzinfo=vn),
        "late": True,
    }
    payloads = {
        1: clock_v1.ApologyIssued(**common),
        2: clock_v2.ApologyIssued(**common, reason_vi="Chờ xác minh tại bản"),
    }
    for version, payload in payloads.items():
        envelope = EventEnvelope(
            event_type="ApologyIssued",
            schema_version=version,
            occurred_at=common["issued_at"],
            tenant_id=A,
            dossier_id="d-1",
            aggregate_version=3,
            producer="workflow",
            payload=payload.model_dump(mode="json"),
        )
        raw = encode(envelope).value
        event = decode_event(raw)
        assert event.payload.late is True and event.payload.new_due_at == common["new_due_at"]
    unknown = json.loads(raw)
    unknown["schema_version"] = 3
    with pytest.raises(Undecodable, match="schema_version"):
        decode_event(json.dumps(unknown).encode())


def test_the_decoder_reads_both_versions_of_the_supplement_request() -> None:
    """v2 carries the count of missing items instead of the clerk's text (issue 17)."""
    from datetime import datetime, timedelta, timezone

    from motcua_contracts.envelope import EventEnvelope
    from motcua_contracts.events import dossiers_v1, dossiers_v2

    at = datetime(2026, 2, 13, 9, tzinfo=timezone(timedelta(hours=7)))
    payloads = {
        1: dossiers_v1.SupplementRequested(
            dossier_code="c-1", requested_at=at, missing_items=["Tờ khai"]
        ),
        2: dossiers_v2.SupplementRequested(dossier_code="c-1", requested_at=at, missing_count=1),
    }
    for version, payload in payloads.items():
        envelope = EventEnvelope(
            event_type="SupplementRequested",
            schema_version=version,
            occurred_at=at,
            tenant_id=A,
            dossier_id="d-1",
            aggregate_version=2,
            producer="intake",
            payload=payload.model_dump(mode="json"),
        )
        event = decode_event(encode(envelope).value)
        assert event.payload.requested_at == at


class _Failing:
    """project_events, but the events of one dossier fail with `error`; counts the calls."""

    def __init__(self, dossier_id: str, error: Exception) -> None:
        from analytics.adapters import batch_projector

        self.real = batch_projector.project_events
        self.dossier_id, self.error = dossier_id, error
        self.sizes: list[int] = []

    async def __call__(self, store, events, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.sizes.append(len(events))
        if any(e.dossier_id == self.dossier_id for e in events):
            raise self.error
        return await self.real(store, events, *args, **kwargs)


def _traced_records() -> list[ConsumerRecord[bytes, bytes]]:
    wires = [encode(e) for e in reference_month(A, B).envelopes]
    out = []
    for i, w in enumerate(wires):
        parent = f"00-{i + 1:032x}-{i + 1:016x}-01"
        headers = [("ce_type", w.headers["ce_type"].encode()), ("traceparent", parent.encode())]
        out.append(ConsumerRecord(TOPIC, 0, i, 0, 0, b"k", w.value, None, 1, 1, headers))
    return out


def _poisoned(records: list[ConsumerRecord[bytes, bytes]]) -> tuple[str, int]:
    """A dossier of the batch with exactly one event (so one dead letter), and its offset."""
    prepared = BatchProjector.prepare(records)
    by_dossier = Counter(e.dossier_id for e, _ in prepared.items if e.dossier_id)
    event, rec = next((e, r) for e, r in prepared.items if by_dossier[e.dossier_id] == 1)
    assert event.dossier_id is not None
    return event.dossier_id, rec.offset


def _projector(runtime: AnalyticsRuntime, sink: Sink, group: str) -> BatchProjector:
    from motcua_platform.faults import RetryPolicy

    projector = BatchProjector(
        service="analytics",
        group=group,
        sessions=runtime.sessions,
        working_time=CalendarWorkingTime(),
        dead_letters=sink,
        max_attempts=5,
    )
    projector.retry_policy = RetryPolicy(base_seconds=0.001, cap_seconds=0.002)
    return projector


async def test_a_poison_event_is_dead_lettered_at_once_by_the_platforms_classification(
    runtime: AnalyticsRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A permanent failure (here the platform's PermanentError) is not retried: the batch
    goes one by one after its first attempt and the event is dead-lettered as permanent
    (it used to spend the 5 attempts, with backoff, on the whole batch first)."""
    from analytics.adapters import batch_projector
    from motcua_platform.faults import PermanentError

    records = _traced_records()
    dossier, offset = _poisoned(records)
    failing = _Failing(dossier, PermanentError("hồ sơ không hợp lệ"))
    monkeypatch.setattr(batch_projector, "project_events", failing)
    sink = Sink()
    assert await _projector(runtime, sink, "g-poison").handle(records) == len(records)
    assert failing.sizes[0] == len(records) and failing.sizes[1:] == [1] * len(records)
    [letter] = sink.sent
    assert letter.topic == f"{TOPIC}.dlq.g-poison"
    assert letter.headers["dlq_reason"].startswith("permanent: PermanentError")
    assert letter.headers["dlq_source_offset"] == str(offset)
    assert letter.headers["dlq_consumer"] == "g-poison"
    assert letter.headers["traceparent"] == f"00-{offset + 1:032x}-{offset + 1:016x}-01"
    async with runtime.sessions() as session:
        assert await applied_offsets(session, "g-poison") == {(TOPIC, 0): len(records)}
        facts = set(await session.scalars(select(dossier_facts.c.dossier_id)))
    assert dossier not in facts and len(facts) == 10


async def test_an_unknown_failure_has_its_attempts_then_is_dead_lettered(
    runtime: AnalyticsRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analytics.adapters import batch_projector

    records = _traced_records()
    dossier, _ = _poisoned(records)
    failing = _Failing(dossier, RuntimeError("lỗi lập trình"))
    monkeypatch.setattr(batch_projector, "project_events", failing)
    sink = Sink()
    assert await _projector(runtime, sink, "g-bug").handle(records) == len(records)
    batch_runs = [n for n in failing.sizes if n == len(records)]
    assert len(batch_runs) == 5  # max_attempts for the batch, then the events alone
    [letter] = sink.sent
    assert letter.headers["dlq_reason"].startswith("after 6 attempts: RuntimeError")


async def test_batches_and_events_alone_have_consumer_spans(
    runtime: AnalyticsRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analytics.adapters import batch_projector
    from motcua_platform.faults import PermanentError
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind, StatusCode

    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    records = _traced_records()
    await _projector(runtime, Sink(), "g-spans").handle(records)
    [batch] = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CONSUMER]
    assert batch.name == f"consume {TOPIC}"
    assert batch.attributes is not None
    assert batch.attributes["messaging.batch.message_count"] == len(records)
    assert batch.attributes["messaging.consumer.group.name"] == "g-spans"
    assert {link.context.trace_id for link in batch.links} == set(range(1, len(records) + 1))

    exporter.clear()
    more = [dataclasses.replace(r, offset=r.offset + len(records)) for r in _traced_records()]
    dossier, offset = _poisoned(more)
    monkeypatch.setattr(batch_projector, "project_events", _Failing(dossier, PermanentError("x")))
    await _projector(runtime, Sink(), "g-spans").handle(more)
    alone = [
        s
        for s in exporter.get_finished_spans()
        if s.kind is SpanKind.CONSUMER and s.name != f"consume {TOPIC}"
    ]
    assert len(alone) == len(more)  # the one-by-one path: one span per event
    [failed] = [s for s in alone if s.status.status_code is StatusCode.ERROR]
    assert failed.context is not None and failed.parent is not None
    # it continues the producer's trace, carried by the record's traceparent
    assert failed.context.trace_id == offset - len(records) + 1
    assert failed.attributes is not None
    assert failed.attributes["messaging.consumer.group.name"] == "g-spans"
