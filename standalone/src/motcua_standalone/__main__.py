"""`motcua-standalone`: the whole platform in one process, for a newcomer's machine.

Same handler code as production; only the database (embedded SQLite files) and the transport
(the in-process bus) differ. `--simulate` adds a living province, with time running faster.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from motcua_platform.auth.dev_tokens import mint
from motcua_platform.clock import AcceleratedClock, Clock, SystemClock
from motcua_platform.logs import configure_logging

from motcua_standalone.platform import SERVICES, Platform

PILOT = ("quyet-thang", "chieng-khuong", "moc-chau-tt")


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # One process runs four servers: signals are handled once, below, for all of them.
        yield


async def run(args: argparse.Namespace) -> None:
    clock: Clock = SystemClock()
    if args.simulate and args.speed != 1:
        clock = AcceleratedClock(datetime.now(UTC), args.speed)
    ports = {name: args.base_port + i for i, name in enumerate(SERVICES)}
    urls = {name: f"http://{args.host}:{port}" for name, port in ports.items()}
    platform = Platform(
        args.data_dir,
        clock=clock,
        settings={
            "intake": {"public_base_url": urls["intake"]},
        },
    )
    await platform.start()
    servers = [
        _Server(
            uvicorn.Config(
                platform.runtimes[name].app,  # type: ignore[arg-type]
                host=args.host,
                port=port,
                log_config=None,
            )
        )
        for name, port in ports.items()
    ]

    def stop_all() -> None:
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_all)
    print(banner(urls), flush=True)
    jobs = [asyncio.ensure_future(s.serve()) for s in servers]
    if args.simulate:
        jobs.append(asyncio.ensure_future(simulate(args, urls, clock, stop_all)))
    try:
        await asyncio.gather(*jobs)
    finally:
        await platform.stop()


async def simulate(
    args: argparse.Namespace, urls: dict[str, str], clock: Clock, done: object
) -> None:
    from motcua_standalone.simulator import Simulator

    await asyncio.sleep(1.0)  # let the servers bind
    sim = Simulator(urls["intake"], urls["workflow"], list(PILOT), clock, speed=args.speed)
    report = await sim.run(args.minutes * 60 if args.minutes else 10**9)
    print(
        f"Mô phỏng: {report.dossiers} hồ sơ, {sum(report.requests.values())} yêu cầu, "
        f"{len(report.errors)} lỗi",
        flush=True,
    )
    for error in report.errors[:20]:
        print(f"  lỗi: {error}", flush=True)


def banner(urls: dict[str, str]) -> str:
    monitor = mint("province_monitor", None, subject="demo-monitor")
    lines = [
        "motcua đang chạy ở chế độ độc lập (standalone) — Ctrl+C để dừng.",
        f"  Tiếp nhận hồ sơ (intake):      {urls['intake']}/docs",
        f"  Theo dõi thời hạn (workflow):  {urls['workflow']}/docs",
        f"  Thông báo (notify):            {urls['notify']}/docs",
        f"  Giám sát tỉnh (analytics):     {urls['analytics']}/docs",
        f"  Bảng điều khiển của tỉnh:      {urls['analytics']}/bang-dieu-khien#token={monitor}",
        "",
        "Mã truy cập thử nghiệm (dán vào nút Authorize của /docs):",
    ]
    for tenant in PILOT:
        lines.append(
            f"  cán bộ một cửa {tenant}: {mint('clerk', tenant, subject=f'demo-clerk-{tenant}')}"
        )
        lines.append(
            f"  lãnh đạo {tenant}:       {mint('leader', tenant, subject=f'demo-leader-{tenant}')}"
        )
    lines.append(f"  giám sát của tỉnh: {monitor}")
    lines.append(f"  quản trị viên:     {mint('operator', None, subject='demo-operator')}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="motcua-standalone")
    parser.add_argument("--data-dir", type=Path, default=Path(".run/standalone"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-port", type=int, default=8001)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--simulate", action="store_true", help="chạy mô phỏng lưu lượng của tỉnh")
    parser.add_argument("--speed", type=float, default=60.0, help="số giây mô phỏng mỗi giây thực")
    parser.add_argument("--minutes", type=float, default=0, help="dừng mô phỏng sau N phút thực")
    args = parser.parse_args()
    configure_logging("standalone", level=args.log_level, as_json=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
