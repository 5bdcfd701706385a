"""Letters in standalone mode (SQLite files, in-process bus): a letter queued long ago prints
while notify's dispatcher holds the write lock, two clerks at once never meet "database is
locked", and the PDF is laid out to Decree 30/2020."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from motcua_standalone.platform import Platform
from sqlalchemy import text

from tests.support.dossiers import bearer
from tests.support.pdf_check import check_letterhead, check_pdf

T = TypeVar("T")
TENANT = "chieng-khuong"
DEATH = "1.000656"  # Đăng ký khai tử
BOUND_S = 20.0  # bounds a hang only (SQLite's busy timeout is 30 s): never a speed check


def _client(platform: Platform, service: str) -> httpx.AsyncClient:
    app = platform.runtimes[service].app
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://local", timeout=60
    )


async def _eventually(what: str, probe: Callable[[], Awaitable[T | None]], wait_s: float = 90) -> T:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"never happened within {wait_s:.0f} s: {what}")


def _dated(letter_date: str) -> str:
    """Decree 30/2020: days below 10 and the months 1 and 2 are written with a leading 0."""
    year, month, day = (int(x) for x in letter_date.split("-"))
    shown = f"{month:02d}" if month < 3 else str(month)
    return f"Chiềng Khương, ngày {day:02d} tháng {shown} năm {year}"


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    p = Platform(tmp_path)
    await p.start()
    yield p
    await p.stop()


async def _condolence_letter(platform: Platform) -> tuple[dict[str, Any], dict[str, Any]]:
    base = f"/api/v1/communes/{TENANT}"
    body = {
        "procedure_code": DEATH,
        "channel": "counter",
        "applicant": {
            "full_name": "Quàng Thị Hoa",
            "id_number": "014188004321",
            "date_of_birth": "1988-02-17",
            "phone": "0912345678",
            "address": "Bản Hìn, xã Chiềng Khương, tỉnh Sơn La",
        },
        "documents": [{"name": "Giấy báo tử", "form": "original"}],
    }
    async with _client(platform, "intake") as intake:
        r = await intake.post(f"{base}/dossiers", json=body, headers=bearer("clerk", TENANT))
        assert r.status_code == 201, r.text
        dossier = r.json()
        for action, payload, role in (
            ("accept", {}, "clerk"),
            ("transfer", {"to_unit_id": "tu-phap"}, "clerk"),
            ("decision", {"outcome": "approved"}, "leader"),
            ("result-ready", {}, "clerk"),
        ):
            r = await intake.post(
                f"{base}/dossiers/{dossier['dossier_id']}/{action}",
                json=payload,
                headers=bearer(role, TENANT),
            )
            assert r.status_code == 200, f"{action}: {r.text}"

    async def queued() -> dict[str, Any] | None:
        async with _client(platform, "notify") as notify:
            jobs = (await notify.get(f"{base}/print-queue", headers=bearer("clerk", TENANT))).json()
        return next(
            (
                j
                for j in jobs
                if j["dossier_id"] == dossier["dossier_id"] and j["kind"] == "condolence_letter"
            ),
            None,
        )

    return dossier, await _eventually("the condolence letter queued", queued)


async def test_a_letter_prints_long_after_queueing_while_notify_writes(
    platform: Platform,
) -> None:
    _, job = await _condolence_letter(platform)
    assert job["queued_at"].endswith("+07:00")
    notify = platform.runtimes["notify"]
    assert notify.app is not None
    notify.app.state.deps.templates.forget(TENANT)  # long after: the template cache is cold
    url = f"/api/v1/communes/{TENANT}/print-queue/{job['delivery_id']}/pdf"

    async def download() -> httpx.Response | None:
        async with _client(platform, "notify") as client:
            r = await asyncio.wait_for(
                client.get(url, headers=bearer("clerk", TENANT)), timeout=BOUND_S
            )
        assert r.status_code in (200, 409), r.text  # 409: the addressee not learnt yet
        return r if r.status_code == 200 else None

    # The dispatcher (any writer) holds notify's write lock for the whole download.
    async with notify.sessions() as busy, busy.begin():
        await busy.execute(text("UPDATE deliveries SET updated_at = updated_at"))
        pdf = await _eventually("the letter's PDF", download)
    checked = check_pdf(
        pdf.content,
        name="standalone-condolence",
        expect=[
            "THƯ CHIA BUỒN",
            "Kính gửi: Ông/Bà Quàng Thị Hoa và gia quyến",
            "TM. ỦY BAN NHÂN DÂN",
        ],
    )
    check_letterhead(
        checked,
        issuer="XÃ CHIỀNG KHƯƠNG",
        number=job["letter_number"],
        place_date=_dated(job["letter_date"]),
    )

    # Two clerks at once: both download, both press "printed"; printed once.
    mark = f"/api/v1/communes/{TENANT}/print-queue/{job['delivery_id']}/printed"
    async with _client(platform, "notify") as client:
        calls = [client.get(url, headers=bearer("clerk", TENANT)) for _ in range(3)]
        calls += [client.post(mark, headers=bearer("clerk", TENANT)) for _ in range(2)]
        answers = await asyncio.wait_for(asyncio.gather(*calls), timeout=BOUND_S * 2)
    assert [a.status_code for a in answers] == [200] * 5, [a.text[:200] for a in answers]
    assert len({a.json()["printed_at"] for a in answers[3:]}) == 1
    assert answers[3].json()["printed_at"].endswith("+07:00")
