"""All four services in one process over the embedded database and the in-process bus."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from motcua_platform.clock import Clock
from motcua_platform.messaging.local_bus import LocalBus
from motcua_platform.messaging.transport import LocalTransport
from motcua_platform.runtime import ServiceRuntime

SERVICES = ("intake", "workflow", "notify", "analytics")
INTAKE_IN_PROCESS = "http://intake.in-process"


def _in_process_client(intake: ServiceRuntime) -> httpx.AsyncClient:
    """Routes calls to intake's URL to its ASGI app; any other URL (providers) goes out as usual."""
    return httpx.AsyncClient(
        mounts={INTAKE_IN_PROCESS: httpx.ASGITransport(app=intake.app)},  # type: ignore[arg-type]
        timeout=30,
    )


def _factories() -> dict[str, tuple[Callable[..., ServiceRuntime], type]]:
    from analytics.bootstrap import build_runtime as analytics
    from analytics.settings import AnalyticsSettings
    from intake.bootstrap import build_runtime as intake
    from intake.settings import IntakeSettings
    from notify.bootstrap import build_runtime as notify
    from notify.settings import NotifySettings
    from workflow.bootstrap import build_runtime as workflow
    from workflow.settings import WorkflowSettings

    return {
        "intake": (intake, IntakeSettings),
        "workflow": (workflow, WorkflowSettings),
        "notify": (notify, NotifySettings),
        "analytics": (analytics, AnalyticsSettings),
    }


def build_runtimes(
    data_dir: Path,
    *,
    clock: Clock | None = None,
    settings: dict[str, dict[str, Any]] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> dict[str, ServiceRuntime]:
    """Same composition roots as production; only the database URL and transport differ."""
    runtimes: dict[str, ServiceRuntime] = {}
    overrides = {k: dict(v) for k, v in (overrides or {}).items()}
    for name, (build, settings_cls) in _factories().items():
        if name == "notify" and "intake" in runtimes:
            # One process: notify asks intake for contact data in-process, not over the network.
            notify_overrides = overrides.setdefault("notify", {})
            notify_overrides.setdefault("http", _in_process_client(runtimes["intake"]))
            settings = {**(settings or {})}
            settings["notify"] = {**settings.get("notify", {}), "intake_url": INTAKE_IN_PROCESS}
        values = {
            "database_url": f"sqlite+aiosqlite:///{data_dir / f'{name}.db'}",
            "transport": "local",
            "environment": "development",
            # The demo's stand-in gateways run on loopback: the only hosts its notify may name.
            **({"gateway_hosts": "127.0.0.1,localhost"} if name == "notify" else {}),
            **(settings or {}).get(name, {}),
        }
        kwargs = dict(overrides.get(name, {}))
        if clock is not None and "clock" in inspect.signature(build).parameters:
            kwargs.setdefault("clock", clock)
        runtimes[name] = build(settings_cls(**values), **kwargs)
    return runtimes


class Platform:
    """Usable from tests without HTTP servers, and by the launcher with them."""

    def __init__(
        self,
        data_dir: Path,
        *,
        clock: Clock | None = None,
        settings: dict[str, dict[str, Any]] | None = None,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.bus = LocalBus(data_dir / "bus.db")
        self.transport = LocalTransport(self.bus)
        self.runtimes = build_runtimes(
            data_dir, clock=clock, settings=settings, overrides=overrides
        )

    async def start(self, *, seed: bool = True, only: set[str] | None = None) -> None:
        """`only` starts a subset of the services (tests use it to simulate one being down)."""
        from intake.bootstrap import seed_tenants

        await self.bus.start()
        if only is not None:
            self.runtimes = {k: v for k, v in self.runtimes.items() if k in only}
        for runtime in self.runtimes.values():
            await runtime.migrate()
            runtime.wire(self.transport)
        if seed and "intake" in self.runtimes:
            await seed_tenants(self.runtimes["intake"])
        await self.transport.start()
        for runtime in self.runtimes.values():
            runtime.start_background()

    async def stop(self) -> None:
        for runtime in self.runtimes.values():
            await runtime.stop_background()
        await self.transport.stop()
        for runtime in self.runtimes.values():
            await runtime.close()
        await self.bus.close()
