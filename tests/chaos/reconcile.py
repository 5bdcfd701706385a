"""Every accepted dossier, followed through each service's own database and the topics."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from motcua_contracts.topics import Topics

from tests.support.dossiers import bearer

RECEIPT = "receipt_confirmation"  # notify's rule for DossierReceived: one per dossier


@dataclass
class Tally:
    lost: int = 0
    duplicated: int = 0
    dead_letters: int = 0
    republished: int = 0  # the same event twice on the wire: allowed (at least once), counted
    complete: bool = False
    problems: list[str] = field(default_factory=list)


class Reconciler:
    def __init__(
        self,
        bootstrap: str,
        env: dict[str, str],
        databases: dict[str, str],
        tenant: str,
        url: Callable[[str], str],
        run: str,
    ) -> None:
        self.bootstrap = bootstrap
        self.run = run  # consumer groups are `<run>-<service>`: only this run's dead letters
        base = env["MOTCUA_PG_DSN_BASE"].replace("postgresql+asyncpg://", "postgresql://")
        self.dsn = {service: f"{base}/{name}" for service, name in databases.items()}
        self.tenant = tenant
        self.url = url

    async def wait_for(self, accepted: list[str], within: float) -> Tally:
        """Polls until every service holds every accepted dossier (or `within` runs out)."""
        deadline = time.monotonic() + within
        tally = Tally(problems=["chưa đối soát được"])
        while time.monotonic() < deadline:
            try:
                tally = await self.tally(accepted)
            except (OSError, asyncpg.PostgresError, httpx.HTTPError) as exc:
                tally = Tally(problems=[f"chưa đọc được: {exc!r}"])
            if tally.complete or tally.duplicated:
                break
            await asyncio.sleep(1.0)
        if tally.complete:
            tally = await self._with_topics(tally, accepted)
        return tally

    async def tally(self, accepted: list[str]) -> Tally:
        wanted = set(accepted)
        t = Tally()
        t.duplicated += len(accepted) - len(wanted)
        seen = {
            "intake": await self._ids(
                "intake", "SELECT dossier_id FROM dossiers WHERE tenant_id=$1"
            ),
            "workflow": await self._ids(
                "workflow", "SELECT dossier_id FROM dossier_clocks WHERE tenant_id=$1"
            ),
            "analytics": await self._ids(
                "analytics", "SELECT dossier_id FROM dossier_facts WHERE tenant_id=$1"
            ),
        }
        receipts = Counter(
            {
                r["dossier_id"]: r["n"]
                for r in await self._rows(
                    "notify",
                    "SELECT dossier_id, count(*) AS n FROM notifications "
                    "WHERE tenant_id=$1 AND kind=$2 GROUP BY dossier_id",
                    self.tenant,
                    RECEIPT,
                )
            }
        )
        seen["notify"] = set(receipts)
        missing = 0
        for service, ids in seen.items():
            if lost := wanted - ids:
                missing = max(missing, len(lost))
                t.problems.append(f"{service}: thiếu {len(lost)}")
            if extra := ids - wanted:
                t.duplicated += len(extra)
                t.problems.append(f"{service}: thừa {len(extra)} hồ sơ không ai được tiếp nhận")
        twice = sum(n - 1 for n in receipts.values() if n > 1)
        if twice:
            t.duplicated += twice
            t.problems.append(f"notify: {twice} giấy tiếp nhận gửi hai lần")
        counted = await self._analytics_received()
        if counted > len(wanted):
            t.duplicated += counted - len(wanted)
            t.problems.append(f"analytics: đếm {counted} / {len(wanted)}")
        pending = 0
        for service in ("intake", "workflow", "notify"):
            pending += await self._scalar(
                service, "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            )
        if pending:
            t.problems.append(f"hộp thư đi còn {pending} sự kiện chưa gửi")
        t.lost = missing
        t.dead_letters = await self._dead_letters()
        t.complete = missing == 0 and pending == 0 and counted == len(wanted)
        return t

    async def _connect(self, service: str) -> asyncpg.Connection:
        return await asyncpg.connect(self.dsn[service], timeout=5)

    async def _rows(self, service: str, sql: str, *args: object) -> list[asyncpg.Record]:
        conn = await self._connect(service)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def _ids(self, service: str, sql: str) -> set[str]:
        return {r[0] for r in await self._rows(service, sql, self.tenant)}

    async def _scalar(self, service: str, sql: str) -> int:
        rows = await self._rows(service, sql)
        return int(rows[0][0])

    async def _analytics_received(self) -> int:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(
                f"{self.url('analytics')}/api/v1/indicators/received",
                params={"tenant_id": self.tenant},
                headers=bearer("province_monitor", None),
            )
            response.raise_for_status()
            return sum(int(r["received"]) for r in response.json())

    async def _partitions(self, wanted: Callable[[str], bool]) -> list[TopicPartition]:
        """The consumer's own metadata only knows topics it was told of: ask the admin API."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            topics = [t for t in await admin.list_topics() if wanted(t)]
            described = await admin.describe_topics(topics) if topics else []
        finally:
            await admin.close()
        return [
            TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]
        ]

    async def _end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        if not tps:
            return {}
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            return dict(await consumer.end_offsets(tps))
        finally:
            await consumer.stop()

    async def _dead_letters(self) -> int:
        mine = f".dlq.{self.run}-"
        tps = await self._partitions(lambda topic: mine in topic)
        return sum((await self._end_offsets(tps)).values())

    async def _with_topics(self, tally: Tally, accepted: list[str]) -> Tally:
        """Every accepted dossier's DossierReceived is on the topic (twice is allowed: counted)."""
        tps = await self._partitions(lambda topic: topic == Topics.DOSSIERS)
        ends = await self._end_offsets(tps)
        received: Counter[str] = Counter()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            if ends:
                consumer.assign(list(ends))
                await consumer.seek_to_beginning(*ends)
            while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
                batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
                for records in batches.values():
                    for record in records:
                        headers = {k: v.decode() for k, v in record.headers}
                        if headers.get("ce_type") == "DossierReceived" and record.key:
                            received[record.key.decode()] += 1
        finally:
            await consumer.stop()
        if lost := set(accepted) - set(received):
            tally.lost = max(tally.lost, len(lost))
            tally.problems.append(f"topic {Topics.DOSSIERS}: thiếu {len(lost)}")
            tally.complete = False
        tally.republished = sum(n - 1 for n in received.values() if n > 1)
        if tally.republished:
            tally.problems.append(f"topic: {tally.republished} sự kiện gửi lại (cho phép)")
        return tally
