"""Bad input never gets in: dates beyond the calendar's arithmetic, control characters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from motcua_testkit.workflow import TENANT, Dossier, Harness, vn


@pytest.mark.parametrize("due", ["9999-12-31", "0001-01-01", "9999-12-31T23:59:59+07:00"])
async def test_an_apology_date_out_of_range_is_a_422(
    harness: Harness, client: httpx.AsyncClient, auth: Any, due: str
) -> None:
    d = Dossier(TENANT)
    await harness.deliver(d.received(vn(2026, 4, 28, 9, 0)))
    await harness.deliver(d.transferred(vn(2026, 4, 28, 9, 30), "xu_ly", "cb-1"))
    url = f"/api/v1/communes/{TENANT}/dossiers/{d.dossier_id}/apology"
    body = {"reason_vi": "Hệ thống mạng bị gián đoạn", "new_due_at": due}
    answer = await client.post(url, json=body, headers=auth("clerk", subject="cb-1"))
    assert answer.status_code == 422
    codes = {e["code"] for e in answer.json()["errors"]}
    assert "validation.date_out_of_range" in codes


async def test_calendar_changes_refuse_far_days_and_control_characters(
    client: httpx.AsyncClient, auth: Any
) -> None:
    operator = auth("operator", None)
    far = {"kind": "day_off_added", "day": "9999-12-31", "name_vi": "Nghỉ"}
    answer = await client.post("/api/v1/calendar/changes", json=far, headers=operator)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "validation.date_out_of_range"
    nul = {"kind": "day_off_added", "day": "2026-05-04", "name_vi": "Nghỉ\x00bù"}
    answer = await client.post("/api/v1/calendar/changes", json=nul, headers=operator)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "validation.control_characters"
