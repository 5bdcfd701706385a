"""In-process transport for the standalone mode: an append-only log in an embedded SQLite file.

It keeps Kafka's promises that the handlers rely on: at-least-once, ordered per key (the log is
totally ordered), asynchronous (publishing never runs a handler), and a restart resumes from
each group's committed offset.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from motcua_platform.db import make_engine
from motcua_platform.messaging import lag
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.types import InboundMessage, OutboundMessage
from motcua_platform.sqltypes import UtcDateTime

log = logging.getLogger(__name__)

_meta = MetaData()
_log = Table(
    "bus_log",
    _meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(200), nullable=False, index=True),
    Column("message_key", String(200), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
_offsets = Table(
    "bus_offsets",
    _meta,
    Column("group_id", String(100), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("last_id", Integer, nullable=False),
)


class LocalBus:
    """One per process; publishers and subscriptions share it."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._engine: AsyncEngine = make_engine(f"sqlite+aiosqlite:///{path}")
        self._new_messages = asyncio.Condition()

    async def start(self) -> None:
        async with self._engine.begin() as conn:
            await conn.run_sync(_meta.create_all)

    async def close(self) -> None:
        await self._engine.dispose()

    async def publish_many(self, messages: Sequence[OutboundMessage]) -> None:
        if not messages:
            return
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(_log),
                [
                    {
                        "topic": m.topic,
                        "message_key": m.key,
                        "value": m.value,
                        "headers": json.dumps(m.headers),
                        "created_at": now,
                    }
                    for m in messages
                ],
            )
        async with self._new_messages:
            self._new_messages.notify_all()

    async def read(self, topic: str, after_id: int = 0, limit: int = 1000) -> list[InboundMessage]:
        """For tests and replay tools: the messages of one topic after an id."""
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(_log)
                    .where(_log.c.topic == topic, _log.c.id > after_id)
                    .order_by(_log.c.id)
                    .limit(limit)
                )
            ).all()
        return [_inbound(r) for r in rows]

    async def _committed(self, group: str, topics: Sequence[str]) -> int:
        async with self._engine.connect() as conn:
            ids = (
                await conn.scalars(
                    select(_offsets.c.last_id).where(
                        _offsets.c.group_id == group, _offsets.c.topic.in_(topics)
                    )
                )
            ).all()
        return min(ids) if len(ids) == len(topics) else 0

    async def _commit(self, group: str, topics: Sequence[str], last_id: int) -> None:
        async with self._engine.begin() as conn:
            for topic in topics:
                stmt = sqlite_insert(_offsets).values(group_id=group, topic=topic, last_id=last_id)
                await conn.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["group_id", "topic"], set_={"last_id": last_id}
                    )
                )

    async def consume(
        self,
        *,
        group: str,
        topics: Sequence[str],
        consumer: IdempotentConsumer,
        stop: asyncio.Event,
        batch: int = 200,
        poll_seconds: float = 0.5,
    ) -> None:
        """Deliver each message of `topics` to `consumer` in log order, committing as it goes."""
        position = await self._committed(group, topics)
        behind = lag.CountedLag(topics)
        lag.track(consumer.service, group, behind)
        try:
            while not stop.is_set():
                behind.values = dict.fromkeys(topics, 0) | await self._left(topics, position)
                async with self._engine.connect() as conn:
                    rows = (
                        await conn.execute(
                            select(_log)
                            .where(_log.c.topic.in_(topics), _log.c.id > position)
                            .order_by(_log.c.id)
                            .limit(batch)
                        )
                    ).all()
                for row in rows:
                    await consumer.handle(_inbound(row))
                    position = row.id
                    await self._commit(group, topics, position)
                if len(rows) < batch:
                    await self._wait(stop, poll_seconds)
        finally:
            lag.untrack(consumer.service, group, behind)

    async def _left(self, topics: Sequence[str], position: int) -> dict[str, int]:
        """Messages of each topic after `position`: what the group has still to process."""
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(_log.c.topic, func.count())
                    .where(_log.c.topic.in_(topics), _log.c.id > position)
                    .group_by(_log.c.topic)
                )
            ).all()
        return {r[0]: int(r[1]) for r in rows}

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        if stop.is_set():
            return
        async with self._new_messages:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_messages.wait(), timeout=seconds)


def _inbound(row: object) -> InboundMessage:
    return InboundMessage(
        topic=row.topic,  # type: ignore[attr-defined]
        key=row.message_key,  # type: ignore[attr-defined]
        value=bytes(row.value),  # type: ignore[attr-defined]
        headers=json.loads(row.headers),  # type: ignore[attr-defined]
        offset=row.id,  # type: ignore[attr-defined]
    )
