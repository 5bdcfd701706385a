"""`motcua-standalone`: the whole platform in one process, for a newcomer's machine.

Same handler code as production; only the database (embedded SQLite files) and the transport
(the in-process bus) differ. `--simulate` adds a living province, with time running faster.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import uvicorn
from motcua_platform.auth.dev_tokens import mint
from motcua_platform.auth.roles import Role
from motcua_platform.clock import AcceleratedClock, Clock, MovableClock, SystemClock
from motcua_platform.logs import configure_logging
from motcua_platform.serve import server_config

from motcua_standalone.check import (
    VN,
    ErrorLog,
    dead_letters,
    onboard_province,
    verify,
    wait_for_communes,
    working_morning,
)
from motcua_standalone.platform import SERVICES, Platform
from motcua_standalone.traffic import Mix

PILOT = ("quyet-thang", "chieng-khuong", "moc-chau-tt")
DEFAULT_DATA_DIR = Path(".run/standalone")


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # One process runs four servers: signals are handled once, below, for all of them.
        yield


async def run(args: argparse.Namespace) -> int:
    clock: Clock = SystemClock()
    if args.check:
        # A working morning, so the whole run sees office hours and not a weekend.
        clock = AcceleratedClock(working_morning(datetime.now(UTC)), args.speed)
    elif args.simulate and args.speed != 1:
        clock = AcceleratedClock(datetime.now(UTC), args.speed)
    # One clock for the four services, movable by an operator (POST /internal/dev/clock on
    # workflow or notify: standalone is never production): the same offset told to both moves
    # it once.
    clock = MovableClock(clock)
    ports = {name: args.base_port + i for i, name in enumerate(SERVICES)}
    urls = {name: f"http://{args.host}:{port}" for name, port in ports.items()}
    platform = Platform(
        args.data_dir,
        clock=clock,
        settings={
            "intake": {"public_base_url": urls["intake"]},
            # The citizen's link in SMS and e-mail: intake's public page on this run's port.
            "notify": {"public_base_url": urls["intake"], "dev_clock": True},
            "workflow": {"dev_clock": True},
        },
    )
    await platform.start()
    servers = [
        _Server(
            server_config(  # proxy headers off, as in production
                platform.runtimes[name].app,  # type: ignore[arg-type]
                host=args.host,
                port=port,
                # Longer than clients keep idle connections (httpx: 5 s), so a client never
                # reuses one the server is closing at that very moment.
                timeout_keep_alive=30,
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
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    jobs = [asyncio.ensure_future(s.serve()) for s in servers]
    outcome = asyncio.ensure_future(
        simulate(args, urls, clock, stop_all, errors) if args.simulate else _forever()
    )
    if args.check:
        outcome.add_done_callback(lambda _: stop_all())  # also when the check itself fails
    try:
        await asyncio.gather(*jobs)
    finally:
        if not outcome.done():
            outcome.cancel()
        await platform.stop()
        logging.getLogger().removeHandler(errors)
    if not outcome.done() or outcome.cancelled():
        return 0
    problems = outcome.result()
    if problems is None:
        return 0
    # The verdict comes after the platform stopped, so an error logged while stopping counts too
    # and the verdict stays the last line a reader (or a test) sees.
    problems = [*problems, *errors.since_mark()]
    for problem in problems[:20]:
        print(f"  vấn đề: {problem}", flush=True)
    print("ĐẠT" if not problems else f"KHÔNG ĐẠT ({len(problems)} vấn đề)", flush=True)
    return 0 if not problems else 1


async def _forever() -> list[str] | None:
    await asyncio.Event().wait()
    return None


async def simulate(
    args: argparse.Namespace,
    urls: dict[str, str],
    clock: Clock,
    stop_all: Callable[[], None],
    errors: ErrorLog,
) -> list[str] | None:
    """Runs the simulator; with --check, verifies the platform and stops it: the problems found."""
    from motcua_standalone.simulator import Simulator

    await asyncio.sleep(1.0)  # let the servers bind
    communes = list(PILOT)
    if args.province:
        communes = await onboard_province(urls["intake"])
        await wait_for_communes(urls["analytics"], communes, local_day(clock), 180)
        print(f"Đã tiếp nhận cấu hình {len(communes)} đơn vị của tỉnh qua API.", flush=True)
    start = local_day(clock)
    seconds = args.seconds or (args.minutes * 60 if args.minutes else 10**9)
    sim = Simulator(
        urls["intake"],
        urls["workflow"],
        communes,
        clock,
        speed=args.speed,
        mix=Mix(per_commune_per_day=args.per_day),
    )
    report = await sim.run(seconds)
    print(
        f"Mô phỏng: {report.dossiers} hồ sơ, {sum(report.requests.values())} yêu cầu "
        f"({dict(report.requests)}), {len(report.errors)} lỗi",
        flush=True,
    )
    print(
        f"  chưa sẵn sàng (workflow chưa nhận được hồ sơ, đã bỏ qua): "
        f"{sum(report.not_ready.values())} {dict(report.not_ready)}, thử lại {report.retried} lần; "
        f"yêu cầu đang chạy lúc dừng: {report.drained}, chưa có trả lời: {report.unanswered}",
        flush=True,
    )
    for error in report.errors[:20]:
        print(f"  lỗi: {error}", flush=True)
    if not args.check:
        if args.minutes or args.seconds:
            stop_all()  # a bounded run stops the whole platform, not only the traffic
        return None
    verdict = await verify(
        urls["analytics"], communes, report.registered, report.attempted, start, local_day(clock)
    )
    stop_all()
    problems = [*report.errors, *errors.records, *verdict.problems]
    if dead_letters():
        problems.append(f"{dead_letters():.0f} dead letters")
    print(
        f"Kiểm tra: {verdict.communes_listed}/{len(communes)} đơn vị trên bảng xếp hạng, "
        f"{verdict.communes_with_dossiers} có hồ sơ, {verdict.received_total} hồ sơ được thống kê "
        f"/ {report.dossiers} đã tiếp nhận; lỗi ghi nhật ký: {len(errors.records)}; "
        f"thư chết: {dead_letters():.0f}; chờ thống kê bắt kịp {verdict.drain_seconds:.1f} s",
        flush=True,
    )
    errors.mark()
    return problems


def local_day(clock: Clock) -> date:
    return clock.now().astimezone(VN).date()


def banner(urls: dict[str, str]) -> str:
    monitor = mint(Role.PROVINCE_MONITOR, None, subject="demo-monitor")
    lines = [
        "motcua đang chạy ở chế độ độc lập (standalone) — Ctrl+C để dừng.",
        f"  Bàn tiếp nhận (mở trong trình duyệt, bấm nút vai trò để đăng nhập): {urls['intake']}/",
        f"  Tiếp nhận hồ sơ (intake):      {urls['intake']}/docs",
        f"  Theo dõi thời hạn (workflow):  {urls['workflow']}/docs",
        f"  Thông báo (notify):            {urls['notify']}/docs",
        f"  Giám sát tỉnh (analytics):     {urls['analytics']}/docs",
        f"  Bảng điều khiển của tỉnh:      {urls['analytics']}/bang-dieu-khien#token={monitor}",
        "",
        "Mã truy cập thử nghiệm (dán vào nút Authorize của /docs):",
    ]
    for tenant in PILOT:
        clerk = mint(Role.CLERK, tenant, subject=f"demo-clerk-{tenant}")
        leader = mint(Role.LEADER, tenant, subject=f"demo-leader-{tenant}")
        lines.append(f"  cán bộ một cửa {tenant}: {clerk}")
        lines.append(f"  lãnh đạo {tenant}:       {leader}")
    lines.append(f"  giám sát của tỉnh: {monitor}")
    lines.append(f"  quản trị viên:     {mint(Role.OPERATOR, None, subject='demo-operator')}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="motcua-standalone")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-port", type=int, default=8001)
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument("--simulate", action="store_true", help="chạy mô phỏng lưu lượng của tỉnh")
    parser.add_argument(
        "--speed",
        type=float,
        default=None,
        help="số giây mô phỏng mỗi giây thực (mặc định 60; 20 khi --check)",
    )
    parser.add_argument("--minutes", type=float, default=0, help="dừng mô phỏng sau N phút thực")
    parser.add_argument("--per-day", type=float, default=25.0, help="hồ sơ mỗi xã mỗi ngày")
    parser.add_argument("--for", dest="seconds", type=float, default=0, help="N giây thực")
    parser.add_argument(
        "--province", action="store_true", help="tiếp nhận cả 75 đơn vị của Sơn La qua API"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="kiểm tra: không lỗi, bảng điều khiển có mọi xã (gồm --simulate --province)",
    )
    args = parser.parse_args()
    if args.check:
        args.simulate = args.province = True
        args.seconds = args.seconds or 600
        if args.data_dir == DEFAULT_DATA_DIR:
            # A fresh platform: the demo's own dossiers would spoil the per-commune counts.
            args.data_dir = Path(tempfile.mkdtemp(prefix="motcua-check-"))
    if args.speed is None:
        # The whole province at 20x is ≈1.5 registrations and ≈10 requests a second: what the
        # one-process standalone keeps up with on 2 shared cores (at 60x its consumers lag).
        args.speed = 20.0 if args.check else 60.0
    configure_logging("standalone", level=args.log_level, as_json=True)
    raise SystemExit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
