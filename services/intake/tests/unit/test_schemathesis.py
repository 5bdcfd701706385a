"""Schemathesis against the running API: no 5xx, every response matches the OpenAPI document."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from intake.auth import dev_tokens
from motcua_platform.clock import SystemClock
from motcua_testkit.intake import A, dossier_body, make_desk
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)


@dataclass
class Server:
    url: str
    openapi: dict[str, Any]
    dossier_id: str
    token: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    keys = dev_tokens.ensure_keys(tmp / "keys")
    port_holder: dict[str, Any] = {}
    ready = threading.Event()

    async def main() -> None:
        # Everything async lives on the server's own loop and thread.
        runtime, _ = await make_desk(tmp, keys)
        assert runtime.app is not None
        runtime.app.state.deps.clock = SystemClock()
        config = uvicorn.Config(runtime.app, host="127.0.0.1", port=0, log_config=None)
        uv = uvicorn.Server(config)
        port_holder["server"], port_holder["app"] = uv, runtime.app
        task = asyncio.create_task(uv.serve())
        while not uv.started:  # noqa: ASYNC110 (uvicorn exposes no event)
            await asyncio.sleep(0.02)
        port_holder["port"] = uv.servers[0].sockets[0].getsockname()[1]
        ready.set()
        await task
        await runtime.close()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert ready.wait(30)
    url = f"http://127.0.0.1:{port_holder['port']}"
    token = dev_tokens.mint("leader", A, keys_dir=keys)
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(
        f"{url}/api/v1/communes/{A}/dossiers", json=dossier_body(), headers=headers
    ).json()
    yield Server(url, port_holder["app"].openapi(), created["dossier_id"], token)
    port_holder["server"].should_exit = True
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def test_api_never_fails_and_matches_its_schema(server: Server) -> None:
    """Schemathesis's Python API with Hypothesis directly (its pytest plugin needs no fixture)."""
    api = schemathesis.openapi.from_dict(server.openapi)
    headers = {"Authorization": f"Bearer {server.token}"}
    # /health/ready answers 503 here by design (no broker): the platform owns that route.
    operations = [
        op
        for op in (result.ok() for result in api.get_all_operations())
        if not op.path.startswith("/health")
    ]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            # Mostly the real commune and dossier, so generated bodies reach the use cases.
            params = case.path_parameters or {}
            if "tenant_id" in params:
                params["tenant_id"] = A
            if "dossier_id" in params:
                params["dossier_id"] = server.dossier_id
            case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS)

        run()


def test_every_operation_documents_its_errors_and_examples(server: Server) -> None:
    for path, item in server.openapi["paths"].items():
        for method, op in item.items():
            assert op.get("summary"), (method, path)
            if path.startswith("/api/") or path.startswith("/internal/"):
                assert {"401", "403", "422"} <= set(op["responses"]), (method, path)
    register = server.openapi["components"]["schemas"]["RegisterDossierIn"]
    assert register["properties"]["procedure_code"]["examples"] == ["1.001193"]
