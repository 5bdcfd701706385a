"""The print desk on SQLite (as in standalone mode): a letter prints at any time after it was
queued, while the dispatcher writes, and two clerks at once never meet "database is locked"."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from motcua_testkit.notify import (
    DOSSIER,
    TENANT,
    Notify,
    drain,
    make_notify,
    received,
    result_ready,
)
from notify.adapters.tables import deliveries, notifications
from sqlalchemy import insert, select, text, update

BASE = f"/api/v1/communes/{TENANT}"
BOUND_S = 20.0  # bounds a hang only (SQLite's busy timeout is 30 s); never a speed check


async def _queued_condolence(n: Notify) -> dict[str, Any]:
    await n.deliver(received(procedure_code="1.000656"), DOSSIER)
    await n.deliver(result_ready(["condolence_death"], procedure_code="1.000656"), DOSSIER)
    await drain(n.runtime)
    queue = (await n.client.get(f"{BASE}/print-queue", headers=n.headers())).json()
    [job] = [j for j in queue if j["kind"] == "condolence_letter"]
    return job  # type: ignore[no-any-return]


def _long_after_queueing(n: Notify) -> None:
    """Long after the letter was queued the template cache the dispatcher warmed is cold:
    the print request's composing opens the template store's own session."""
    assert n.runtime.app is not None
    n.runtime.app.state.deps.templates.forget(TENANT)
    n.clock.advance(timedelta(hours=3))


async def test_a_letter_prints_long_after_queueing_while_the_dispatcher_writes(n: Notify) -> None:
    job = await _queued_condolence(n)
    _long_after_queueing(n)
    url = f"{BASE}/print-queue/{job['delivery_id']}/pdf"
    # The dispatcher (or any writer) holds SQLite's write lock for the whole download.
    async with n.runtime.sessions() as busy, busy.begin():
        await busy.execute(update(deliveries).values(updated_at=n.clock.now()))
        r = await asyncio.wait_for(n.client.get(url, headers=n.headers()), timeout=BOUND_S)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")


async def test_the_print_request_holds_no_transaction_the_dispatcher_waits_for(
    n: Notify,
) -> None:
    """While a letter is composed (here: intake's contact look-up takes its time), a writer
    goes on: the request holds no write lock across composing and rendering."""
    job = await _queued_condolence(n)
    _long_after_queueing(n)
    composing, release = asyncio.Event(), asyncio.Event()
    contact = n.contacts.contact

    async def slow_contact(**kw: Any) -> Any:
        composing.set()
        await release.wait()
        return await contact(**kw)

    n.contacts.contact = slow_contact  # type: ignore[method-assign]
    url = f"{BASE}/print-queue/{job['delivery_id']}/pdf"
    download = asyncio.create_task(n.client.get(url, headers=n.headers()))
    await asyncio.wait_for(composing.wait(), timeout=BOUND_S)

    async def write() -> None:
        async with n.runtime.sessions() as s, s.begin():
            await s.execute(update(deliveries).values(updated_at=n.clock.now()))

    await asyncio.wait_for(write(), timeout=BOUND_S)  # the dispatcher is not stalled
    assert await asyncio.wait_for(drain(n.runtime), timeout=BOUND_S) == 0
    release.set()
    r = await asyncio.wait_for(download, timeout=BOUND_S)
    assert r.status_code == 200, r.text


async def test_concurrent_prints_and_marks_never_meet_a_locked_database(n: Notify) -> None:
    job = await _queued_condolence(n)
    _long_after_queueing(n)
    pdf = f"{BASE}/print-queue/{job['delivery_id']}/pdf"
    mark = f"{BASE}/print-queue/{job['delivery_id']}/printed"
    calls = [n.client.get(pdf, headers=n.headers()) for _ in range(4)]
    calls += [n.client.post(mark, headers=n.headers()) for _ in range(3)]
    answers = await asyncio.wait_for(asyncio.gather(*calls), timeout=BOUND_S * 2)
    assert [a.status_code for a in answers] == [200] * 7, [a.text for a in answers]
    printed = {a.json()["printed_at"] for a in answers[4:]}
    assert len(printed) == 1  # printed once: the first press is the one recorded
    from notify.adapters.tables import outbox

    async with n.runtime.sessions() as session:
        values = (await session.execute(select(outbox.c.value))).scalars().all()
    assert sum(b"NotificationPrinted" in v for v in values) == 1


async def test_print_queue_moments_are_in_vietnam_time(n: Notify) -> None:
    job = await _queued_condolence(n)
    assert job["queued_at"].endswith("+07:00"), job["queued_at"]
    assert job["printed_at"] is None
    r = await n.client.post(f"{BASE}/print-queue/{job['delivery_id']}/printed", headers=n.headers())
    assert r.status_code == 200, r.text
    assert r.json()["queued_at"].endswith("+07:00")
    assert r.json()["printed_at"].endswith("+07:00"), r.json()["printed_at"]
    [done] = (await n.client.get(f"{BASE}/print-queue?printed=true", headers=n.headers())).json()
    assert done["printed_at"].endswith("+07:00") and "Z" not in done["printed_at"]


async def _copies(n: Notify, job: dict[str, Any], count: int) -> list[str]:
    """`count` more letters like `job`, each queued a minute after the one before."""
    ids = []
    async with n.runtime.sessions() as session, session.begin():
        note = (
            await session.execute(
                select(notifications).where(
                    notifications.c.notification_id == job["notification_id"]
                )
            )
        ).one()
        row = (
            await session.execute(
                select(deliveries).where(deliveries.c.delivery_id == job["delivery_id"])
            )
        ).one()
        for i in range(count):
            nid, did = str(uuid.uuid4()), str(uuid.uuid4())
            await session.execute(
                insert(notifications).values(
                    {**note._asdict(), "notification_id": nid, "source_event_id": nid}
                    | {"once_key": None}
                )
            )
            values = row._asdict() | {"delivery_id": did, "notification_id": nid}
            values["sent_at"] = row.sent_at + timedelta(minutes=i + 1)
            values["letter_number"] = f"{i + 2:02d}/TCB-UBND"
            await session.execute(insert(deliveries).values(values))
            ids.append(did)
        await session.execute(text("SELECT 1"))
    return ids


async def test_the_queue_pages_beyond_200_letters_and_the_last_one_prints(
    tmp_path: Path, keys_dir: Path
) -> None:
    # 206 marks in a row from one clerk would meet the per-principal limit (its own tests).
    async with make_notify(tmp_path, keys_dir, principal_rate_per_second=0) as n:
        await _pages_beyond_200(n)


async def _pages_beyond_200(n: Notify) -> None:
    first = await _queued_condolence(n)
    later = await _copies(n, first, 205)
    queued = f"{BASE}/print-queue"
    page1 = (await n.client.get(queued, headers=n.headers())).json()
    page2 = (await n.client.get(f"{queued}?offset=200", headers=n.headers())).json()
    seen = [j["delivery_id"] for j in page1 + page2]
    assert len(page1) == 200 and len(seen) == 206 and len(set(seen)) == 206
    assert seen[0] == first["delivery_id"] and seen[-1] == later[-1]
    for delivery_id in [first["delivery_id"], *later]:  # 206 printed letters
        r = await n.client.post(f"{queued}/{delivery_id}/printed", headers=n.headers())
        assert r.status_code == 200, r.text
    # The last one is beyond the first page of printed letters: it answered 404 before.
    again = await n.client.post(f"{queued}/{later[-1]}/printed", headers=n.headers())
    assert again.status_code == 200 and again.json()["delivery_id"] == later[-1]
    pdf = await n.client.get(f"{queued}/{later[-1]}/pdf", headers=n.headers())
    assert pdf.status_code == 200
    printed = f"{queued}?printed=true&limit=500"
    assert len((await n.client.get(printed, headers=n.headers())).json()) == 206


async def test_a_letter_preview_renders_while_the_dispatcher_writes(n: Notify) -> None:
    _long_after_queueing(n)
    url = f"{BASE}/templates/ceremony_invitation/letter/preview?format=pdf"
    async with n.runtime.sessions() as busy, busy.begin():
        await busy.execute(update(deliveries).values(updated_at=n.clock.now()))
        r = await asyncio.wait_for(
            n.client.post(url, json={}, headers=n.headers("operator")), timeout=BOUND_S
        )
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF")
