"""When is the platform done with a load? The window of an honest bench closes only when every
service has finished every effect of what it was sent, not when the last projection appears.

A *probe* is an async callable returning what is still pending, as named counts
(`{"workflow.outbox": 3}`). `wait_until_idle` polls the probes and closes the window at the
first of `settle` consecutive rounds in which every count is zero; its time is the first of
those rounds (later rounds only confirm no effect was still in flight between two reads).

The concrete probes, one per kind of unfinished work:
- `outbox_probe`: rows of a service's outbox not yet published (the relay's backlog);
- `GroupLag`: for each consumer group, records on its topics not yet committed; the end
  offsets are read *before* the committed ones, so events other work appends to the shared
  topics meanwhile do not keep the window open, and nothing read as produced is missed;
- `notify_probe`: deliveries still queued or sending, and notifications with no final
  delivery and no letter in the print queue;
- `count_probe`: rows of a table a service must have written (analytics' facts, say).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Probe = Callable[[], Awaitable[Mapping[str, int]]]


class NotIdle(RuntimeError):
    """The timeout passed with work still pending; `pending` says what was left."""

    def __init__(self, pending: Mapping[str, int], seconds: float) -> None:
        left = ", ".join(f"{k}={v}" for k, v in sorted(pending.items()) if v)
        super().__init__(f"still pending after {seconds:.0f} s: {left}")
        self.pending = dict(pending)


@dataclass
class Idle:
    at: float  # monotonic time of the first round of the settled run
    rounds: int  # rounds polled in all
    last_pending: dict[str, int] = field(default_factory=dict)  # the last non-idle reading


async def read_all(probes: Iterable[Probe]) -> dict[str, int]:
    out: dict[str, int] = {}
    for probe in probes:  # in order: a lag probe reads end offsets before the outboxes
        out.update(await probe())
    return out


async def wait_until_idle(
    probes: Iterable[Probe],
    *,
    limit_seconds: float,
    interval: float = 0.1,
    settle: int = 2,
    now: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> Idle:
    """Polls until `settle` consecutive rounds find nothing pending; raises NotIdle after
    `limit_seconds`. `now` and `sleep` are injectable so the logic is tested without time."""
    probes = list(probes)
    deadline = now() + limit_seconds
    quiet_since: float | None = None
    quiet_rounds = 0
    rounds = 0
    last: dict[str, int] = {}
    while True:
        started = now()
        pending = await read_all(probes)
        rounds += 1
        if any(pending.values()):
            quiet_since, quiet_rounds, last = None, 0, pending
        else:
            quiet_since = started if quiet_since is None else quiet_since
            quiet_rounds += 1
            if quiet_rounds >= settle:
                return Idle(quiet_since, rounds, last)
        if now() > deadline:
            raise NotIdle(pending, limit_seconds)
        await sleep(interval)


# --- the concrete probes -------------------------------------------------------------------


def outbox_probe(service: str, conn: Any) -> Probe:
    async def probe() -> dict[str, int]:
        n = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return {f"{service}.outbox": int(n)}

    return probe


def notify_probe(conn: Any) -> Probe:
    async def probe() -> dict[str, int]:
        row = await conn.fetchrow(
            """
            SELECT
              (SELECT count(*) FROM deliveries WHERE status IN ('queued', 'sending'))
                AS deliveries,
              (SELECT count(*) FROM notifications n WHERE n.status = 'queued'
                 AND NOT EXISTS (SELECT 1 FROM deliveries d
                                 WHERE d.notification_id = n.notification_id
                                   AND d.status = 'print_queued'))
                AS notifications
            """
        )
        return {
            "notify.deliveries_not_final": int(row["deliveries"]),
            "notify.notifications_not_final": int(row["notifications"]),
        }

    return probe


def count_probe(name: str, conn: Any, sql: str, expected: int, *args: Any) -> Probe:
    async def probe() -> dict[str, int]:
        n = int(await conn.fetchval(sql, *args))
        return {name: max(0, expected - n)}

    return probe


class GroupLag:
    """Lag of consumer groups on the topics they have committed offsets for."""

    def __init__(
        self,
        bootstrap: str,
        groups: Mapping[str, str],
        topics: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """`topics`: per label, the topics the group subscribes to. A group also holds
        offsets of topics it never reads (a fresh group is positioned on every topic): their
        lag grows with other work's traffic and is not the service's."""
        self.bootstrap = bootstrap
        self.groups = dict(groups)  # label -> group id
        self.topics = {k: frozenset(v) for k, v in (topics or {}).items()}
        self._admin: Any = None
        self._consumer: Any = None

    async def start(self) -> None:
        from aiokafka import AIOKafkaConsumer
        from aiokafka.admin import AIOKafkaAdminClient

        self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await self._admin.start()
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
        if self._admin is not None:
            await self._admin.close()

    async def committed(self, label: str) -> dict[Any, int]:
        offsets = await self._admin.list_consumer_group_offsets(self.groups[label])
        read = self.topics.get(label)
        return {
            tp: meta.offset
            for tp, meta in offsets.items()
            if meta.offset >= 0 and (read is None or tp.topic in read)
        }

    async def lags(self, labels: Iterable[str] | None = None) -> dict[str, int]:
        chosen = list(self.groups if labels is None else labels)
        committed_first = {label: await self.committed(label) for label in chosen}
        partitions = {tp for offsets in committed_first.values() for tp in offsets}
        if not partitions:
            return {f"{label}.lag": 0 for label in chosen}
        ends = await self._consumer.end_offsets(list(partitions))  # before committed: see above
        out = {}
        for label in chosen:
            committed = await self.committed(label)
            out[f"{label}.lag"] = sum(
                max(0, end - committed.get(tp, end))
                for tp, end in ends.items()
                if tp in committed_first[label]
            )
        return out

    def probe(self, *labels: str) -> Probe:
        async def probe() -> dict[str, int]:
            return await self.lags(labels or None)

        return probe


class ProbeSet:
    """The probes of a bench platform, by service: its outbox, its group's lag, its own."""

    def __init__(self) -> None:
        self.by_service: dict[str, list[Probe]] = {}

    def add(self, service: str, probe: Probe) -> None:
        self.by_service.setdefault(service, []).append(probe)

    def of(self, services: Iterable[str]) -> list[Probe]:
        return [p for s in services for p in self.by_service.get(s, [])]
