"""The two transports behind one shape, so both modes run the same handler code."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.local_bus import LocalBus
from motcua_platform.messaging.types import Publisher
from motcua_platform.tasks import stop_gracefully


class Transport(Protocol):
    publisher: Publisher

    def subscribe(
        self, *, group: str, topics: Sequence[str], consumer: IdempotentConsumer
    ) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def ready(self) -> bool: ...


class KafkaTransport:
    def __init__(self, broker: object) -> None:
        from motcua_platform.messaging import kafka

        self._kafka = kafka
        self._broker = broker
        self.publisher: Publisher = kafka.KafkaPublisher(broker)  # type: ignore[arg-type]

    def subscribe(self, *, group: str, topics: Sequence[str], consumer: IdempotentConsumer) -> None:
        self._kafka.subscribe(self._broker, group=group, topics=topics, consumer=consumer)  # type: ignore[arg-type]

    async def start(self) -> None:
        await self._broker.start()  # type: ignore[attr-defined]

    async def stop(self) -> None:
        await self._broker.stop()  # type: ignore[attr-defined]

    async def ready(self) -> bool:
        return bool(await self._broker.ping(timeout=2.0))  # type: ignore[attr-defined]


class LocalTransport:
    """Shares one LocalBus between every service of the standalone process."""

    def __init__(self, bus: LocalBus, *, owns_bus: bool = False) -> None:
        self._bus = bus
        self._owns_bus = owns_bus
        self.publisher: Publisher = bus
        self._pending: list[tuple[str, Sequence[str], IdempotentConsumer]] = []
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def subscribe(self, *, group: str, topics: Sequence[str], consumer: IdempotentConsumer) -> None:
        self._pending.append((group, topics, consumer))

    async def start(self) -> None:
        if self._owns_bus:
            await self._bus.start()
        self._stop.clear()
        for group, topics, consumer in self._pending:
            self._tasks.append(
                asyncio.create_task(
                    self._bus.consume(
                        group=group, topics=topics, consumer=consumer, stop=self._stop
                    )
                )
            )

    async def stop(self) -> None:
        await stop_gracefully(self._tasks, self._stop)
        self._tasks.clear()
        if self._owns_bus:
            await self._bus.close()

    async def ready(self) -> bool:
        return all(not t.done() for t in self._tasks)
