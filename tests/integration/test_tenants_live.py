"""Tenants on the real PostgreSQL and Kafka, intake as its own process.

- A commune onboarded through the API while another commune's desk is under load is usable
  within 10 seconds, with no error for the busy one; its TenantConfigured is on the compacted
  topic keyed by its id.
- A merger moves the open dossiers of A and B to C (DossierReassigned on the dossier topic),
  leaves the closed ones where they were, and intake's counts add up before and after.
"""

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
    def __init__(self, process: ServiceProcess, run: str, keys: Path, bootstrap: str) -> None:
        self.process, self.run, self.keys, self.bootstrap = process, run, keys, bootstrap
        self.client = httpx.AsyncClient(base_url=process.url, timeout=10)
        self._codes: dict[str, str] = {}

    def headers(self, role: str, tenant: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {dev_tokens.mint(role, tenant, keys_dir=self.keys)}"}

    def tenant_id(self, name: str) -> str:
        return f"it-{self.run[-8:]}.{name}"

    async def onboard(self, tenant: str, **extra: Any) -> dict[str, Any]:
        code = self._codes.setdefault(tenant, f"IT.{self.run[-6:].upper()}.{len(self._codes):03d}")
        body = {
            "name_vi": f"Xã Thử {tenant[-6:]}",
            "unit_type": "xa",
            "agency_code": code,
            "status": "active",
            "office_hours": {"morning": ["07:30", "11:30"], "afternoon": ["13:30", "17:00"]},
            "enabled_procedures": [{"procedure_code": "1.000689", "promised_working_days": 2}],
            "credentials": {"sms": "secret:it-sms"},
            **extra,
        }
        r = await self.client.put(
            f"/api/v1/tenants/{tenant}", json=body, headers=self.headers("operator")
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def register(self, tenant: str) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/communes/{tenant}/dossiers",
            json=dossier_body(),
            headers=self.headers("clerk", tenant),
        )

    async def dossiers(self, tenant: str) -> list[dict[str, Any]]:
        r = await self.client.get(
            f"/api/v1/communes/{tenant}/dossiers?limit=200",
            headers=self.headers("province_monitor"),
        )
        assert r.status_code == 200, r.text
        return r.json()["items"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Intake]:
    env = server_env()
    run = unique("itt")
    tmp = tmp_path_factory.mktemp("tenants")
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
        yield Intake(process, run, keys, env["MOTCUA_KAFKA_BOOTSTRAP"])
    finally:
        process.stop()
        asyncio.run(drop_database(env, run))


@pytest.fixture
async def live(intake: Intake) -> AsyncIterator[Intake]:
    """A client on this test's event loop."""
    intake.client = httpx.AsyncClient(base_url=intake.process.url, timeout=10)
    async with intake.client:
        yield intake


async def _records(
    bootstrap: str, topic: str, wanted: Any, expected: int, wait_s: float = 20
) -> list[Any]:
    """Reads `topic` from the start with a fresh group; keeps the records `wanted` accepts."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=unique("it-tenants"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = time.monotonic() + wait_s
        while len(found) < expected and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [r for r in records if wanted(r)]
        return found
    finally:
        await consumer.stop()


async def test_a_commune_onboarded_under_load_is_usable_within_ten_seconds(
    live: Intake,
) -> None:
    intake = live
    busy, new = intake.tenant_id("ban-ron"), intake.tenant_id("moi")
    await intake.onboard(busy)
    statuses: list[int] = []
    stop = asyncio.Event()

    async def load() -> None:
        while not stop.is_set():
            statuses.append((await intake.register(busy)).status_code)

    workers = [asyncio.create_task(load()) for _ in range(3)]
    await asyncio.sleep(1.0)
    deadline = time.monotonic() + 60  # bounds a hang only; no speed is asserted
    onboarded = await intake.onboard(new, cohorts=["dot-moi"])
    assert onboarded["change"] == "created" and onboarded["revision"] == 1
    while True:
        r = await intake.register(new)
        if r.status_code == 201:
            break
        assert time.monotonic() < deadline, r.text
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*workers)
    assert statuses and set(statuses) == {201}, sorted(set(statuses))
    assert r.json()["code"].startswith(onboarded["agency_code"])

    def is_new(record: Any) -> bool:
        return record.key is not None and record.key.decode() == new

    records = await _records(intake.bootstrap, Topics.TENANTS, is_new, 1)
    assert len(records) == 1
    envelope = decode(records[0].value)
    assert envelope.event_type == "TenantConfigured" and envelope.tenant_id == new
    assert envelope.payload["revision"] == 1 and envelope.payload["cohorts"] == ["dot-moi"]
    assert envelope.payload["senders"] == {"sms.credentials": "secret:it-sms"}
    # A new unit has a leader on duty from its first revision (TenantConfigured v2): its
    # escalations never go to nobody, until its leader sets the roster.
    assert envelope.schema_version == 2
    assert envelope.payload["leader_on_duty"]["official_id"] == f"truc.{new}"
    assert envelope.payload["duty_roster"] == {"weekdays": [], "dates": []}
    # The same onboarding again changes nothing: no new revision, no new event.
    again = await intake.onboard(new, cohorts=["dot-moi"])
    assert again["change"] == "unchanged" and again["revision"] == 1


async def test_a_merger_moves_open_dossiers_and_keeps_the_counts(live: Intake) -> None:
    intake = live
    a, b, c = (intake.tenant_id(x) for x in ("xa-a", "xa-b", "xa-c"))
    await intake.onboard(a)
    await intake.onboard(b)
    opened = [(await intake.register(t)).json() for t in (a, a, a, b, b)]
    for d in (opened[0], opened[3]):  # one refused (closed) in each
        r = await intake.client.post(
            f"/api/v1/communes/{d['tenant_id']}/dossiers/{d['dossier_id']}/refuse",
            json={"reason_codes": ["not_competent"], "reason_text": "Không thuộc thẩm quyền"},
            headers=intake.headers("clerk", d["tenant_id"]),
        )
        assert r.status_code == 200, r.text
    before = {t: await intake.dossiers(t) for t in (a, b)}
    total_before = sum(len(v) for v in before.values())
    open_before = {d["dossier_id"] for v in before.values() for d in v if d["status"] != "refused"}
    r = await intake.client.post(
        "/api/v1/tenants/merge",
        json={
            "sources": [a, b],
            "target": c,
            "target_config": {
                "tenant_id": c,
                "name_vi": "Xã Hợp Nhất",
                "unit_type": "xa",
                "agency_code": f"IT.{intake.run[-6:].upper()}.MRG",
                "status": "active",
            },
            "effective_at": "2026-01-01T00:00:00+07:00",
        },
        headers=intake.headers("operator"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["moved_dossiers"] == 3 and r.json()["closed_dossiers_kept"] == 2
    after = {t: await intake.dossiers(t) for t in (a, b, c)}
    assert sum(len(v) for v in after.values()) == total_before
    assert {d["dossier_id"] for d in after[c]} == open_before
    assert {d["status"] for d in after[a] + after[b]} == {"refused"}
    assert {d["code"] for d in after[c]} == {
        d["code"] for v in before.values() for d in v if d["dossier_id"] in open_before
    }
    assert (await intake.register(a)).json()["code"] == "tenant.merged"
    assert (await intake.register(c)).status_code == 201

    def reassigned(record: Any) -> bool:
        headers = {k: v.decode() for k, v in record.headers}
        return headers.get("ce_type") == "DossierReassigned" and headers.get("motcua_tenant") == c

    records = await _records(intake.bootstrap, Topics.DOSSIERS, reassigned, 3)
    assert {r.key.decode() for r in records} == open_before
    payloads = [decode(r.value).payload for r in records]
    assert {p["from_tenant_id"] for p in payloads} == {a, b}
    assert {p["to_tenant_id"] for p in payloads} == {c}

    def merged_config(record: Any) -> bool:
        return record.key is not None and record.key.decode() in (a, b)

    configs = await _records(intake.bootstrap, Topics.TENANTS, merged_config, 4)
    latest = {r.key.decode(): decode(r.value).payload for r in configs}
    assert {p["status"] for p in latest.values()} == {"merged"}
    assert {p["merged_into"] for p in latest.values()} == {c}


async def test_a_change_is_one_revision_and_an_agency_code_stays_with_its_unit(
    live: Intake,
) -> None:
    """On PostgreSQL the row and its TenantConfigured go in one statement; both or neither."""
    intake = live
    first, second = intake.tenant_id("doi-ten"), intake.tenant_id("trung-ma")
    created = await intake.onboard(first)
    changed = await intake.onboard(first, name_vi="Xã Đổi Tên")
    assert changed["change"] == "changed" and changed["revision"] == created["revision"] + 1
    taken = await intake.client.put(
        f"/api/v1/tenants/{second}",
        json={"name_vi": "Xã Trùng Mã", "unit_type": "xa", "agency_code": created["agency_code"]},
        headers=intake.headers("operator"),
    )
    assert taken.status_code == 422, taken.text
    assert "tenant.agency_code_taken" in taken.text
    missing = await intake.client.get(
        f"/api/v1/tenants/{second}", headers=intake.headers("operator")
    )
    assert missing.status_code == 404

    def about(tenant: str) -> Any:
        return lambda r: r.key is not None and r.key.decode() == tenant

    records = await _records(intake.bootstrap, Topics.TENANTS, about(first), 2)
    revisions = [decode(r.value).payload["revision"] for r in records]
    assert revisions == [1, 2]
    assert decode(records[-1].value).payload["name_vi"] == "Xã Đổi Tên"
    assert await _records(intake.bootstrap, Topics.TENANTS, about(second), 1, wait_s=2) == []
