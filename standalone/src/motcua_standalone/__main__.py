"""`motcua-standalone`: the whole platform in one process, for a newcomer's machine.

Same handler code as production; only the database (embedded SQLite files) and the transport
(the in-process bus) differ.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from motcua_platform.logs import configure_logging
from motcua_platform.messaging.local_bus import LocalBus
from motcua_platform.messaging.transport import LocalTransport
from motcua_platform.runtime import ServiceRuntime


@dataclass(frozen=True)
class Ports:
    intake: int
    workflow: int
    notify: int
    analytics: int


def build_runtimes(data_dir: Path, **intake_overrides: Any) -> dict[str, ServiceRuntime]:
    from analytics.bootstrap import build_runtime as analytics
    from analytics.settings import AnalyticsSettings
    from intake.bootstrap import build_runtime as intake
    from intake.settings import IntakeSettings
    from notify.bootstrap import build_runtime as notify
    from notify.settings import NotifySettings
    from workflow.bootstrap import build_runtime as workflow
    from workflow.settings import WorkflowSettings

    def url(name: str) -> str:
        return f"sqlite+aiosqlite:///{data_dir / f'{name}.db'}"

    common = {"transport": "local", "environment": "development"}
    return {
        "intake": intake(
            IntakeSettings(database_url=url("intake"), **common),  # type: ignore[arg-type]
            **intake_overrides,
        ),
        "workflow": workflow(WorkflowSettings(database_url=url("workflow"), **common)),  # type: ignore[arg-type]
        "notify": notify(NotifySettings(database_url=url("notify"), **common)),  # type: ignore[arg-type]
        "analytics": analytics(AnalyticsSettings(database_url=url("analytics"), **common)),  # type: ignore[arg-type]
    }


class Platform:
    """All four runtimes over one in-process bus; usable from tests without HTTP servers."""

    def __init__(self, data_dir: Path, **intake_overrides: Any) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.bus = LocalBus(data_dir / "bus.db")
        self.transport = LocalTransport(self.bus)
        self.runtimes = build_runtimes(data_dir, **intake_overrides)

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


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # One process runs four servers: signals are handled once, below, for all of them.
        yield


async def run(data_dir: Path, host: str, ports: Ports) -> None:
    platform = Platform(data_dir)
    await platform.start()
    servers = [
        _Server(uvicorn.Config(platform.runtimes[name].app, host=host, port=port, log_config=None))  # type: ignore[arg-type]
        for name, port in vars(ports).items()
    ]
    loop = asyncio.get_running_loop()

    def stop_all() -> None:
        for server in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_all)
    print(_banner(host, ports), flush=True)
    try:
        await asyncio.gather(*(s.serve() for s in servers))
    finally:
        await platform.stop()


def _banner(host: str, p: Ports) -> str:
    return "\n".join(
        [
            "motcua đang chạy ở chế độ độc lập (standalone) — Ctrl+C để dừng.",
            f"  Tiếp nhận hồ sơ (intake):  http://{host}:{p.intake}/docs",
            f"  Theo dõi thời hạn (workflow): http://{host}:{p.workflow}/docs",
            f"  Thông báo (notify):        http://{host}:{p.notify}/docs",
            f"  Giám sát tỉnh (analytics): http://{host}:{p.analytics}/docs",
            "  Đơn vị thí điểm: quyet-thang, chieng-khuong, moc-chau-tt",
            f"  Thử: POST http://{host}:{p.intake}/api/v1/communes/quyet-thang/dossiers",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="motcua-standalone")
    parser.add_argument("--data-dir", type=Path, default=Path(".run/standalone"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-port", type=int, default=8001)
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args()
    configure_logging("standalone", level=args.log_level, as_json=True)
    b = args.base_port
    asyncio.run(run(args.data_dir, args.host, Ports(b, b + 1, b + 2, b + 3)))


if __name__ == "__main__":
    main()
