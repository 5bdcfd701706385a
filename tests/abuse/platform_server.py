"""The four services of the standalone platform served on loopback from a background thread.

One process, the same composition roots as `make demo` (SQLite + the in-process bus); real HTTP
so that schemathesis and the matrix send exactly what a client would.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from motcua_standalone.platform import SERVICES, Platform

from tests.support.servers import free_port

# High limits: the suite sends thousands of requests from one address and one commune. Settings
# another engineer adds later are passed only if the service knows them (see `_known`).
# The limits have their own tests; here thousands of requests per token must reach the routes.
_API = {"principal_rate_per_second": 0.0, "tenant_rate_per_second": 0.0}
LIMITS: dict[str, dict[str, Any]] = {
    "intake": {
        **_API,
        "public_rate_per_minute": 1_000_000.0,
        "public_burst": 1_000_000,
        "lookup_max_failures": 1_000_000,
    },
    "workflow": _API,
    "notify": _API,
    "analytics": _API,
}


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the test process keeps its own signal handlers


def _known(name: str, values: dict[str, Any]) -> dict[str, Any]:
    from motcua_standalone.platform import _factories

    settings_cls = _factories()[name][1]
    return {k: v for k, v in values.items() if k in settings_cls.model_fields}


@dataclass
class RunningPlatform:
    data_dir: Path
    keys_dir: Path
    urls: dict[str, str] = field(default_factory=dict)
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _stop: asyncio.Event | None = None
    _error: BaseException | None = None

    def start(self, timeout: float = 60.0) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("the standalone platform did not start")
        if self._error is not None:
            raise self._error

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as exc:  # reported to the test thread
            self._error = exc
            ready.set()
        finally:
            loop.close()

    async def _serve(self, ready: threading.Event) -> None:
        ports = {name: free_port() for name in SERVICES}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        settings = {
            name: {
                "dev_keys_dir": str(self.keys_dir),
                **_known(name, LIMITS.get(name, {})),
                **({"public_base_url": self.urls["intake"]} if name == "intake" else {}),
            }
            for name in SERVICES
        }
        platform = Platform(self.data_dir, settings=settings)
        await platform.start()
        servers = [
            _Server(
                uvicorn.Config(
                    platform.runtimes[name].app,  # type: ignore[arg-type]
                    host="127.0.0.1",
                    port=port,
                    log_config=None,
                    log_level="warning",
                    timeout_keep_alive=30,
                )
            )
            for name, port in ports.items()
        ]
        jobs = [asyncio.ensure_future(s.serve()) for s in servers]
        for _ in range(1200):  # up to 60 s for the sockets to listen
            if all(s.started for s in servers):
                break
            await asyncio.sleep(0.05)
        else:
            raise TimeoutError("the HTTP servers did not start")
        self.specs = {name: platform.runtimes[name].app.openapi() for name in SERVICES}
        self._stop = asyncio.Event()
        ready.set()
        try:
            await self._stop.wait()
        finally:
            for s in servers:
                s.should_exit = True
            await asyncio.gather(*jobs, return_exceptions=True)
            await platform.stop()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(60)
