"""A dossier registered at intake travels through Kafka to workflow, notify and analytics."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from motcua_contracts.codec import decode_typed
from motcua_contracts.events.dossiers_v1 import DossierReceived
from motcua_contracts.topics import Topics

from tests.integration.conftest import Platform
from tests.support.dossiers import bearer, registration
from tests.support.servers import kafka_ctl

pytestmark = pytest.mark.integration


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _received_count(platform: Platform) -> int:
    async with httpx.AsyncClient(base_url=platform.url("analytics"), timeout=5) as client:
        rows = (
            await client.get(
                "/api/v1/indicators/received",
                params={"tenant_id": platform.tenant_id},
                headers=bearer("province_monitor", None),
            )
        ).json()
    return sum(r["received"] for r in rows)


async def _wait_for_count(platform: Platform, expected: int, wait_s: float = 60) -> None:
    """Wait until analytics counts `expected`; `wait_s` only bounds a hang (speed is a
    benchmark's business, never a pass/fail assertion)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if await _received_count(platform) >= expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"analytics counted {await _received_count(platform)} of {expected}")


async def _post(platform: Platform, i: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.url("intake"), timeout=10) as client:
        response = await client.post(
            f"/api/v1/communes/{platform.tenant_id}/dossiers",
            json=registration(i),
            headers=bearer("clerk", platform.tenant_id),
        )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _events_of_tenant(bootstrap: str, tenant: str) -> list[tuple[Any, Any]]:
    """Every dossier event of one tenant, read from the beginning of the topic."""
    consumer = AIOKafkaConsumer(
        Topics.DOSSIERS,
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        found: list[tuple[Any, Any]] = []
        batch: dict[Any, Any] = {}
        for _ in range(100):  # without a group, partitions are assigned on the first fetches
            if consumer.assignment():
                break
            batch = await consumer.getmany(timeout_ms=200)
        partitions = list(consumer.assignment())
        end = await consumer.end_offsets(partitions)
        while True:
            for records in batch.values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    if headers.get("motcua_tenant") == tenant:
                        found.append((record, headers))
            positions = {tp: await consumer.position(tp) for tp in partitions}
            if all(positions[tp] >= end[tp] for tp in partitions):
                return found
            batch = await consumer.getmany(timeout_ms=1000)
    finally:
        await consumer.stop()


async def test_a_dossier_reaches_every_service(platform: Platform, kafka_bootstrap: str) -> None:
    before = await _received_count(platform)
    dossier = await _post(platform, 1)
    assert re.fullmatch(r"000\.99\.99\.H50-\d{6}-\d{4}", dossier["code"])
    await _wait_for_count(platform, before + 1)

    async with httpx.AsyncClient(timeout=5, headers=bearer("clerk", platform.tenant_id)) as client:
        base = f"/api/v1/communes/{platform.tenant_id}/dossiers/{dossier['dossier_id']}"
        for _ in range(300):
            clock = await client.get(platform.url("workflow") + base + "/clock")
            notes = await client.get(platform.url("notify") + base + "/notifications")
            if clock.status_code == 200 and notes.status_code == 200 and notes.json():
                break
            await asyncio.sleep(0.1)
    assert clock.status_code == 200, clock.text
    assert notes.status_code == 200, notes.text
    assert _instant(clock.json()["due_at"]) == _instant(dossier["due_at"])
    assert [n["kind"] for n in notes.json()] == ["receipt_confirmation"]

    events = await _events_of_tenant(kafka_bootstrap, platform.tenant_id)
    mine = [decode_typed(r.value, DossierReceived) for r, _ in events]
    assert any(e.dossier_id == dossier["dossier_id"] for e, _ in mine)
    record, _headers = next((r, h) for r, h in events if h["ce_type"] == "DossierReceived")
    assert record.key.decode() == decode_typed(record.value, DossierReceived)[0].dossier_id


async def test_a_redelivered_event_changes_nothing(
    platform: Platform, kafka_bootstrap: str
) -> None:
    before = await _received_count(platform)
    await _post(platform, 2)
    settled = before + 1  # counted only once analytics has seen it: wait for that first
    await _wait_for_count(platform, settled, within=10)
    events = await _events_of_tenant(kafka_bootstrap, platform.tenant_id)
    record, _ = events[-1]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            Topics.DOSSIERS, record.value, key=record.key, headers=list(record.headers)
        )
    finally:
        await producer.stop()
    async with httpx.AsyncClient(base_url=platform.url("analytics"), timeout=5) as client:
        for _ in range(100):
            metrics = (await client.get("/metrics")).text
            if re.search(r'motcua_consumer_messages_total\{.*outcome="dup".*\} [1-9]', metrics):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("analytics never saw the duplicate")
    assert await _received_count(platform) == settled


async def test_a_broker_outage_of_thirty_seconds_loses_no_dossier(platform: Platform) -> None:
    before = await _received_count(platform)
    kafka_ctl("stop")
    posted = 0
    try:
        # At least 30 s down and at least 25 dossiers taken meanwhile, however slowly a
        # loaded machine answers: the count, not the pace, is what this test is about.
        started = time.monotonic()
        while time.monotonic() - started < 30 or posted < 25:
            await _post(platform, 100 + posted)
            posted += 1
            await asyncio.sleep(1.0)
    finally:
        kafka_ctl("start")
    await _wait_for_count(platform, before + posted, within=120)
    await asyncio.sleep(1.0)
    assert await _received_count(platform) == before + posted
