"""Workflow's durable timers on the real Kafka and PostgreSQL: two replicas, one killed in
the middle of a firing transaction; every due timer fires exactly once; then a replay of
the topics into an empty database gives the same state and fires nothing again."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from motcua_clock import VN_TZ
from motcua_contracts.codec import decode, encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.topics import Topics
from motcua_platform.auth import dev_tokens
from motcua_testkit.workflow import Dossier, make_harness, state_of, tenant_configured
from sqlalchemy import func, select
from workflow.adapters.tables import dossier_clocks, timers, wf_tenants
from workflow.bootstrap import build_runtime
from workflow.settings import WorkflowSettings

from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    server_env,
    unique,
)

pytestmark = pytest.mark.integration

# Service time when the fixture starts: a Tuesday afternoon. A same-day procedure received
# at 10:00 + x s reaches 50% of its time at 14:30:00 + x/2 s, so the dossiers below make a
# stream of firings about 20-45 s after the start, after a first batch (their first step).
SERVICE_START = datetime(2026, 5, 12, 14, 29, 35, tzinfo=VN_TZ)
DOSSIERS = 40
FIRING_KINDS = {"ThresholdReached", "StepOverdue", "ApologyDue", "DeadlineBreached"}


@dataclass
class Run:
    env: dict[str, str]
    name: str
    database_url: str
    tenant: str
    group: str
    offset: float
    keys: Path
    logs: Path
    bootstrap: str

    def service_now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def replica(self) -> ServiceProcess:
        p = "MOTCUA_WORKFLOW_"
        return ServiceProcess(
            "workflow",
            {
                f"{p}DATABASE_URL": self.database_url,
                f"{p}KAFKA_BOOTSTRAP": self.bootstrap,
                f"{p}CONSUMER_GROUP": self.group,
                f"{p}ENVIRONMENT": "test",
                f"{p}CLOCK_OFFSET_SECONDS": str(self.offset),
                f"{p}DEV_KEYS_DIR": str(self.keys),
                f"{p}TIMER_BATCH_SIZE": "8",
                f"{p}TIMER_TEST_DELAY_SECONDS": "1.0",
                f"{p}LOG_LEVEL": "INFO",
            },
            "consumer,timers,relay",
        )


async def _partitions(bootstrap: str, topics: tuple[str, ...]) -> list[TopicPartition]:
    """Creates missing topics (as auto-creation would) and lists their partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        with contextlib.suppress(Exception):
            await admin.create_topics(
                [NewTopic(t, num_partitions=6, replication_factor=1) for t in topics]
            )
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]


async def _start_group_at_the_end(bootstrap: str, group: str) -> None:
    """The topics hold other runs' events: this group starts after them."""
    parts = await _partitions(bootstrap, Topics.ALL)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        await consumer.commit(dict(ends.items()))
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    env = server_env()
    name = unique("itwf")
    tmp = tmp_path_factory.mktemp("workflow")
    url = asyncio.run(create_database(env, name))
    offset = (SERVICE_START - datetime.now(UTC)).total_seconds()
    r = Run(
        env,
        name,
        url,
        f"xa-{name[-8:]}",
        f"it-wf-{name}",
        offset,
        dev_tokens.ensure_keys(tmp / "keys"),
        tmp,
        env["MOTCUA_KAFKA_BOOTSTRAP"],
    )

    async def prepare() -> None:
        runtime = build_runtime(
            WorkflowSettings(database_url=url, environment="test", dev_keys_dir=str(r.keys))
        )
        await runtime.migrate()  # once, before two replicas start
        await runtime.close()
        await _start_group_at_the_end(r.bootstrap, r.group)

    asyncio.run(prepare())
    try:
        yield r
    finally:
        asyncio.run(drop_database(env, name))


