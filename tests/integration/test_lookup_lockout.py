"""Two intake API replicas on the real PostgreSQL share the public look-up's lockout: wrong
phone digits for one code count across replicas and client addresses; the QR link stays open."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from intake.auth import dev_tokens
from motcua_testkit.intake import dossier_body

from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    server_env,
    unique,
)

pytestmark = pytest.mark.integration

RIGHT = "5678"  # dossier_body's phone ends 5678


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[list[ServiceProcess], str, Path]]:
    env = server_env()
    run = unique("itl")
    tenant = f"xa-{run[-8:]}"
    tmp = tmp_path_factory.mktemp("lookup")
    keys = dev_tokens.ensure_keys(tmp / "keys")
    url = asyncio.run(create_database(env, run))
    common = {
        "MOTCUA_INTAKE_DATABASE_URL": url,
        "MOTCUA_INTAKE_KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
        "MOTCUA_INTAKE_ENVIRONMENT": "test",
        "MOTCUA_INTAKE_DEV_KEYS_DIR": str(keys),
        "MOTCUA_INTAKE_CONSUMER_GROUP": run,
        # The test plays the ingress: loopback is its trusted proxy, each request names a
        # different citizen, so the per-client limit never decides here.
        "MOTCUA_INTAKE_TRUSTED_PROXIES": "127.0.0.1/32",
    }
    processes = [ServiceProcess("intake", common, "api"), ServiceProcess("intake", common, "api")]
    try:
        for process in processes:  # one after the other: the first one migrates
            process.start(tmp)
        operator = {"Authorization": f"Bearer {dev_tokens.mint('operator', None, keys_dir=keys)}"}
        r = httpx.put(
            f"{processes[0].url}/api/v1/tenants/{tenant}",
            headers=operator,
            json={
                "name_vi": "Xã Kiểm Thử",
                "unit_type": "xa",
                "agency_code": "000.99.97.H50",
                "status": "active",
            },
        )
        assert r.status_code == 200, r.text
        yield processes, tenant, keys
    finally:
        for process in processes:
            process.stop()
        asyncio.run(drop_database(env, run))


async def _register(process: ServiceProcess, tenant: str, keys: Path) -> dict[str, str]:
    clerk = {"Authorization": f"Bearer {dev_tokens.mint('clerk', tenant, keys_dir=keys)}"}
    async with httpx.AsyncClient(base_url=process.url, timeout=10, headers=clerk) as client:
        r = await client.post(f"/api/v1/communes/{tenant}/dossiers", json=dossier_body())
        assert r.status_code == 201, r.text
        d = r.json()
        accepted = await client.post(f"/api/v1/communes/{tenant}/dossiers/{d['dossier_id']}/accept")
        assert accepted.status_code == 200, accepted.text
    return d  # type: ignore[no-any-return]


async def _guess(process: ServiceProcess, code: str, digits: str, citizen: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=process.url, timeout=10) as client:
        return await client.get(
            "/tra-cuu",
            params={"ma": code, "sdt4": digits},
            headers={"X-Forwarded-For": citizen, "Accept": "application/json"},
        )


async def test_wrong_guesses_on_two_replicas_lock_the_code_for_everyone(
    replicas: tuple[list[ServiceProcess], str, Path],
) -> None:
    (a, b), tenant, keys = replicas
    d = await _register(a, tenant, keys)
    for i in range(5):  # alternating replicas, a different citizen address each time
        miss = await _guess((a, b)[i % 2], d["code"], f"{i + 1:04d}", f"203.0.113.{i + 1}")
        assert miss.status_code == 404, miss.text
    for process in (a, b):  # the right digits, from a fresh address, on either replica
        locked = await _guess(process, d["code"], RIGHT, "198.51.100.200")
        assert locked.status_code == 429, locked.text
        assert locked.json()["code"] == "lookup.locked"
        assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    path = "/" + d["public_url"].split("/", 3)[3]  # the printed receipt's QR link
    async with httpx.AsyncClient(base_url=b.url, timeout=10) as client:
        qr = await client.get(path)
    assert qr.status_code == 200 and d["code"] in qr.text


async def test_parallel_guesses_on_both_replicas_get_five_answers_at_most(
    replicas: tuple[list[ServiceProcess], str, Path],
) -> None:
    (a, b), tenant, keys = replicas
    d = await _register(b, tenant, keys)
    answers = await asyncio.wait_for(
        asyncio.gather(
            *(
                _guess((a, b)[i % 2], d["code"], f"{1000 + i:04d}", f"198.51.100.{i + 1}")
                for i in range(30)
            )
        ),
        60,
    )
    statuses = [r.status_code for r in answers]
    assert statuses.count(404) <= 5 and statuses.count(429) >= 25, statuses
    assert set(statuses) <= {404, 429}
