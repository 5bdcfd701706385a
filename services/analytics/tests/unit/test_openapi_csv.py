"""Every report that answers `format=csv` declares text/csv (schemathesis found it missing)."""

from __future__ import annotations

from analytics.bootstrap import AnalyticsRuntime


async def test_reports_with_a_csv_format_declare_text_csv(runtime: AnalyticsRuntime) -> None:
    paths = runtime.app.openapi()["paths"]
    with_format = [
        path
        for path, item in paths.items()
        if any(p["name"] == "format" for p in item.get("get", {}).get("parameters", []))
    ]
    assert "/api/v1/indicators/timeseries" in with_format
    for path in with_format:
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(content), path
