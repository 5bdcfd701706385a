"""The simulator drives the standalone platform through its public APIs without an error."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from motcua_platform.clock import AcceleratedClock
from motcua_standalone.check import working_morning
from motcua_standalone.platform import Platform
from motcua_standalone.simulator import Simulator
from motcua_standalone.traffic import Mix, season_factor

from tests.support.servers import free_port

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_tet_lull_and_the_procedure_mix_follow_domain_volumes() -> None:
    assert season_factor(datetime(2026, 2, 10).date()) < season_factor(datetime(2026, 3, 10).date())
    mix = Mix(per_commune_per_day=25)
    daily = {code: mix.daily_rate(code) for code in mix.procedures()}
    assert abs(sum(daily.values()) - 25) < 0.01
    assert daily["2.000815"] > daily["1.001193"] > daily["1.000894"] > daily["1.000656"]
    assert abs(daily["1.001193"] * 250 - 300) < 1e-6  # ≈300 births per commune per year


async def test_a_simulated_working_morning_runs_without_an_error(tmp_path: Path) -> None:
    # Tuesday 09:00 in Sơn La, 600 simulated seconds per real second.
    clock = AcceleratedClock(datetime(2026, 3, 10, 9, 0, tzinfo=VN), 600)
    platform = Platform(tmp_path, clock=clock)
    await platform.start()
    mounts = {
        "http://intake": httpx.ASGITransport(app=platform.runtimes["intake"].app),  # type: ignore[arg-type]
        "http://workflow": httpx.ASGITransport(app=platform.runtimes["workflow"].app),  # type: ignore[arg-type]
    }
    try:
        sim = Simulator(
            "http://intake",
            "http://workflow",
            ["quyet-thang", "chieng-khuong", "moc-chau-tt"],
            clock,
            speed=600,
            mix=Mix(per_commune_per_day=60),
            http=httpx.AsyncClient(mounts=mounts, timeout=30),
        )
        report = await sim.run(real_seconds=12)
    finally:
        await platform.stop()
    assert report.ok(), report.errors[:5]
    assert report.dossiers >= 10


def test_the_check_starts_on_a_working_morning() -> None:
    saturday_noon = datetime(2026, 3, 14, 12, 0, tzinfo=VN)
    assert working_morning(saturday_noon) == datetime(2026, 3, 16, 7, 0, tzinfo=VN)
    tuesday_early = datetime(2026, 3, 10, 5, 30, tzinfo=VN)
    assert working_morning(tuesday_early) == datetime(2026, 3, 10, 7, 0, tzinfo=VN)


def _four_free_ports() -> int:
    for _ in range(50):
        base = free_port()
        try:
            for offset in range(4):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no four consecutive free ports")


@pytest.mark.timeout(900)
def test_the_whole_province_simulated_then_every_commune_on_the_dashboard(tmp_path: Path) -> None:
    # The short version of `make simulate-check`: Sơn La's 75 units onboarded through the API,
    # two simulated hours of traffic, then no error anywhere and every unit counted exactly.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "motcua_standalone",
            "--check",
            "--for",
            "30",
            "--speed",
            "240",
            "--per-day",
            "3",
            "--data-dir",
            str(tmp_path / "data"),
            "--base-port",
            str(_four_free_ports()),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    summary = "\n".join(line for line in result.stdout.splitlines() if "eyJ" not in line)
    assert result.returncode == 0, summary[-4000:] + result.stderr[-2000:]
    assert "75/75 đơn vị trên bảng xếp hạng" in summary
    assert "ĐẠT" in summary.splitlines()[-1]
