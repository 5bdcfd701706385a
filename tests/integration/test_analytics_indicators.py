"""Analytics as its own process on the real Kafka and PostgreSQL: a scripted month of dossiers
for two fresh communes, every indicator checked against values computed by hand here.

The reference month is `motcua_testkit.analytics.reference_month` (its docstring lists the
dossiers). The period 1–20 March 2026 is in the past, so "in progress" is counted at its
end (21 March 00:00, Vietnam) and the numbers do not depend on today's date.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from motcua_contracts.codec import encode
from motcua_platform.auth.dev_tokens import mint
from motcua_testkit.analytics import reference_month

from tests.support.servers import ServiceProcess, create_database, drop_database, unique

pytestmark = pytest.mark.integration

MARCH = {"from": "2026-03-01", "to": "2026-03-20"}
PII = {
    # not inside a UUID or a dossier code (digits joined by "-" or ".")
    "id_number": re.compile(r"(?<![\w.-])0\d{11}(?![\w.-])"),
    "phone": re.compile(r"(?<![\w.-])0\d{9}(?![\w.-])"),
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}"),
}
FORBIDDEN_COLUMNS = re.compile(r"name(?!_vi)|phone|email|address|id_number|comment|birth|note")


@dataclass
class Run:
    a: str
    b: str
    url: str
    dsn: str
    env: dict[str, str]
    keys: Path
    process: ServiceProcess
    log_dir: Path

    def headers(self, role: str = "province_monitor", tenant: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint(role, tenant, keys=self.keys)}"}


async def _produce(bootstrap: str, a: str, b: str) -> int:
    envelopes = reference_month(a, b).envelopes
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for envelope in envelopes:
            wire = encode(envelope)
            headers = [(k, v.encode()) for k, v in wire.headers.items()]
            await producer.send(wire.topic, wire.value, key=wire.key.encode(), headers=headers)
        await producer.flush()
    finally:
        await producer.stop()
    return len(envelopes)


@pytest.fixture(scope="module")
def run(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    name = unique("it_analytics")
    a, b = f"xa-{name[-8:]}", f"phuong-{name[-8:]}"
    log_dir = tmp_path_factory.mktemp("analytics-logs")
    keys = log_dir / "keys"
    dsn = asyncio.run(create_database(env, name))
    asyncio.run(_produce(env["MOTCUA_KAFKA_BOOTSTRAP"], a, b))
    service_env = {
        "MOTCUA_ANALYTICS_DATABASE_URL": dsn,
        "MOTCUA_ANALYTICS_KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
        "MOTCUA_ANALYTICS_CONSUMER_GROUP": f"it-{name}",
        "MOTCUA_ANALYTICS_ENVIRONMENT": "test",
        "MOTCUA_ANALYTICS_DEV_KEYS_DIR": str(keys),
        "MOTCUA_ANALYTICS_METRICS_REFRESH_SECONDS": "0.5",
    }
    process = ServiceProcess("analytics", service_env, "api,consumer")
    try:
        process.start(log_dir)
        yield Run(a, b, process.url, dsn, service_env, keys, process, log_dir)
    finally:
        process.stop()
        asyncio.run(drop_database(env, name))


@pytest.fixture
async def client(run: Run) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=run.url, headers=run.headers(), timeout=10) as c:
        yield c


async def _settled(client: httpx.AsyncClient, run: Run) -> dict[str, Any]:
    """Waits until every scripted event of commune a is in the projection."""
    deadline = time.monotonic() + 60
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = (await client.get("/api/v1/indicators", params={**MARCH, "commune": run.a})).json()
        c, s = body["counts"], body["satisfaction"]
        if (c["received"], c["resolved"], c["returned"], s["rated"], c["apologies"]) == (
            8,
            4,
            3,
            3,
            1,
        ) and c["overdue_now"] == 1:
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"analytics did not settle: {body}")


def _value(body: dict[str, Any], key: str) -> float | None:
    return next(i["value"] for i in body["indicators"] if i["key"] == key)


async def test_indicators_of_a_commune_equal_the_hand_computed_values(
    client: httpx.AsyncClient, run: Run
) -> None:
    body = await _settled(client, run)
    c = body["counts"]
    # received: d1..d8 in March (d11 came in February) — one online (d4)
    assert (c["received"], c["received_online"]) == (8, 1)
    # resolved in March: d1 early, d2 on time, d3 and d11 late
    assert (c["resolved_early"], c["resolved_on_time"], c["resolved_late"]) == (1, 1, 2)
    # open at the end of 20 March: d5 (due 22/3) and d8 (due 28/3) within time, d4 overdue
    assert (c["in_progress_within_time"], c["overdue_now"]) == (2, 1)
    assert (c["supplements"], c["refusals"], c["withdrawals"]) == (1, 1, 1)
    assert (c["apologies"], c["apologies_late"], c["returned"], c["returned_online"]) == (
        1,
        0,
        3,
        1,
    )
    assert _value(body, "on_time_rate") == pytest.approx(2 / 4)
    assert _value(body, "d766_group2") == pytest.approx((1 + 1 + 2) / (4 + 3))
    assert _value(body, "d766_5_4") == pytest.approx(1 - ((2 + 1) / 7 + 1 / 4))
    assert _value(body, "d766_online") == pytest.approx(1 / 8)
    assert _value(body, "d766_e_result") == pytest.approx(1 / 3)
    assert _value(body, "satisfied_share") == pytest.approx(2 / 3)
    group2 = next(i for i in body["indicators"] if i["key"] == "d766_group2")
    assert group2["points"] == pytest.approx(round(20 * 4 / 7, 2))
    # working hours 07:30-11:30 + 13:30-17:00: d1 8.5, d2 22, d3 30, d11 24.5
    assert body["mean_processing_hours"] == pytest.approx((8.5 + 22 + 30 + 24.5) / 4)
    assert body["median_processing_hours"] == pytest.approx((22 + 24.5) / 2)
    s = body["satisfaction"]
    assert (s["khong_hai_long"], s["hai_long"], s["rat_hai_long"]) == (1, 1, 1)
    assert s["mean_evaluation_points"] == pytest.approx((18 + 14) / 2)


async def test_both_communes_ranking_cohort_and_live_list(
    client: httpx.AsyncClient, run: Run
) -> None:
    await _settled(client, run)
    both = {**MARCH, "commune": [run.a, run.b]}
    body = (await client.get("/api/v1/indicators", params=both)).json()
    # b adds d9 (late: workflow's clock) and d10 (overdue at the end of the period)
    assert body["counts"]["received"] == 10
    assert _value(body, "d766_group2") == pytest.approx(4 / 9)
    ranking = (await client.get("/api/v1/ranking", params=both)).json()
    assert [(r["tenant_id"], r["name_vi"]) for r in ranking] == [
        (run.a, "Xã Chiềng Khương"),
        (run.b, "Phường Tô Hiệu"),
    ]
    pilot = (await client.get("/api/v1/indicators", params={**both, "cohort": "pilot"})).json()
    assert pilot["communes"] == [run.a]
    # Today is long after March 2026: every open dossier (d4, d5, d8, d10) is late now.
    late = (await client.get("/api/v1/late-dossiers", params={"commune": [run.a, run.b]})).json()
    assert sorted((d["tenant_id"], d["status"]) for d in late) == sorted(
        [(run.a, "late")] * 3 + [(run.b, "late")]
    )
    csv = await client.get("/api/v1/export.csv", params={**both, "kind": "ranking"})
    assert csv.text.count(run.a) == 1


async def test_a_commune_account_sees_only_its_commune(run: Run) -> None:
    async with httpx.AsyncClient(base_url=run.url, timeout=10) as anonymous:
        assert (await anonymous.get("/api/v1/indicators")).status_code == 401
        leader = run.headers("leader", run.a)
        own = await anonymous.get("/api/v1/ranking", params=MARCH, headers=leader)
        assert [r["tenant_id"] for r in own.json()] == [run.a]
        other = await anonymous.get("/api/v1/indicators", params={"commune": run.b}, headers=leader)
        assert other.status_code == 403
        assert other.json()["code"] == "analytics.forbidden_commune"


async def test_prometheus_gauges_per_commune(client: httpx.AsyncClient, run: Run) -> None:
    await _settled(client, run)
    pattern = re.compile(rf'motcua_commune_overdue_dossiers\{{tenant="{run.a}"\}} (\S+)')
    for _ in range(50):
        match = pattern.search((await client.get("/metrics")).text)
        if match and float(match.group(1)) == 3:  # d4, d5, d8 are past due today
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("gauge motcua_commune_overdue_dossiers never reached 3")
    metrics = (await client.get("/metrics")).text
    assert f'motcua_commune_apologies_month{{tenant="{run.a}"}}' in metrics
    assert f'motcua_commune_on_time_ratio{{tenant="{run.a}"}}' in metrics
    assert "dossier_id" not in metrics and "dossier_code" not in metrics


async def _rows(dsn: str, tenants: tuple[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    conn = await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return {
            "facts": [
                tuple(r)
                for r in await conn.fetch(
                    "SELECT * FROM dossier_facts WHERE resolving_tenant_id = ANY($1) "
                    "ORDER BY dossier_id",
                    list(tenants),
                )
            ],
            "daily": [
                tuple(r)
                for r in await conn.fetch(
                    "SELECT * FROM daily_indicators WHERE tenant_id = ANY($1) "
                    "ORDER BY tenant_id, procedure_code, field_code, day",
                    list(tenants),
                )
            ],
            "tenants": [
                tuple(r)
                for r in await conn.fetch(
                    "SELECT * FROM tenants WHERE tenant_id = ANY($1) ORDER BY tenant_id",
                    list(tenants),
                )
            ],
        }
    finally:
        await conn.close()


async def test_no_personal_data_in_the_analytics_database(
    client: httpx.AsyncClient, run: Run
) -> None:
    await _settled(client, run)
    # the patterns do find what they look for (a scan that finds nothing proves nothing)
    assert PII["id_number"].search("CCCD 014095012345") and PII["phone"].search("0912345678")
    assert not PII["id_number"].search("f84efab3-eabe-4fa5-ba39-044189795429")
    conn = await asyncpg.connect(run.dsn.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
        bad_columns = [
            (r["table_name"], r["column_name"])
            for r in columns
            if FORBIDDEN_COLUMNS.search(r["column_name"]) and r["table_name"] != "alembic_version"
        ]
        assert bad_columns == []
        found = []
        for table in {r["table_name"] for r in columns}:
            for row in await conn.fetch(f'SELECT * FROM "{table}"'):
                for value in row.values():
                    text = str(value)
                    # free texts that travel in events (missing documents, the official who
                    # signed the apology) must not be kept either
                    if "Tờ khai" in text or "official-1" in text:
                        found.append((table, text))
                    found += [
                        (table, f"{kind}: {text}") for kind, rx in PII.items() if rx.search(text)
                    ]
        assert found == []
    finally:
        await conn.close()


async def test_a_rebuilt_projection_equals_the_live_one(
    client: httpx.AsyncClient, run: Run
) -> None:
    await _settled(client, run)
    live = await _rows(run.dsn, (run.a, run.b))
    assert len(live["facts"]) == 11 and len(live["tenants"]) == 2
    run.process.stop()
    try:
        rebuilt = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "analytics", "rebuild"],
            env={**os.environ, **run.env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert rebuilt.returncode == 0, rebuilt.stdout[-2000:] + rebuilt.stderr[-2000:]
        assert "đã dựng lại số liệu" in rebuilt.stdout
        assert await _rows(run.dsn, (run.a, run.b)) == live
    finally:
        run.process.start(run.log_dir)
    # the restarted service continues from the rebuild's consumer group
    body = (await client.get("/api/v1/indicators", params={**MARCH, "commune": run.a})).json()
    assert body["counts"]["received"] == 8
