"""Kafka and PostgreSQL, services as separate processes: a leader's apology reaches the
citizen. Workflow → Topics.CLOCK → intake's consumer (the dossier's new date, the QR page)
and notify (Form 04 with the leader's reason; notify asks intake for the addressee)."""

from __future__ import annotations

import asyncio
import io
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader

from tests.integration.conftest import _seed_tenant
from tests.support.dossiers import bearer, registration
from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    start_groups_at_end,
    unique,
)

pytestmark = pytest.mark.integration

REASON = "Chờ Công an xã xác nhận thông tin cư trú, Ủy ban thành thật xin lỗi"
ROLES = {
    "intake": "api,relay,consumer",
    "workflow": "api,consumer,relay",
    "notify": "api,consumer,relay,timers",  # timers: the dispatcher
}
T = TypeVar("T")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def chain(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    run = unique("apo")
    tenant = f"xa-{run[-6:]}"
    log_dir: Path = tmp_path_factory.mktemp("logs")
    dbs = {s: f"{run}_{s}" for s in ROLES}
    urls = {s: asyncio.run(create_database(env, name)) for s, name in dbs.items()}
    asyncio.run(start_groups_at_end(env["MOTCUA_KAFKA_BOOTSTRAP"], [f"{run}-{s}" for s in ROLES]))
    processes: dict[str, ServiceProcess] = {}
    try:
        _seed_tenant(urls["intake"], tenant, log_dir)
        for service, roles in ROLES.items():
            prefix = f"MOTCUA_{service.upper()}_"
            extra = {f"{prefix}INTAKE_URL": processes["intake"].url} if service == "notify" else {}
            process = ServiceProcess(
                service,
                {
                    f"{prefix}DATABASE_URL": urls[service],
                    f"{prefix}KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
                    f"{prefix}CONSUMER_GROUP": f"{run}-{service}",
                    f"{prefix}ENVIRONMENT": "test",
                    **extra,
                },
                roles,
            )
            process.start(log_dir)
            processes[service] = process
        yield tenant, {s: p.url for s, p in processes.items()}
    finally:
        for process in processes.values():
            process.stop()
        for name in dbs.values():
            asyncio.run(drop_database(env, name))


async def _until(probe: Callable[[], Awaitable[T | None]], what: str, wait_s: float = 90) -> T:
    """Polls until `probe` gives a value; `wait_s` only bounds a hang."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        got = await probe()
        if got is not None:
            return got
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _pdf_text(pdf: bytes) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


async def test_the_leaders_apology_reaches_dossier_page_and_letter(chain: Any) -> None:
    tenant, url = chain
    clerk, leader = bearer("clerk", tenant), bearer("leader", tenant)
    async with httpx.AsyncClient(timeout=10) as http:
        made = await http.post(
            f"{url['intake']}/api/v1/communes/{tenant}/dossiers",
            json=registration(procedure_code="1.004859"),  # 3 working days
            headers=clerk,
        )
        assert made.status_code == 201, made.text
        dossier = made.json()
        path = f"/api/v1/communes/{tenant}/dossiers/{dossier['dossier_id']}"
        accepted = await http.post(url["intake"] + path + "/accept", headers=clerk)
        assert accepted.status_code == 200, accepted.text

        due = datetime.fromisoformat(dossier["due_at"])
        new_day = (due + timedelta(days=4)).date()
        body = {"reason_vi": REASON, "reason_code": "verification", "new_due_at": str(new_day)}

        async def issue() -> httpx.Response | None:
            r = await http.post(url["workflow"] + path + "/apology", json=body, headers=leader)
            return None if r.status_code == 404 else r  # workflow has not read it yet

        issued = await _until(issue, "workflow to know the dossier")
        assert issued.status_code == 201, issued.text
        new_due = datetime.fromisoformat(issued.json()["new_due_at"])

        async def shown() -> dict[str, Any] | None:
            d = (await http.get(url["intake"] + path, headers=clerk)).json()
            return d if d["apology_new_due_at"] else None

        detail = await _until(shown, "intake's consumer to store the apology")
        assert datetime.fromisoformat(detail["apology_new_due_at"]) == new_due
        assert detail["apology_reason_vi"] == REASON

        page = (await http.get(url["intake"] + urlsplit(dossier["public_url"]).path)).text
        assert "Ngày hẹn trả mới" in page and f"{new_due.astimezone(VN):%d/%m/%Y}" in page
        assert REASON in page

        again = await http.post(
            url["workflow"] + path + "/apology",
            json=body | {"new_due_at": str(new_day + timedelta(days=1))},
            headers=leader,
        )
        assert again.status_code == 409 and again.json()["code"] == "apology.already_issued"
        assert "một lần" in again.json()["message"]

        async def letter() -> dict[str, Any] | None:
            jobs = await http.get(
                f"{url['notify']}/api/v1/communes/{tenant}/print-queue", headers=clerk
            )
            mine = [
                j
                for j in jobs.json()
                if j["dossier_id"] == dossier["dossier_id"] and j["kind"] == "apology_notice"
            ]
            return mine[0] if mine else None

        try:
            job = await _until(letter, "notify to queue Form 04")
        except AssertionError as exc:
            notes = await http.get(url["notify"] + path + "/notifications", headers=clerk)
            raise AssertionError(f"no Form 04 in the print queue; notes: {notes.text}") from exc
        pdf = await http.get(
            f"{url['notify']}/api/v1/communes/{tenant}/print-queue/{job['delivery_id']}/pdf",
            headers=clerk,
        )
        assert pdf.status_code == 200, pdf.text
        text = _pdf_text(pdf.content)
        assert "Chờ Công an xã xác nhận thông tin cư trú" in text
        assert f"{new_due.astimezone(VN):%d/%m/%Y}" in text
