"""A batch of DossierReceived costs few statements: the communes' and the calendar's
configuration is read once per batch (and read again after an event of the batch changed
it), a new dossier is checked with one read, its timers go in without a look-up first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from motcua_testkit.workflow import TENANT, Dossier, Harness, tenant_configured, vn
from sqlalchemy import event


@contextmanager
def statements(harness: Harness) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = harness.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _about(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("SELECT") and f" {table}" in s]


async def test_a_batch_of_new_dossiers_reads_configuration_once(harness: Harness) -> None:
    await harness.deliver(Dossier(TENANT).received(vn(2026, 4, 28, 8, 0)))  # the commune is known
    batch = [Dossier(TENANT).received(vn(2026, 4, 28, 9, i)) for i in range(20)]
    with statements(harness) as seen:
        await harness.deliver_batch(*batch)
    assert len(_about(seen, "wf_tenants")) <= 1
    assert len(_about(seen, "calendar_changes")) <= 1
    # Per new dossier: inbox, one look-up, clock row, timers, outbox (+ the savepoint pair).
    assert len(seen) / len(batch) <= 8, f"{len(seen) / len(batch):.1f} statements per event"
    assert [e.event_type for e in await harness.new_events()].count("ClockStarted") == 21


async def test_a_commune_configured_in_the_batch_counts_for_the_events_after_it(
    harness: Harness,
) -> None:
    await harness.deliver(Dossier(TENANT).received(vn(2026, 4, 28, 8, 0)))
    await harness.new_events()
    before = Dossier(TENANT)
    after = Dossier(TENANT)
    # The commune closes its office for the next four working days: the deadline moves.
    closures = ["2026-04-29", "2026-05-04", "2026-05-05", "2026-05-06"]
    configured = tenant_configured(TENANT, closures=closures, at=vn(2026, 4, 28, 9, 0))
    await harness.deliver_batch(
        before.received(vn(2026, 4, 28, 9, 0)),
        configured,
        after.received(vn(2026, 4, 28, 9, 0)),
    )
    events = await harness.new_events()
    started = {e.dossier_id: e.payload for e in events if e.event_type == "ClockStarted"}
    assert started[before.dossier_id]["due_at"] < started[after.dossier_id]["due_at"]
