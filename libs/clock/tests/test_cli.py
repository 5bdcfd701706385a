"""The operator command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from motcua_clock.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_due_prints_iso_moments_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "due", "--procedure", "1.001193", "--received", "2026-02-13T16:00+07:00"
    )
    assert code == 0
    assert "Hạn trả kết quả: 2026-02-23T17:00:00+07:00" in out
    for kind in ("share_50", "share_75", "apology_due", "due"):
        assert kind in out
    assert "Giao thừa Tết Nguyên Đán" in out
    assert "nghỉ cuối tuần" in out


def test_due_with_pauses_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "due",
        "--procedure",
        "1.004859",
        "--received",
        "2026-04-28T09:00+07:00",
        "--pause",
        "2026-04-29T10:00+07:00/2026-05-04T08:00+07:00",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["due_at"] == "2026-05-06T15:00:00+07:00"
    assert data["original_due_at"] == "2026-05-06T15:00:00+07:00"
    assert data["paused_intervals"][0]["end"] == "2026-05-04T08:00:00+07:00"
    assert any("Tạm dừng" in line for line in data["explanation_vi"])


def test_due_open_pause_verification_and_tenant(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tenant = tmp_path / "xa.json"
    tenant.write_text(
        json.dumps(
            {"office_hours": {"morning": ["07:00", "11:30"], "afternoon": ["13:30", "17:30"]}}
        ),
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys,
        "due",
        "--procedure",
        "1.000894",
        "--received",
        "2026-02-11T10:00",
        "--verification",
        "--tenant-config",
        str(tenant),
        "--pause",
        "2026-02-12T09:00+07:00/",
        "--now",
        "2026-02-12T10:00+07:00",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["state"] == "paused" and data["provisional"]
    assert data["due_at"].endswith("+07:00")
    assert data["time_limit"] == {"amount": 5, "unit": "working_days"}


def test_rule_violations_are_reported_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "due",
        "--procedure",
        "1.001193",
        "--received",
        "2026-02-13T16:00+07:00",
        "--verification",
    )
    assert code == 2
    assert "no_verification_limit" in err and "xác minh" in err
    code, _, err = run(
        capsys, "due", "--procedure", "0.000000", "--received", "2026-02-13T16:00+07:00"
    )
    assert code == 2 and "unknown_procedure" in err


def test_procedures_and_calendar_listings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "procedures", "--at", "2026-01-01")
    assert code == 0
    assert len(out.strip().splitlines()) == 17
    assert "Đăng ký khai sinh" in out
    code, out, _ = run(capsys, "procedures", "--json")
    assert code == 0 and len(json.loads(out)) == 34
    code, out, _ = run(capsys, "calendar", "--year", "2026")
    assert code == 0
    assert "thứ Bảy 22/08/2026" in out and "Ngày Văn hóa Việt Nam" in out
    code, out, _ = run(capsys, "calendar", "--year", "2027", "--json")
    assert json.loads(out)["status"] == "provisional"
