"""The matrix is not vacuous: a service that trusts any token and any commune fails it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated

import uvicorn
from fastapi import Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tests.abuse.matrix import run_matrix
from tests.abuse.tokens import OWN
from tests.support.servers import free_port

ROSTER = "/api/v1/communes/{tenant_id}/duty-roster"
_bearer = HTTPBearer(auto_error=False)
AnyToken = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _leaky_app() -> FastAPI:
    app = FastAPI()

    @app.get(ROSTER)
    async def roster(tenant_id: str, _: AnyToken) -> dict[str, str]:
        return {"tenant_id": tenant_id}  # no token check, no commune check

    return app


def test_a_service_that_checks_nothing_is_reported_as_leaking(tmp_path: Path) -> None:
    app = _leaky_app()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        counts, problems = run_matrix(
            {"intake": f"http://127.0.0.1:{port}"}, {"intake": app.openapi()}, tmp_path, "d-1"
        )
    finally:
        server.should_exit = True
        thread.join(30)
    assert counts["secured operations"] == 1
    assert counts["bad tokens accepted"] == 14  # 13 bad tokens and none at all
    assert counts["leaks"] >= 14 + 3  # + monitor-less roles and another commune's clerk/leader
    assert any(p.startswith(f"LEAK intake GET {ROSTER} [clerk@other → {OWN}]") for p in problems)
