"""The dashboard in headless Chromium (Debian's package) driven by playwright-core."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
HERE = Path(__file__).resolve().parent


def _browser() -> tuple[str, str]:
    """Installs Debian's chromium and playwright-core if missing (quick when present)."""
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "lib" / "browser.sh")],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    paths = dict(line.split(": ", 1) for line in out.strip().splitlines())
    return paths["chromium"], paths["playwright-core"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "dashboard_server.py"), str(data), str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((data / "server.log").read_text())
            try:
                if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url, data / "keys"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_province_dashboard_loads_and_drills_down_to_a_commune(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    from motcua_platform.auth.dev_tokens import mint

    chromium, playwright_core = _browser()
    url, keys = server
    token = mint("province_monitor", None, keys=keys)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "dashboard.png"
    run = subprocess.run(
        ["node", str(HERE / "dashboard.cjs")],
        env={
            **os.environ,
            "PLAYWRIGHT_CORE": playwright_core,
            "CHROMIUM": chromium,
            "URL": f"{url}/bang-dieu-khien?from=2026-03-01&to=2026-03-20#token={token}",
            "SCREENSHOT": str(screenshot),
            "USER_DATA_DIR": str(tmp_path / "profile"),
        },
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout)
    assert result["errors"] == []
    assert result["external"] == [], "the page must load nothing from outside the service"
    assert not result["tokenLeftInUrl"]
    assert "Giải quyết đúng hạn" in result["cards"]
    assert result["ranking"] == ["Xã Chiềng Khương", "Phường Tô Hiệu"]
    assert result["late"] == 3
    assert result["pilotShown"]
    assert result["focusedIsButton"]
    assert result["drillTitle"] == "Chi tiết: Xã Chiềng Khương"
    assert result["scope"] == "Xã Chiềng Khương"
    assert result["focusAfterDrill"] == "tieu-de-xa"
    assert result["procedures"] == ["Thay đổi, cải chính thông tin hộ tịch (1.004859)"]
    assert result["receivedCard"] == "8"
    assert screenshot.stat().st_size > 10_000
