"""The reference month (motcua_testkit.analytics.reference_month), every number computed by hand."""

from __future__ import annotations

import random

import httpx
import pytest
from analytics.adapters.tables import daily_indicators, dossier_facts
from analytics.bootstrap import AnalyticsRuntime
from motcua_testkit.analytics import reference_month
from sqlalchemy import select

from .conftest import A, B, events_of, project

MARCH = {"from": "2026-03-01", "to": "2026-03-20"}


def _indicator(body: dict, key: str) -> dict:  # type: ignore[type-arg]
    return next(i for i in body["indicators"] if i["key"] == key)


async def test_commune_a_indicators(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/indicators", params={**MARCH, "commune": A})).json()
    c = body["counts"]
    assert (c["received"], c["received_online"]) == (8, 1)
    assert (c["resolved_early"], c["resolved_on_time"], c["resolved_late"]) == (1, 1, 2)
    assert (c["in_progress_within_time"], c["overdue_now"]) == (2, 1)
    assert (c["supplements"], c["refusals"], c["withdrawals"]) == (1, 1, 1)
    assert (c["apologies"], c["apologies_late"]) == (1, 0)
    assert (c["returned"], c["returned_online"]) == (3, 1)
    assert _indicator(body, "on_time_rate")["value"] == pytest.approx(2 / 4)
    g2 = _indicator(body, "d766_group2")
    assert g2["value"] == pytest.approx(4 / 7)
    assert g2["points"] == pytest.approx(round(20 * 4 / 7, 2))
    assert _indicator(body, "d766_5_4")["value"] == pytest.approx(1 - (3 / 7 + 1 / 4))
    assert _indicator(body, "d766_online")["value"] == pytest.approx(1 / 8)
    assert _indicator(body, "d766_e_result")["value"] == pytest.approx(1 / 3)
    assert _indicator(body, "satisfied_share")["value"] == pytest.approx(2 / 3)
    # Working hours (07:30-11:30, 13:30-17:00): d1 8.5, d2 22, d3 30, d11 24.5.
    assert body["mean_processing_hours"] == pytest.approx(85 / 4)
    assert body["median_processing_hours"] == pytest.approx((22 + 24.5) / 2)
    s = body["satisfaction"]
    assert (s["khong_hai_long"], s["hai_long"], s["rat_hai_long"]) == (1, 1, 1)
    assert s["mean_evaluation_points"] == pytest.approx(16)


async def test_province_totals_and_cohorts(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/indicators", params=MARCH)).json()
    assert body["counts"]["received"] == 10
    assert body["counts"]["resolved_late"] == 3
    assert body["counts"]["overdue_now"] == 2
    assert _indicator(body, "d766_group2")["value"] == pytest.approx(4 / 9)
    pilot = (await client.get("/api/v1/indicators", params={**MARCH, "cohort": "pilot"})).json()
    rest = (await client.get("/api/v1/indicators", params={**MARCH, "not_cohort": "pilot"})).json()
    assert pilot["counts"]["received"] == 8
    assert rest["counts"]["received"] == 2
    assert _indicator(rest, "d766_group2")["value"] == 0


async def test_a_past_period_counts_what_was_open_at_its_end(client: httpx.AsyncClient) -> None:
    # At the end of 5 March: d3 open within time (due 6/3); d9 (b) past due 5/3 08:00.
    body = (
        await client.get("/api/v1/indicators", params={"from": "2026-03-01", "to": "2026-03-05"})
    ).json()
    c = body["counts"]
    assert (c["in_progress_within_time"], c["overdue_now"]) == (1, 1)


async def test_ranking_and_live_list(client: httpx.AsyncClient) -> None:
    ranking = (await client.get("/api/v1/ranking", params=MARCH)).json()
    assert [(r["rank"], r["tenant_id"]) for r in ranking] == [(1, A), (2, B)]
    assert ranking[0]["name_vi"] == "Xã Chiềng Khương"
    assert ranking[0]["cohorts"] == ["pilot"]
    late = (await client.get("/api/v1/late-dossiers")).json()
    assert [(d["tenant_id"], d["status"]) for d in late] == [
        (A, "late"),
        (B, "late"),
        (A, "at_risk"),
    ]
    assert late[2]["working_hours_left"] == pytest.approx(5.0)
    assert set(late[0]) >= {"dossier_code", "due_at", "procedure_code"}


async def test_time_series_and_csv(client: httpx.AsyncClient) -> None:
    series = (
        await client.get("/api/v1/indicators/timeseries", params={**MARCH, "granularity": "week"})
    ).json()
    assert sum(p["received"] for p in series["points"]) == 10
    assert series["points"][0]["start"] == "2026-02-23"  # the Monday of the week of 1 March
    csv = await client.get("/api/v1/ranking", params={**MARCH, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Hạng,Mã xã,Tên xã")
    assert len(lines) == 3
    export = await client.get("/api/v1/export.csv", params={**MARCH, "kind": "late"})
    assert len(export.text.splitlines()) == 4


async def test_a_commune_sees_only_itself(client: httpx.AsyncClient, token) -> None:  # type: ignore[no-untyped-def]
    clerk = {"Authorization": f"Bearer {token('clerk', A)}"}
    own = await client.get("/api/v1/indicators", params=MARCH, headers=clerk)
    assert own.status_code == 200
    assert own.json()["counts"]["received"] == 8
    other = await client.get("/api/v1/indicators", params={"commune": B}, headers=clerk)
    assert other.status_code == 403
    assert other.json()["code"] == "analytics.forbidden_commune"
    assert "xã mình" in other.json()["message"]
    late = (await client.get("/api/v1/late-dossiers", headers=clerk)).json()
    assert {d["tenant_id"] for d in late} == {A}
    communes = (await client.get("/api/v1/communes", headers=clerk)).json()
    assert [c["tenant_id"] for c in communes] == [A]
    anonymous = await client.get("/api/v1/indicators", headers={"Authorization": ""})
    assert anonymous.status_code == 401


async def test_legacy_received_route(client: httpx.AsyncClient) -> None:
    rows = (await client.get("/api/v1/indicators/received", params={"tenant_id": A})).json()
    assert rows == [{"tenant_id": A, "received": 9}]  # d11 (February) too: no period given


async def test_bad_period_is_refused_in_vietnamese(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/indicators", params={"from": "2026-03-10", "to": "2026-03-01"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "query.period_reversed"


async def _snapshot(rt: AnalyticsRuntime) -> tuple[list, list]:  # type: ignore[type-arg]
    async with rt.sessions() as session:
        facts = (await session.execute(select(dossier_facts).order_by("dossier_id"))).all()
        agg = (
            await session.execute(
                select(daily_indicators).order_by("tenant_id", "procedure_code", "day")
            )
        ).all()
    return [tuple(r) for r in facts], [tuple(r) for r in agg if any(r[4:])]


async def test_any_order_and_duplicates_give_the_same_projection(
    projected: AnalyticsRuntime, runtime: AnalyticsRuntime
) -> None:
    expected = await _snapshot(projected)
    async with runtime.sessions() as session, session.begin():
        for table in (daily_indicators, dossier_facts):
            await session.execute(table.delete())
    events = events_of(reference_month(A, B).envelopes)
    shuffled = events + events[: len(events) // 2]
    random.Random(7).shuffle(shuffled)
    for i in range(0, len(shuffled), 5):
        await project(runtime, shuffled[i : i + 5])
    assert await _snapshot(runtime) == expected


async def test_every_moment_people_read_is_vietnam_time(client: httpx.AsyncClient) -> None:
    """JSON answers and CSV exports: ISO 8601 with +07:00 (CSV to the second), never UTC."""
    import re

    moment = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+07:00$")
    csv_moment = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")
    late = (await client.get("/api/v1/late-dossiers")).json()
    assert late
    for d in late:
        for key in ("received_at", "due_at", "rescheduled_due_at"):
            assert d[key] is None or moment.match(d[key]), (key, d[key])
    report = (await client.get("/api/v1/indicators", params=MARCH)).json()
    assert moment.match(report["as_of"])
    for path, params in (
        ("/api/v1/late-dossiers", {"format": "csv"}),
        ("/api/v1/export.csv", {**MARCH, "kind": "late"}),
    ):
        lines = (await client.get(path, params=params)).text.lstrip("\ufeff").splitlines()
        header = lines[0].split(",")
        cols = [header.index(h) for h in ("Tiếp nhận", "Hạn trả") if h in header]
        assert cols, header
        for line in lines[1:]:
            cells = line.split(",")
            for c in cols:
                assert csv_moment.match(cells[c]), (path, cells[c])


async def test_swagger_ui_loads_no_asset_from_a_cdn(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200 and "cdn.jsdelivr" not in page.text
    assert (await client.get("/static-offline-docs/swagger-ui.css")).status_code == 200
