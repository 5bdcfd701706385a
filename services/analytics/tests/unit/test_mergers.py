"""Mergers and cross-commune intake (docs/tenants.md, "Analytics"), through the API.

A and B merge into C on 2 March 2026. Closed dossiers stay with A and B; open ones are
reassigned to C and finish there. Every indicator is checked before and after: A and B
"as they were" do not change, the province does not change, and C with its predecessors
is A + B + C.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from analytics.bootstrap import AnalyticsRuntime
from motcua_testkit.analytics import Scenario, vn

from .conftest import events_of, project

A, B, C, D = "xa-a-sn", "xa-b-sn", "xa-c-sn", "xa-d-sn"
MERGER = vn(3, 2, 8)
BEFORE = {"from": "2026-02-01", "to": "2026-03-01"}  # a past period, before the merger
WHOLE = {"from": "2026-02-01", "to": "2026-03-19"}  # a past period across it
COUNTS = (
    "received",
    "received_online",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_within_time",
    "overdue_now",
    "supplements",
    "refusals",
    "returned",
    "apologies",
)


def history() -> tuple[Scenario, int]:
    """The scenario and how many of its events happened before the merger."""
    s = Scenario()
    for tenant, name in ((A, "Xã A"), (B, "Xã B"), (C, "Xã C")):
        s.tenant(tenant, name, at=vn(1, 5, 8))
    s.dossier(A, vn(2, 3, 8)).accepted(vn(2, 3, 8)).ready(vn(2, 5, 9), elapsed_seconds=7200)
    a2 = s.dossier(A, vn(2, 24, 8), due_in=timedelta(days=3)).accepted(vn(2, 24, 8))
    a3 = s.dossier(A, vn(2, 26, 9), due_in=timedelta(days=5), channel="online")
    b1 = s.dossier(B, vn(2, 10, 8)).accepted(vn(2, 10, 8))
    b1.ready(vn(2, 12, 9), elapsed_seconds=3600).returned(vn(2, 13, 9), online=True)
    b1.rated(vn(2, 13, 10), "hai_long", 16)
    b2 = s.dossier(B, vn(2, 27, 8), due_in=timedelta(days=4)).accepted(vn(2, 27, 8))
    b2.supplement(vn(2, 28, 8), None)
    s.dossier(C, vn(2, 20, 8)).accepted(vn(2, 20, 8)).ready(vn(2, 23, 9), elapsed_seconds=9000)
    before = len(s.envelopes)
    # the merger: A and B become C; their open dossiers move to C
    s.tenant(A, "Xã A", revision=2, merged_into=C, at=MERGER)
    s.tenant(B, "Xã B", revision=2, merged_into=C, at=MERGER)
    for d in (a2, a3, b2):
        d.reassigned(MERGER, C)
    a2.apology(vn(3, 4, 8), late=False, new_due=vn(3, 6, 16))
    a2.ready(vn(3, 6, 9), elapsed_seconds=40 * 3600).returned(vn(3, 6, 15))
    b2.supplement_received(vn(3, 4, 8))  # at C's desk now
    b2.ready(vn(3, 9, 9), elapsed_seconds=20 * 3600)
    s.dossier(C, vn(3, 5, 8)).accepted(vn(3, 5, 8))
    return s, before


@pytest.fixture
async def api(runtime: AnalyticsRuntime, token) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    assert runtime.app is not None
    headers = {"Authorization": f"Bearer {token()}"}
    transport = httpx.ASGITransport(app=runtime.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://analytics", headers=headers
    ) as client:
        yield client


async def counts(client: httpx.AsyncClient, period: dict[str, str], **params: Any) -> dict:  # type: ignore[type-arg]
    response = await client.get("/api/v1/indicators", params={**period, **params})
    assert response.status_code == 200, response.text
    return {k: response.json()["counts"][k] for k in COUNTS}


def add(*many: dict) -> dict:  # type: ignore[type-arg]
    return {k: sum(m[k] for m in many) for k in COUNTS}


async def test_a_merger_keeps_every_indicator_consistent(
    runtime: AnalyticsRuntime, api: httpx.AsyncClient
) -> None:
    scenario, before = history()
    events = events_of(scenario.envelopes)
    await project(runtime, events[:before])
    snap = {t: await counts(api, BEFORE, commune=t) for t in (A, B, C)}
    province = await counts(api, BEFORE)
    assert province == add(snap[A], snap[B], snap[C])
    assert snap[A]["received"] == 3 and snap[A]["in_progress_within_time"] == 1
    assert snap[A]["overdue_now"] == 1  # a2 was due 27/2
    assert snap[B]["in_progress_within_time"] == 1  # b2 paused for its supplement

    await project(runtime, events[before:])
    # A and B as they were: their own numbers before the merger have not moved
    for t in (A, B):
        assert await counts(api, BEFORE, commune=t) == snap[t]
    assert await counts(api, BEFORE) == province
    # C with its predecessors is continuous: A + B + C before the merger
    assert await counts(api, BEFORE, commune=C) == add(snap[A], snap[B], snap[C])
    assert await counts(api, BEFORE, commune=C, predecessors="false") == snap[C]

    # across the merger: each fact counted once, at the unit that held the dossier then
    whole = await counts(api, WHOLE)
    own = {t: await counts(api, WHOLE, commune=t, predecessors="false") for t in (A, B, C)}
    assert whole == add(own[A], own[B], own[C])
    assert await counts(api, WHOLE, commune=C) == whole
    assert (own[A]["received"], own[B]["received"], own[C]["received"]) == (3, 2, 2)
    assert (own[A]["resolved"], own[B]["resolved"], own[C]["resolved"]) == (1, 1, 3)
    assert own[C]["resolved_late"] == 3 and own[C]["apologies"] == 1  # c1, a2 and b2 at C
    assert own[C]["overdue_now"] == 2 and own[C]["in_progress_within_time"] == 0  # a3, c2
    assert own[A]["overdue_now"] == own[A]["in_progress_within_time"] == 0

    breakdown = (await api.get("/api/v1/breakdown", params=WHOLE)).json()
    assert sum(r["received"] for r in breakdown) == whole["received"] == 7
    monthly = (
        await api.get("/api/v1/indicators/timeseries", params={**WHOLE, "granularity": "month"})
    ).json()["points"]
    assert [p["received"] for p in monthly] == [6, 1]  # February, March (c2)

    # the ranking shows C with its predecessors' history, or every unit as it was
    folded = (await api.get("/api/v1/ranking", params=WHOLE)).json()
    assert [r["tenant_id"] for r in folded] == [C]
    assert folded[0]["received"] == whole["received"]
    apart = (await api.get("/api/v1/ranking", params={**WHOLE, "predecessors": "false"})).json()
    assert sorted(r["tenant_id"] for r in apart) == [A, B, C]
    # the live list: the moved open dossier is C's now
    late = (await api.get("/api/v1/late-dossiers")).json()
    assert {d["tenant_id"] for d in late} == {C}


async def test_a_replayed_merger_in_any_order_gives_the_same_projection(
    runtime: AnalyticsRuntime, api: httpx.AsyncClient
) -> None:
    scenario, _ = history()
    events = events_of(scenario.envelopes)
    await project(runtime, list(reversed(events)) + events[:5])  # reassigned before received
    whole = await counts(api, WHOLE)
    own = {t: await counts(api, WHOLE, commune=t, predecessors="false") for t in (A, B, C)}
    assert (own[A]["received"], own[B]["received"], own[C]["received"]) == (3, 2, 2)
    assert whole == add(own[A], own[B], own[C])


async def test_cross_commune_received_at_the_desk_resolved_by_the_resolving_unit(
    runtime: AnalyticsRuntime, api: httpx.AsyncClient
) -> None:
    s = Scenario()
    d = s.dossier(D, vn(3, 2, 8), resolving_tenant_id=A, channel="online")
    d.accepted(vn(3, 2, 8)).supplement(vn(3, 3, 8), vn(3, 4, 8))
    d.ready(vn(3, 6, 9), elapsed_seconds=3600 * 10).returned(vn(3, 6, 10))
    s.dossier(D, vn(3, 9, 8), resolving_tenant_id=A).accepted(vn(3, 9, 8))  # open
    await project(runtime, events_of(s.envelopes))
    desk = await counts(api, WHOLE, commune=D)
    unit = await counts(api, WHOLE, commune=A)
    assert (desk["received"], desk["received_online"], desk["supplements"]) == (2, 1, 1)
    assert (desk["resolved"], desk["returned"], desk["overdue_now"]) == (0, 0, 0)
    assert (unit["received"], unit["resolved"], unit["returned"]) == (0, 1, 1)
    assert unit["in_progress_within_time"] + unit["overdue_now"] == 1
