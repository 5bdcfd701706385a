"""The operators' commands as the README writes them: listed in --help, errors in Vietnamese."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from intake.__main__ import main

ROOT = Path(__file__).resolve().parents[4]


def test_help_lists_onboard_and_dev_token(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for command in ("serve", "migrate", "seed-pilot", "onboard", "dev-token"):
        assert command in out


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens


def test_onboard_without_a_service_says_so_in_vietnamese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_INTAKE_DEV_KEYS_DIR", str(tmp_path / "keys"))
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(SystemExit) as done:
        main(["onboard", str(ROOT / "data/tenants/son-la-2025.json"), "--url", url])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert f"không kết nối được tới dịch vụ tiếp nhận tại {url}" in err
    assert "Traceback" not in err and "httpx" not in err


def test_onboard_of_a_missing_file_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["onboard", "/khong/co/tep.json"])
    assert done.value.code == 2
    assert "không tìm thấy tệp /khong/co/tep.json" in capsys.readouterr().err
