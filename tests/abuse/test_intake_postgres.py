"""The authorisation matrix once more against intake as its own process on PostgreSQL: the
tenant scoping of real SQL (not SQLite) and a real server, as Kubernetes runs it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.abuse.conftest import record
from tests.abuse.matrix import run_matrix
from tests.abuse.tokens import OWN, good_tokens
from tests.support.dossiers import registration
from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    server_env,
    unique,
)

pytestmark = pytest.mark.integration


def _seed_pilot_communes(database_url: str) -> None:
    from intake.bootstrap import build_runtime, seed_tenants
    from intake.settings import IntakeSettings

    async def _run() -> None:
        runtime = build_runtime(IntakeSettings(database_url=database_url, environment="test"))
        await runtime.migrate()
        await seed_tenants(runtime)
        await runtime.close()

    asyncio.run(_run())


@pytest.fixture(scope="module")
def intake_on_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    env = server_env()
    name = unique("abuse")
    keys = tmp_path_factory.mktemp("abuse-keys")
    good_tokens(keys)  # creates the key pair before the service reads its JWKS
    url = asyncio.run(create_database(env, name))
    process: ServiceProcess | None = None
    try:
        _seed_pilot_communes(url)
        p = "MOTCUA_INTAKE_"
        process = ServiceProcess(
            "intake",
            {
                f"{p}DATABASE_URL": url,
                f"{p}KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
                f"{p}CONSUMER_GROUP": f"{name}-intake",
                f"{p}ENVIRONMENT": "test",
                f"{p}DEV_KEYS_DIR": str(keys),
                f"{p}TENANT_RATE_PER_SECOND": "0",
                f"{p}PRINCIPAL_RATE_PER_SECOND": "0",
                f"{p}LOOKUP_MAX_FAILURES": "1000000",
                f"{p}PUBLIC_RATE_PER_MINUTE": "1000000",
                f"{p}PUBLIC_BURST": "1000000",
            },
            "api",
        )
        process.start(tmp_path_factory.mktemp("abuse-logs"))
        yield process.url, keys
    finally:
        if process is not None:
            process.stop()
        asyncio.run(drop_database(env, name))


def test_intake_on_postgres_refuses_what_the_policy_table_refuses(
    intake_on_postgres: tuple[str, Path],
) -> None:
    url, keys = intake_on_postgres
    clerk = good_tokens(keys)["clerk@own"]
    created = httpx.post(
        f"{url}/api/v1/communes/{OWN}/dossiers",
        json=registration(),
        headers={"Authorization": f"Bearer {clerk}", "Idempotency-Key": "abuse-pg-own"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    spec = httpx.get(f"{url}/openapi.json", timeout=30).json()
    counts, problems = run_matrix(
        {"intake": url}, {"intake": spec}, keys, created.json()["dossier_id"]
    )
    record("authorisation matrix, intake on PostgreSQL", counts)
    assert counts["leaks"] == 0 and counts["bad tokens accepted"] == 0
    assert not problems, "\n".join(problems[:60])
