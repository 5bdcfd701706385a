"""Intake as its own process on the real PostgreSQL and Kafka: every path of the lifecycle,
each event checked on motcua.dossiers.v1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from intake.auth import dev_tokens
from motcua_contracts.codec import decode
from motcua_contracts.registry import spec_for
from motcua_contracts.topics import Topics
from motcua_testkit.intake import dossier_body

from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    server_env,
    unique,
)

pytestmark = pytest.mark.integration


class Intake:
    def __init__(self, process: ServiceProcess, tenant: str, keys: Path) -> None:
        self.process, self.tenant, self.keys = process, tenant, keys
        self.client = httpx.AsyncClient(base_url=process.url, timeout=10)

    def headers(self, role: str = "clerk") -> dict[str, str]:
        tenant = self.tenant if role in ("clerk", "leader") else None
        return {"Authorization": f"Bearer {dev_tokens.mint(role, tenant, keys_dir=self.keys)}"}

    async def register(self) -> dict[str, Any]:
        r = await self.client.post(
            f"/api/v1/communes/{self.tenant}/dossiers", json=dossier_body(), headers=self.headers()
        )
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    async def act(
        self,
        d: dict[str, Any],
        action: str,
        body: Any = None,
        role: str = "clerk",
        expect: int = 200,
    ) -> dict[str, Any]:
        r = await self.client.post(
            f"/api/v1/communes/{self.tenant}/dossiers/{d['dossier_id']}/{action}",
            json=body,
            headers=self.headers(role),
        )
        assert r.status_code == expect, r.text
        return r.json() if r.content else {}


@pytest.fixture(scope="module")
def intake_service(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServiceProcess, str, Path]]:
    env = server_env()
    run = unique("itk")
    tenant = f"xa-{run[-8:]}"
    tmp = tmp_path_factory.mktemp("intake")
    keys = dev_tokens.ensure_keys(tmp / "keys")
    url = asyncio.run(create_database(env, run))
    process = ServiceProcess(
        "intake",
        {
            "MOTCUA_INTAKE_DATABASE_URL": url,
            "MOTCUA_INTAKE_KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
            "MOTCUA_INTAKE_ENVIRONMENT": "test",
            "MOTCUA_INTAKE_DEV_KEYS_DIR": str(keys),
        },
        "api,relay",
    )
    try:
        process.start(tmp)
        operator = {"Authorization": f"Bearer {dev_tokens.mint('operator', None, keys_dir=keys)}"}
        r = httpx.put(
            f"{process.url}/api/v1/tenants/{tenant}",
            headers=operator,
            json={
                "name_vi": "Xã Kiểm Thử",
                "unit_type": "xa",
                "agency_code": "000.99.98.H50",
                "status": "active",
            },
        )
        assert r.status_code == 200, r.text
        yield process, tenant, keys
    finally:
        process.stop()
        asyncio.run(drop_database(env, run))


@pytest.fixture
async def intake(intake_service: tuple[ServiceProcess, str, Path]) -> AsyncIterator[Intake]:
    # One process per module, one HTTP client per test: a client lives on its test's loop.
    client = Intake(*intake_service)
    try:
        yield client
    finally:
        await client.client.aclose()


async def _events(bootstrap: str, tenant: str, expected: int, wait_s: float = 30) -> list[Any]:
    """Reads the dossier topic from the start with a fresh group; keeps this tenant's records."""
    consumer = AIOKafkaConsumer(
        Topics.DOSSIERS,
        bootstrap_servers=bootstrap,
        group_id=unique("it-reader"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = time.monotonic() + wait_s
        while len(found) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    if headers.get("motcua_tenant") == tenant:
                        found.append(record)
        return found
    finally:
        await consumer.stop()


async def test_every_path_of_the_lifecycle_publishes_its_events(intake: Intake) -> None:
    paths: dict[str, list[str]] = {}

    happy = await intake.register()
    await intake.act(happy, "supplement-request", {"missing_items": ["Giấy chứng sinh"]})
    await intake.act(happy, "supplement-received")
    await intake.act(happy, "supplement-request", {"missing_items": ["x"]}, expect=409)
    await intake.act(happy, "accept")
    await intake.act(happy, "transfer", {"to_official_id": "cb-1", "step_key": "xu_ly"})
    await intake.act(happy, "decision", {"outcome": "approved"}, role="leader")
    await intake.act(happy, "result-ready")
    await intake.act(happy, "result-returned", {"method": "counter"})
    await intake.act(
        happy, "satisfaction", {"level": "rat_hai_long", "criteria": {"attitude": 2}}, expect=204
    )
    paths[happy["dossier_id"]] = [
        "DossierReceived",
        "SupplementRequested",
        "SupplementReceived",
        "DossierAccepted",
        "DossierTransferred",
        "DecisionMade",
        "ResultReady",
        "ResultReturned",
        "SatisfactionRated",
    ]
    refused = await intake.register()
    await intake.act(refused, "refuse", {"reason_codes": ["not_competent"], "reason_text": "x"})
    await intake.act(refused, "accept", expect=409)
    paths[refused["dossier_id"]] = ["DossierReceived", "DossierRefused"]

    withdrawn = await intake.register()
    await intake.act(withdrawn, "accept")
    await intake.act(withdrawn, "withdraw", {"note": "Công dân xin rút"})
    paths[withdrawn["dossier_id"]] = ["DossierReceived", "DossierAccepted", "DossierWithdrawn"]

    rejected = await intake.register()
    await intake.act(rejected, "accept")
    await intake.act(
        rejected, "decision", {"outcome": "rejected", "reason_codes": ["false_info"]}, role="leader"
    )
    await intake.act(rejected, "result-ready")
    await intake.act(
        rejected,
        "result-returned",
        {"method": "postal", "to_applicant": False, "recipient_name": "Lò Thị Hoa"},
    )
    paths[rejected["dossier_id"]] = [
        "DossierReceived",
        "DossierAccepted",
        "DecisionMade",
        "ResultReady",
        "ResultReturned",
    ]

    expected = sum(len(v) for v in paths.values())
    records = await _events(server_env()["MOTCUA_KAFKA_BOOTSTRAP"], intake.tenant, expected)
    by_dossier: dict[str, list[Any]] = {}
    for record in records:
        envelope = decode(record.value)
        spec_for(envelope.event_type, envelope.schema_version).model.model_validate(
            envelope.payload
        )
        assert record.key.decode() == envelope.dossier_id
        for secret in (
            "Lò Văn Bình",
            "014095001234",
            "0912345678",
            "binh.lv",
            "Bản Hìn",
            "Lò Thị Hoa",
        ):
            assert secret.encode() not in record.value
        by_dossier.setdefault(str(envelope.dossier_id), []).append(envelope)
    for dossier_id, types in paths.items():
        envelopes = by_dossier.get(dossier_id, [])
        assert [e.event_type for e in envelopes] == types
        assert [e.aggregate_version for e in envelopes] == list(range(1, len(types) + 1))
    ready = next(e for e in by_dossier[happy["dossier_id"]] if e.event_type == "ResultReady")
    assert ready.payload["practices"] == ["ceremony_birth"]
    requested = by_dossier[happy["dossier_id"]][1]
    assert requested.payload["requested_at"].endswith(("Z", "+00:00"))


async def test_concurrent_registrations_write_every_row_once(intake: Intake) -> None:
    """On PostgreSQL a registration's rows go in one statement: the dossier, its control-sheet
    row, its idempotency key and its outbox row; concurrent requests still number uniquely."""
    url = f"/api/v1/communes/{intake.tenant}/dossiers"
    key = {"Idempotency-Key": unique("key")}
    headers = intake.headers()
    client = httpx.AsyncClient(base_url=intake.process.url, timeout=20)
    responses = await asyncio.gather(
        *(client.post(url, json=dossier_body(), headers=headers) for _ in range(12)),
        *(client.post(url, json=dossier_body(), headers=headers | key) for _ in range(4)),
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    fresh, retried = [r.json() for r in responses[:12]], [r.json() for r in responses[12:]]
    assert len({d["dossier_id"] for d in retried}) == 1  # the same dossier for the same key
    created = [*fresh, retried[0]]
    codes = [d["code"] for d in created]
    assert len(set(codes)) == len(codes) == 13
    assert all(d["code"].startswith("000.99.98.H50-") for d in created)
    for d in (fresh[0], retried[0]):
        steps = await client.get(f"{url}/{d['dossier_id']}/history", headers=headers)
        assert [(s["seq"], s["action"]) for s in steps.json()] == [(1, "register")]
    other = {**dossier_body(), "channel": "online"}
    reused = await client.post(url, json=other, headers=headers | key)
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key.reused"
    records = await _events(server_env()["MOTCUA_KAFKA_BOOTSTRAP"], intake.tenant, 10_000, 8)
    received = [
        e.dossier_id
        for e in (decode(r.value) for r in records)
        if e.event_type == "DossierReceived"
    ]
    for d in created:  # one DossierReceived per dossier, the retried key's included
        assert received.count(d["dossier_id"]) == 1
    await client.aclose()


async def test_the_ceremony_schedule_is_stored_on_postgresql_and_published_once(
    intake: Intake,
) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    d = await intake.register()  # a birth registration
    await intake.act(d, "accept")
    await intake.act(d, "decision", {"outcome": "approved"}, role="leader")
    await intake.act(d, "result-ready")
    url = f"/api/v1/communes/{intake.tenant}/dossiers/{d['dossier_id']}/ceremony"
    day = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=7)
    for _ in range(15):  # the next working day a week from now (the commune's calendar)
        at = datetime.combine(day, datetime.min.time(), ZoneInfo("Asia/Ho_Chi_Minh"))
        body = {
            "ceremony_at": (at + timedelta(hours=8, minutes=30)).isoformat(),
            "place": "Hội trường",
        }
        r = await intake.client.put(url, json=body, headers=intake.headers())
        if r.status_code != 422 or r.json()["code"] != "ceremony.not_working_day":
            break
        day += timedelta(days=1)
    assert r.status_code == 200, r.text
    assert r.json()["ceremony_time_vi"].startswith("08 giờ 30, ")
    again = await intake.client.put(url, json=body, headers=intake.headers())
    assert again.json()["change"] == "unchanged"
    stored = await intake.client.get(url, headers=intake.headers())
    assert stored.json()["place"] == "Hội trường" and stored.json()["revision"] == 1

    records = await _events(server_env()["MOTCUA_KAFKA_BOOTSTRAP"], intake.tenant, 10_000, 8)
    scheduled = [
        decode(r.value)
        for r in records
        if decode(r.value).event_type == "CeremonyScheduled"
        and decode(r.value).dossier_id == d["dossier_id"]
    ]
    assert len(scheduled) == 1
    payload = scheduled[0].payload
    assert payload["place_vi"] == "Hội trường" and payload["schedule_revision"] == 1
    assert datetime.fromisoformat(payload["ceremony_at"]) == at + timedelta(hours=8, minutes=30)
