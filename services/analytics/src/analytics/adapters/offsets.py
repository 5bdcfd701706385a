"""Kafka offsets applied to the projections, stored in the projection's own transaction.

The batch and its offsets commit together, so a batch delivered again (the process died
between the database commit and Kafka's) is recognised and skipped instead of re-applied.
Kafka's committed offsets stay the consumer's starting point and what lag monitoring reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from analytics.adapters.fact_store import insert_for
from analytics.adapters.tables import consumer_offsets

Partition = tuple[str, int]  # (topic, partition)


async def applied_offsets(session: AsyncSession, group: str) -> dict[Partition, int]:
    """Next offset to apply per partition, as committed.

    Not locked: the batch ahead in the pipeline holds these rows until it commits, and
    waiting for it here would serialise the pipeline (and deadlock against its end). A stale
    answer only means re-applying events, which changes nothing: the projection is idempotent.
    """
    t = consumer_offsets
    query = select(t.c.topic, t.c.partition, t.c.next_offset).where(t.c.group_id == group)
    rows = (await session.execute(query)).all()
    return {(r.topic, r.partition): r.next_offset for r in rows}


async def save_offsets(session: AsyncSession, group: str, offsets: Mapping[Partition, int]) -> None:
    if not offsets:
        return
    t = consumer_offsets
    stmt = insert_for(session, t)
    stmt = stmt.on_conflict_do_update(
        index_elements=["group_id", "topic", "partition"],
        set_={"next_offset": stmt.excluded.next_offset},
        where=t.c.next_offset < stmt.excluded.next_offset,
    )
    rows = [
        {"group_id": group, "topic": topic, "partition": partition, "next_offset": offset}
        for (topic, partition), offset in sorted(offsets.items())
    ]
    await session.execute(stmt, rows)
