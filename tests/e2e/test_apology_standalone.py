"""Standalone mode (SQLite + in-process bus): a leader's apology reaches the citizen.

Workflow issues it → intake's dossier shows the new date and reason → the citizen's page
shows "Ngày hẹn trả mới" → notify's letter (Form 04) carries the leader's reason; a
second apology is refused. Waits are bounded by timeouts only, never asserted.
"""

from __future__ import annotations

import asyncio
import io
import time
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from motcua_standalone.platform import Platform
from pypdf import PdfReader

from tests.support.dossiers import bearer, registration

TENANT = "quyet-thang"
REASON = "Cần xác minh chữ ký với Phòng Tư pháp huyện cũ, chúng tôi xin lỗi vì sự chậm trễ"
T = TypeVar("T")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _client(platform: Platform, service: str) -> httpx.AsyncClient:
    app = platform.runtimes[service].app
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local")


async def _until(probe: Callable[[], Awaitable[T | None]], what: str, wait_s: float = 60) -> T:
    """Polls until `probe` gives a value; `wait_s` only bounds a hang."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        got = await probe()
        if got is not None:
            return got
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _pdf_text(pdf: bytes) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
async def platform(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = Platform(tmp_path)
    await p.start()
    yield p
    await p.stop()


async def test_the_apology_reaches_the_dossier_the_page_and_the_letter(
    platform: Platform,
) -> None:
    clerk, leader = bearer("clerk", TENANT), bearer("leader", TENANT)
    async with (
        _client(platform, "intake") as intake,
        _client(platform, "workflow") as workflow,
        _client(platform, "notify") as notify,
    ):
        made = await intake.post(
            f"/api/v1/communes/{TENANT}/dossiers", json=registration(), headers=clerk
        )
        assert made.status_code == 201, made.text
        dossier = made.json()
        dossier_url = f"/api/v1/communes/{TENANT}/dossiers/{dossier['dossier_id']}"
        accepted = await intake.post(dossier_url + "/accept", headers=clerk)
        assert accepted.status_code == 200, accepted.text

        due = datetime.fromisoformat(dossier["due_at"])
        new_day = (due + timedelta(days=5)).date()
        body = {"reason_vi": REASON, "reason_code": "verification", "new_due_at": str(new_day)}
        apology_url = f"/api/v1/communes/{TENANT}/dossiers/{dossier['dossier_id']}/apology"

        async def issue() -> httpx.Response | None:
            r = await workflow.post(apology_url, json=body, headers=leader)
            return None if r.status_code == 404 else r  # workflow has not read it yet

        issued = await _until(issue, "workflow to know the dossier")
        assert issued.status_code == 201, issued.text
        new_due = datetime.fromisoformat(issued.json()["new_due_at"])
        assert new_due.date() >= new_day

        async def shown() -> dict[str, Any] | None:
            d = (await intake.get(dossier_url, headers=clerk)).json()
            return d if d["apology_new_due_at"] else None

        detail = await _until(shown, "intake to learn the apology")
        assert datetime.fromisoformat(detail["apology_new_due_at"]) == new_due
        assert detail["apology_reason_vi"] == REASON

        page = (await intake.get(urlsplit(dossier["public_url"]).path)).text
        assert "Ngày hẹn trả mới" in page and f"{new_due.astimezone(VN):%d/%m/%Y}" in page
        assert REASON in page
        receipt = (await intake.get(dossier_url + "/receipt", headers=clerk)).text
        assert "Ngày hẹn trả mới" in receipt

        later = body | {"new_due_at": str(new_day + timedelta(days=2))}
        again = await workflow.post(apology_url, json=later, headers=leader)
        assert again.status_code == 409 and again.json()["code"] == "apology.already_issued"

        async def letter() -> dict[str, Any] | None:
            jobs = await notify.get(f"/api/v1/communes/{TENANT}/print-queue", headers=clerk)
            mine = [
                j
                for j in jobs.json()
                if j["dossier_id"] == dossier["dossier_id"] and j["kind"] == "apology_notice"
            ]
            return mine[0] if mine else None

        job = await _until(letter, "notify to queue the apology letter")
        pdf = await notify.get(
            f"/api/v1/communes/{TENANT}/print-queue/{job['delivery_id']}/pdf", headers=clerk
        )
        assert pdf.status_code == 200, pdf.text
        text = _pdf_text(pdf.content)
        assert "Cần xác minh chữ ký với Phòng Tư pháp huyện cũ" in text
        assert f"{new_due.astimezone(VN):%d/%m/%Y}" in text
