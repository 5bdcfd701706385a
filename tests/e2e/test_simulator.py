"""The simulator drives the standalone platform through its public APIs without an error."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from motcua_platform.clock import AcceleratedClock, SystemClock
from motcua_standalone import check
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


def _simulator(handler: httpx.MockTransport, **kw: object) -> Simulator:
    return Simulator(
        "http://intake",
        "http://workflow",
        ["quyet-thang"],
        SystemClock(),
        http=httpx.AsyncClient(transport=handler),
        not_ready_retries=(0.0, 0.0, 0.0),
        **kw,  # type: ignore[arg-type]
    )


def _not_found(code: str = "dossier.not_found") -> httpx.Response:
    return httpx.Response(404, json={"code": code, "message": "Không tìm thấy hồ sơ."})


APOLOGY = "http://workflow/api/v1/communes/quyet-thang/dossiers/d1/apology"


async def test_a_step_workflow_does_not_know_yet_is_retried_not_counted_as_an_error() -> None:
    answers = iter([_not_found(), _not_found(), httpx.Response(200, json={"ok": True})])
    sim = _simulator(httpx.MockTransport(lambda _: next(answers)))
    done = await sim._lagging_step(APOLOGY, role="leader", tenant="quyet-thang", body={}, name="x")
    assert done == {"ok": True}
    assert sim.report.errors == []
    assert sim.report.retried == 2
    assert sim.report.requests == {"POST 404": 2, "POST 200": 1}


async def test_a_step_workflow_never_catches_up_on_is_skipped_as_not_ready() -> None:
    sim = _simulator(httpx.MockTransport(lambda _: _not_found()))
    done = await sim._lagging_step(
        APOLOGY, role="leader", tenant="quyet-thang", body={}, name="apology"
    )
    assert done is None
    assert sim.report.ok()
    assert sim.report.not_ready == {"apology": 1}
    assert sim.report.requests["POST 404"] == 4  # the first try and three retries


async def test_real_errors_still_fail_the_run() -> None:
    answers = {
        APOLOGY: httpx.Response(500, text="Internal Server Error"),
        "http://workflow/other": _not_found("route.not_found"),
        # Intake registered the dossier itself: not knowing it is a fault, not a lag.
        "http://intake/api/v1/communes/quyet-thang/dossiers/d1/accept": _not_found(),
    }
    sim = _simulator(httpx.MockTransport(lambda request: answers[str(request.url)]))
    for url in (APOLOGY, "http://workflow/other"):
        assert await sim._lagging_step(url, role="leader", tenant="t", body={}, name="n") == {}
    accept = "http://intake/api/v1/communes/quyet-thang/dossiers/d1/accept"
    assert await sim._call("POST", accept, role="clerk", tenant="quyet-thang") == {}
    assert len(sim.report.errors) == 3
    assert sim.report.retried == 0
    assert not sim.report.not_ready


async def test_a_registration_in_flight_when_the_run_ends_is_waited_for_and_counted() -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def intake(request: httpx.Request) -> httpx.Response:
        entered.set()
        await release.wait()
        body = {"dossier_id": "d1", "due_at": datetime.now(VN).isoformat()}
        return httpx.Response(201, json=body)

    sim = _simulator(httpx.MockTransport(intake), concurrency=1)
    registering = [
        asyncio.create_task(sim._register(tenant, "2.000815")())
        for tenant in ("quyet-thang", "chieng-khuong")
    ]
    await entered.wait()  # the first is sent; the second waits for the only connection
    for task in registering:
        task.cancel()  # what the end of a run does to every pending action
    await asyncio.gather(*registering, return_exceptions=True)
    release.set()
    await sim._drain()
    assert sim.report.drained == 1  # the one not sent yet is dropped, as never attempted
    assert sim.report.unanswered == 0
    assert sim.report.registered == sim.report.attempted == {"quyet-thang": 1}
    assert sim.report.dossiers == 1
    assert sim.report.ok()


async def test_the_drain_is_bounded_and_an_unanswered_registration_stays_only_attempted() -> None:
    entered = asyncio.Event()

    async def never(request: httpx.Request) -> httpx.Response:
        entered.set()
        await asyncio.Event().wait()  # never set: the answer never comes
        return httpx.Response(201)

    sim = _simulator(httpx.MockTransport(never), drain_seconds=0.01)
    registering = asyncio.create_task(sim._register("quyet-thang", "2.000815")())
    await entered.wait()
    registering.cancel()
    await asyncio.gather(registering, return_exceptions=True)
    await sim._drain()
    assert (sim.report.drained, sim.report.unanswered) == (1, 1)
    assert sim.report.attempted == {"quyet-thang": 1}
    assert not sim.report.registered


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
    assert summary.splitlines()[-1] == "ĐẠT"  # the verdict is the last line, after shutdown


async def test_the_check_waits_for_analytics_while_it_catches_up_and_not_when_stuck(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counts = iter([1, 2, 3])

    async def catching_up(*_: object, **__: object) -> list[dict[str, object]]:
        return [{"tenant_id": "quyet-thang", "received": next(counts)}]

    monkeypatch.setattr(check, "ranking", catching_up)
    registered = Counter({"quyet-thang": 3})
    day = datetime(2026, 3, 10).date()
    # Each poll sees progress, so a stall bound shorter than the poll never ends the wait.
    verdict = await check.verify(
        "http://analytics", ["quyet-thang"], registered, registered, day, day, stall_seconds=0.1
    )
    assert verdict.ok(), verdict.problems

    async def stuck(*_: object, **__: object) -> list[dict[str, object]]:
        return [{"tenant_id": "quyet-thang", "received": 1}]

    monkeypatch.setattr(check, "ranking", stuck)
    verdict = await check.verify(
        "http://analytics", ["quyet-thang"], registered, registered, day, day, stall_seconds=0.1
    )
    assert verdict.problems == ["quyet-thang: analytics counts 1, simulator registered 3 (sent 3)"]


@pytest.mark.timeout(300)
def test_minutes_stops_the_whole_platform_not_only_the_traffic(tmp_path: Path) -> None:
    # Before: the traffic stopped after --minutes and the four servers kept running forever
    # (this subprocess then hit its timeout). The timeout only bounds a hang.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "motcua_standalone",
            "--simulate",
            "--minutes",
            "0.1",
            "--per-day",
            "5",
            "--data-dir",
            str(tmp_path / "data"),
            "--base-port",
            str(_four_free_ports()),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    summary = "\n".join(line for line in result.stdout.splitlines() if "eyJ" not in line)
    assert result.returncode == 0, summary[-3000:] + result.stderr[-2000:]
    assert "Mô phỏng:" in summary