async def _produce(bootstrap: str, envelopes: list[EventEnvelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for envelope in envelopes:
            wire = encode(envelope)
            await producer.send_and_wait(
                wire.topic,
                wire.value,
                key=wire.key.encode(),
                # As the relay sends them: raw bytes, not JSON for FastStream to decode.
                headers=[
                    ("content-type", b""),
                    *((k, v.encode()) for k, v in wire.headers.items()),
                ],
            )
    finally:
        await producer.stop()


def values(records: list[Any]) -> list[bytes]:
    return [r.value for r in records]


async def _records(bootstrap: str, tenant: str, topics: tuple[str, ...]) -> list[Any]:
    """Every record of this commune on `topics`, from the beginning, in partition order."""
    parts = await _partitions(bootstrap, topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        found = []
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    if headers.get("motcua_tenant") == tenant:
                        found.append(record)
        return found
    finally:
        await consumer.stop()


@contextlib.asynccontextmanager
async def _database(url: str) -> AsyncIterator[Any]:
    runtime = build_runtime(WorkflowSettings(database_url=url, environment="test"))
    try:
        yield runtime
    finally:
        await runtime.close()


async def _wait(predicate: Any, seconds: float, what: str) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not await predicate():  # noqa: ASYNC110 - polling other processes
                await asyncio.sleep(0.25)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def test_two_replicas_fire_each_timer_exactly_once_across_a_kill(run: Run) -> None:
    a, b = run.replica(), run.replica()
    a.start(run.logs)
    b.start(run.logs)
    try:
        day = SERVICE_START.date()
        envelopes = [tenant_configured(run.tenant, at=run.service_now())]
        for i in range(DOSSIERS):
            d = Dossier(run.tenant, code=f"000.99.97.H50-260512-{i:04d}")
            received = datetime(day.year, day.month, day.day, 10, 0, tzinfo=VN_TZ)
            envelopes.append(
                d.received(received + timedelta(seconds=2 + 1.2 * i), procedure="2.000884")
            )
        await _produce(run.bootstrap, envelopes)
        async with _database(run.database_url) as db:

            async def all_known() -> bool:
                async with db.sessions() as s:
                    n = await s.scalar(
                        select(func.count())
                        .select_from(dossier_clocks)
                        .where(dossier_clocks.c.tenant_id == run.tenant)
                    )
                return n == DOSSIERS

            await _wait(all_known, 60, "both replicas to track every dossier")

            # Kill replica A while it holds a claimed batch open (SIGKILL: no clean-up).
            assert a.log_path is not None

            def last_word(process: ServiceProcess) -> str:
                assert process.log_path is not None
                said = [ln for ln in process.log_path.read_text().splitlines() if "timers " in ln]
                return said[-1] if said else ""

            async def a_in_batch() -> bool:
                return "timers claimed" in last_word(a)

            await _wait(a_in_batch, 60, "replica A to hold a claimed batch")
            a.kill()
            # It died holding the batch: its last word on timers is a claim, not a commit.
            assert "timers claimed" in last_word(a), last_word(a)

            window_end = SERVICE_START.replace(minute=30, second=40)

            async def all_fired() -> bool:
                if run.service_now() < window_end:
                    return False
                async with db.sessions() as s:
                    pending = await s.scalar(
                        select(func.count())
                        .select_from(timers)
                        .where(
                            timers.c.tenant_id == run.tenant,
                            timers.c.fired_at.is_(None),
                            timers.c.due_at <= window_end,
                        )
                    )
                return pending == 0

            await _wait(all_fired, 120, "every due timer to fire")
            async with db.sessions() as s:
                fired = (
                    await s.execute(
                        select(timers.c.subject_id, timers.c.timer_key).where(
                            timers.c.tenant_id == run.tenant,
                            timers.c.fired_at.is_not(None),
                            # A loaded machine lets the service clock run past the window
                            # (the breach comes next); only the window's timers are counted.
                            timers.c.due_at <= window_end,
                        )
                    )
                ).all()
        fired_keys = {(r.subject_id, r.timer_key) for r in fired}
        # 40 dossiers x (first step overdue + 50%), the stream straddling the kill.
        assert len(fired_keys) == 2 * DOSSIERS
        assert {k.split("@")[0] for _, k in fired_keys} == {"share_50", "step:tiep_nhan"}

        async def published() -> bool:
            found = await _records(run.bootstrap, run.tenant, (Topics.CLOCK,))
            keys = {(e.dossier_id, e.payload.get("timer_key")) for e in map(decode, values(found))}
            return fired_keys <= keys

        await _wait(published, 60, "the relay to publish every firing")
        found = await _records(run.bootstrap, run.tenant, (Topics.CLOCK,))
        ids_per_key: dict[tuple[str | None, str], set[str]] = defaultdict(set)
        for record in found:
            envelope = decode(record.value)
            if envelope.event_type in FIRING_KINDS:
                ids_per_key[(envelope.dossier_id, envelope.payload["timer_key"])].add(
                    str(envelope.event_id)
                )
        assert fired_keys <= set(ids_per_key)  # none lost
        async with _database(run.database_url) as db, db.sessions() as s:
            since = {
                (r.subject_id, r.timer_key)
                for r in await s.execute(
                    select(timers.c.subject_id, timers.c.timer_key).where(
                        timers.c.tenant_id == run.tenant, timers.c.fired_at.is_not(None)
                    )
                )
            }
        assert set(ids_per_key) <= since  # none invented (later ones fired on a loaded machine)
        assert all(len(ids) == 1 for ids in ids_per_key.values())  # none fired twice
    finally:
        a.kill()
        b.stop()


async def test_replay_into_an_empty_database_gives_the_same_state(run: Run, tmp_path: Path) -> None:
    records = await _records(
        run.bootstrap, run.tenant, (Topics.CLOCK, Topics.TENANTS, Topics.DOSSIERS)
    )
    assert records, "run the two-replica test first (same module)"
    name = unique("itwf_replay")
    url = await create_database(run.env, name)
    try:
        replica = await make_harness(tmp_path, run.service_now(), run.keys, database_url=url)
        try:
            # Worst interleaving: workflow's own events before the dossiers they are about.
            envelopes = [decode(r.value) for r in records]
            own = [e for e in envelopes if e.producer == "workflow"]
            await replica.deliver(*own, *(e for e in envelopes if e.producer != "workflow"))
            assert not replica.dead.sent
            async with _database(run.database_url) as original:
                want = await state_of(original, run.tenant)
            got = await state_of(replica.runtime, run.tenant)
            assert got["clocks"] == want["clocks"]
            assert got["timers"] == want["timers"]
            assert got["escalations"] == want["escalations"]
            replica.clock.set(run.service_now())
            await replica.fire()
            again = [e for e in await replica.new_events() if e.event_type in FIRING_KINDS]
            assert again == []
        finally:
            await replica.runtime.close()
    finally:
        await drop_database(run.env, name)


async def test_a_merged_dossier_moves_with_its_clock_and_timers_to_the_new_unit(run: Run) -> None:
    """Two communes with different local closures on the real Kafka and PostgreSQL: each
    dossier counts with its own commune's calendar; after A merges into C the moved dossier
    counts with C's closures from the merger on, and its timers belong to C (issue #8)."""
    unit_a, unit_c = f"{run.tenant}-a", f"{run.tenant}-c"
    at = run.service_now()
    received = datetime(2026, 5, 11, 9, 0, tzinfo=VN_TZ)  # 3 working days: Thu 14 May
    moving, staying = Dossier(unit_a), Dossier(unit_c)
    replica = run.replica()
    replica.start(run.logs)
    try:
        await _produce(
            run.bootstrap,
            [
                tenant_configured(
                    unit_a, closures=["2026-05-12", "2026-05-14"], leader="lanh-dao-a", at=at
                ),
                tenant_configured(unit_c, closures=["2026-05-13"], leader="lanh-dao-c", at=at),
            ],
        )
        async with _database(run.database_url) as db:

            async def configured() -> bool:
                async with db.sessions() as s:
                    n = await s.scalar(
                        select(func.count())
                        .select_from(wf_tenants)
                        .where(
                            wf_tenants.c.tenant_id.in_([unit_a, unit_c]),
                            wf_tenants.c.revision == 1,
                        )
                    )
                return n == 2

            # The compacted topic and the dossiers topic are read independently.
            await _wait(configured, 60, "workflow to learn both communes")
            await _produce(run.bootstrap, [moving.received(received), staying.received(received)])

            async def clock_of(dossier: Dossier) -> Any:
                async with db.sessions() as s:
                    return (
                        await s.execute(
                            select(dossier_clocks).where(
                                dossier_clocks.c.dossier_id == dossier.dossier_id
                            )
                        )
                    ).first()

            async def both_started() -> bool:
                return None not in (await clock_of(moving), await clock_of(staying))

            await _wait(both_started, 60, "both clocks to start")
            # Each with its own commune's closures: A's Tue 12 and Thu 14, C's Wed 13 May.
            assert (await clock_of(moving)).due_at == datetime(2026, 5, 18, 17, 0, tzinfo=VN_TZ)
            assert (await clock_of(staying)).due_at == datetime(2026, 5, 15, 17, 0, tzinfo=VN_TZ)

            await _produce(
                run.bootstrap,
                [
                    moving.reassigned(
                        run.service_now(),
                        unit_c,
                        effective=datetime(2026, 5, 12, 0, 0, tzinfo=VN_TZ),
                    )
                ],
            )

            async def moved() -> bool:
                row = await clock_of(moving)
                return row is not None and row.tenant_id == unit_c

            await _wait(moved, 60, "workflow to move the dossier")
            row = await clock_of(moving)
            # A's closures stay (the receipt's promise), C's from the merger on count too.
            assert row.due_at == datetime(2026, 5, 19, 17, 0, tzinfo=VN_TZ)
            assert row.resolving_tenant_id == unit_c
            async with db.sessions() as s:
                owners = set(
                    (
                        await s.scalars(
                            select(timers.c.tenant_id).where(
                                timers.c.subject_id == moving.dossier_id,
                                timers.c.fired_at.is_(None),
                            )
                        )
                    ).all()
                )
            assert owners == {unit_c}

            async def announced() -> list[EventEnvelope]:
                found = await _records(run.bootstrap, unit_c, (Topics.CLOCK,))
                return [
                    e
                    for e in map(decode, values(found))
                    if e.event_type == "DeadlineChanged" and e.dossier_id == moving.dossier_id
                ]

            async def published() -> bool:
                return bool(await announced())

            await _wait(published, 60, "the relay to publish the moved deadline")
            [change] = await announced()
            assert change.payload["cause"] == "calendar"
            assert datetime.fromisoformat(change.payload["new_due_at"]) == row.due_at
            # The other commune's dossier never moved.
            assert (await clock_of(staying)).due_at == datetime(2026, 5, 15, 17, 0, tzinfo=VN_TZ)
    finally:
        replica.stop()
