"""The clerk's desk (issue 19) in headless Chromium against the standalone platform: a clerk
registers (field errors from the 422 beside the field), prints Form 01, moves the dossier to
hand-over with the leader's decision in between, and a registration typed offline arrives
exactly once. Also prints the first-visit weight and time to interactive at 256 kbit/s
(reported, never asserted). Screenshots: tests/artifacts/desk-*.png."""

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

from tests.browser.test_dashboard import ARTIFACTS, HERE, ROOT, _browser
from tests.support.servers import free_port

TENANT = "chieng-khuong"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("desk")
    keys = data / "keys"
    port = free_port()
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "desk_server.py"), str(data / "platform"), str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env={**os.environ, "MOTCUA_DEV_KEYS_DIR": str(keys)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((data / "server.log").read_text())
            try:
                if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url, keys
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_clerk_registers_prints_hands_over_and_offline_arrives_once(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    from motcua_platform.auth.dev_tokens import mint

    chromium, playwright_core = _browser()
    url, keys = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        ["node", str(HERE / "desk.cjs")],
        env={
            **os.environ,
            "PLAYWRIGHT_CORE": playwright_core,
            "CHROMIUM": chromium,
            "URL": f"{url}/",
            "ARTIFACTS": str(ARTIFACTS),
            "USER_DATA_DIR": str(tmp_path / "profile"),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    r = json.loads(run.stdout)
    weight = r["throttled"]
    report = (
        f"desk first visit at 256 kbit/s: {weight['pageBytes']} bytes in "
        f"{weight['requests']} requests, interactive after {weight['interactiveMs']} ms"
    )
    print(report)
    (ARTIFACTS / "desk-page-weight.json").write_text(json.dumps(weight), encoding="utf-8")
    assert r["errors"] == []
    assert r["external"] == [], "the page must load nothing from outside intake"
    assert "Công chức tiếp nhận" in r["who"] and "Chiềng Khương" in r["who"]
    assert "Ngày hẹn trả nếu tiếp nhận bây giờ:" in r["previewDue"]
    assert "12 chữ số" in r["idError"] and r["idInvalid"] == "true"
    assert r["code"] and "Hẹn trả kết quả" in r["detail"]
    assert r["receiptUrl"].startswith("blob:")
    assert "accept" in r["offeredAtReceipt"] and "result-returned" not in r["offeredAtReceipt"]
    assert "accept" not in r["offeredAccepted"]
    assert r["roster"][0] == "Thứ Hai"
    assert "Đã trả kết quả" in r["finalDetail"]
    assert "không còn bước nào" in r["finalSteps"]
    assert "Đang chờ gửi 1 hồ sơ" in r["pendingText"]
    assert r["checklistAfterReset"] == 0  # the cleared form shows no other procedure's list
    assert r["pendingAfter"] == "[]"
    assert r["focusedIsButton"]
    assert not r["navBeforeSignIn"]  # no "Đăng xuất" before anyone signed in
    assert r["pkce"] == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    # Exactly once: one dossier for the applicant typed offline.
    token = mint("clerk", TENANT, keys=keys)
    found = httpx.get(
        f"{url}/api/v1/communes/{TENANT}/dossiers",
        params={"q": "Lường Thị Mất Mạng"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["items"]
    assert len(found) == 1
    for name in ("1-dang-nhap", "2-loi-truong", "3-ho-so", "4-lich-truc", "5-da-tra", "6-cho-gui"):
        assert (ARTIFACTS / f"desk-{name}.png").stat().st_size > 5_000, name
