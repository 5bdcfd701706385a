"""Bad input never gets in: control characters, decomposed names, unbounded dates."""

from __future__ import annotations

import unicodedata

import pytest
from motcua_testkit.intake import A, Desk, dossier_body


async def test_a_nul_byte_in_a_name_is_refused(desk: Desk) -> None:
    body = dossier_body()
    body["applicant"]["full_name"] = "Lò Văn\x00 Bình"
    answer = await desk.client.post(
        f"/api/v1/communes/{A}/dossiers", json=body, headers=desk.auth()
    )
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert (error["field"], error["code"]) == (
        "applicant.full_name",
        "validation.control_characters",
    )
    assert "ký tự điều khiển" in error["message"]


async def test_control_characters_in_supplement_items_are_refused(desk: Desk) -> None:
    dossier = await desk.register()
    answer = await desk.act(dossier, "supplement-request", {"missing_items": ["Bản sao\x1b[2J"]})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "validation.control_characters"


async def test_a_decomposed_name_is_stored_and_found_composed(desk: Desk) -> None:
    composed = "Lò Văn Bình"
    body = dossier_body()
    body["applicant"]["full_name"] = unicodedata.normalize("NFD", composed)
    body["applicant"]["address"] = unicodedata.normalize("NFD", "Bản Hìn, xã Chiềng Khương")
    answer = await desk.client.post(
        f"/api/v1/communes/{A}/dossiers", json=body, headers=desk.auth()
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["applicant"]["full_name"] == composed
    assert created["applicant"]["address"] == "Bản Hìn, xã Chiềng Khương"
    # Searching either form finds the one person.
    for q in (composed, unicodedata.normalize("NFD", composed)):
        found = await desk.client.get(
            f"/api/v1/communes/{A}/dossiers", params={"q": q}, headers=desk.auth()
        )
        assert found.status_code == 200
        assert [d["dossier_id"] for d in found.json()["items"]] == [created["dossier_id"]]


@pytest.mark.parametrize("param", ["received_to", "received_from"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
async def test_search_dates_out_of_range_are_a_422(desk: Desk, param: str, day: str) -> None:
    answer = await desk.client.get(
        f"/api/v1/communes/{A}/dossiers", params={param: day}, headers=desk.auth()
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json()["errors"][0] == {
        "field": param,
        "code": "validation.date_out_of_range",
        "message": "Ngày phải nằm trong khoảng 01/01/1900 đến 31/12/2199.",
    }


async def test_api_answers_carry_security_headers(desk: Desk) -> None:
    answer = await desk.client.get(f"/api/v1/communes/{A}/dossiers", headers=desk.auth())
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


async def test_a_province_monitor_cannot_search_by_name(desk: Desk) -> None:
    await desk.register()
    monitor = desk.auth("province_monitor", None)
    url = f"/api/v1/communes/{A}/dossiers"
    answer = await desk.client.get(url, params={"q": "Lò Văn Bình"}, headers=monitor)
    assert answer.status_code == 403
    assert answer.json()["code"] == "search.personal_data_forbidden"
    assert "thông tin cá nhân" in answer.json()["message"]
    # Supervising without personal data still works; the clerk still finds the person.
    assert (await desk.client.get(url, headers=monitor)).status_code == 200
    found = await desk.client.get(url, params={"q": "Lò Văn Bình"}, headers=desk.auth())
    assert len(found.json()["items"]) == 1
