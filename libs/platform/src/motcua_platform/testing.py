"""Fakes that implement the platform's ports, for every service's unit tests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Integer, MetaData, String, Table

from motcua_platform.messaging.tables import inbox_table, outbox_table
from motcua_platform.messaging.types import OutboundMessage


class RecordingPublisher:
    """Records published batches, or fails the next `fail_times` calls like a broker outage."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []
        self.fail_times = 0

    async def publish_many(self, messages: Sequence[OutboundMessage]) -> None:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("broker unavailable")
        self.sent.extend(messages)


def scratch_schema() -> tuple[MetaData, Table, Table, Table]:
    """Outbox, inbox and an `effects` table standing for any handler's business change."""
    metadata = MetaData()
    effects = Table(
        "effects",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("note", String(100)),
    )
    return metadata, outbox_table(metadata), inbox_table(metadata), effects
