"""Rollups against the facts: random lifecycles over five months, every period checked.

The expected numbers are computed here straight from the projected facts (counting, not
through `contributions`), so a wrong rollup, a wrong month/day split or a wrong running
counter shows up as a difference.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from analytics.adapters import read_models as rm
from analytics.adapters.rollups import split
from analytics.adapters.tables import daily_indicators, dossier_facts, monthly_indicators
from analytics.application.filters import Filter
from analytics.bootstrap import AnalyticsRuntime
from analytics.domain.contributions import COUNTERS, HIST, hist_bucket, histogram_median
from analytics.domain.days import end_of, local_day
from motcua_testkit.analytics import Scenario
from sqlalchemy import select

from .conftest import events_of, project

TENANTS = ("xa-r1", "xa-r2", "phuong-r3")
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


def random_scenario(seed: int, dossiers: int = 160) -> Scenario:
    rng = random.Random(seed)
    scenario = Scenario()
    for _ in range(dossiers):
        tenant = rng.choice(TENANTS)
        received = START + timedelta(hours=rng.randrange(0, 24 * 140))
        d = scenario.dossier(
            tenant,
            received,
            due_in=timedelta(days=rng.choice((1, 3, 5, 10))),
            procedure_code=rng.choice(("1.001193", "1.000894")),
            channel=rng.choice(("counter", "online")),
            resolving_tenant_id=rng.choice((tenant, tenant, rng.choice(TENANTS))),
        )
        d.accepted(received)
        fate = rng.random()
        at = received + timedelta(hours=rng.randrange(2, 24 * 14))
        if fate < 0.1:
            d.refused(received + timedelta(hours=1))
            continue
        if fate < 0.3:
            resumed = at + timedelta(days=rng.randrange(1, 6)) if rng.random() < 0.7 else None
            d.supplement(at, resumed)
            if resumed is None:
                continue
            at = resumed + timedelta(hours=rng.randrange(1, 100))
        if fate < 0.4:
            d.withdrawn(at)
            continue
        if fate > 0.9:
            continue  # still open
        if rng.random() < 0.2:
            d.apology(at - timedelta(hours=1), late=rng.random() < 0.3, new_due=at)
        d.ready(at, elapsed_seconds=rng.randrange(600, 3600 * 120))
        if rng.random() < 0.8:
            d.returned(at + timedelta(days=1), online=rng.random() < 0.4)
    return scenario


@pytest.fixture
async def random_runtime(runtime: AnalyticsRuntime) -> AnalyticsRuntime:
    events = events_of(random_scenario(11).envelopes)
    for i in range(0, len(events), 37):  # several batches, as from Kafka
        await project(runtime, events[i : i + 37])
    return runtime


async def _facts(rt: AnalyticsRuntime) -> list:  # type: ignore[type-arg]
    async with rt.sessions() as session:
        return list((await session.execute(select(dossier_facts))).all())


def _in(moment: datetime | None, f: Filter) -> bool:
    return moment is not None and f.date_from <= local_day(moment) <= f.date_to


def expected(facts: list, f: Filter) -> Counter[str]:  # type: ignore[type-arg]
    out: Counter[str] = Counter()
    tenants = set(f.tenants or TENANTS)
    at = end_of(f.date_to)
    for x in facts:
        if x.receiving_tenant_id in tenants and _in(x.received_at, f):
            out["received"] += 1
            out["received_online"] += x.channel == "online"
        if x.receiving_tenant_id in tenants and _in(x.supplement_requested_at, f):
            out["supplements"] += 1
        if x.receiving_tenant_id in tenants and _in(x.refused_at, f):
            out["refusals"] += 1
        if x.resolving_tenant_id not in tenants:
            continue
        if _in(x.completed_at, f):
            out["processing_count"] += 1
            out["processing_seconds_sum"] += x.processing_seconds
            out[HIST[hist_bucket(x.processing_seconds)]] += 1
            late = x.clock_outcome == "done_late"
            out["resolved_late" if late else "resolved_on_time"] += 1
        if _in(x.apology_at, f):
            out["apologies"] += 1
        if _in(x.returned_at, f):
            out["returned"] += 1
        closed = min(m for m in (x.completed_at, x.refused_at, x.withdrawn_at, at) if m)
        if x.received_at < at <= closed:  # open at the end of the period
            paused = x.supplement_requested_at is not None and x.supplement_requested_at < at
            paused = paused and (x.supplement_received_at is None or x.supplement_received_at >= at)
            overdue = local_day(x.due_at) <= f.date_to and not paused
            out["overdue" if overdue else "within"] += 1
    return out


PERIODS = [
    (date(2026, 1, 1), date(2026, 1, 31)),  # one whole month
    (date(2026, 1, 10), date(2026, 3, 20)),  # partial months at both ends
    (date(2026, 2, 1), date(2026, 4, 30)),  # whole months only
    (date(2026, 2, 3), date(2026, 2, 27)),  # inside one month, most of it
    (date(2026, 3, 30), date(2026, 5, 2)),  # short edges
    (date(2026, 1, 1), date(2026, 6, 30)),  # everything
]


@pytest.mark.parametrize(("first", "last"), PERIODS)
@pytest.mark.parametrize("tenants", [None, ("xa-r1",), ("xa-r2", "phuong-r3")])
async def test_rollup_totals_equal_counts_over_the_facts(
    random_runtime: AnalyticsRuntime, first: date, last: date, tenants: tuple[str, ...] | None
) -> None:
    f = Filter(tenants=tenants, date_from=first, date_to=last)
    want = expected(await _facts(random_runtime), f)
    async with random_runtime.sessions() as session:
        got = await rm.totals(session, f)
        within, overdue = await rm.in_progress(session, f, NOW)
    for name in ("received", "received_online", "supplements", "refusals", "apologies"):
        assert got[name] == want[name], name
    for name in ("returned", "processing_count", "processing_seconds_sum", "resolved_late"):
        assert got[name] == want[name], name
    assert got["resolved_early"] + got["resolved_on_time"] == want["resolved_on_time"]
    assert [got[h] for h in HIST] == [want[h] for h in HIST]
    assert (within, overdue) == (want["within"], want["overdue"])
    assert want["received"] > 0  # never a vacuous comparison
    if (first, last) == PERIODS[-1]:
        assert want["within"] > 0 and want["overdue"] > 0 and want["supplements"] > 0


async def test_monthly_rows_are_the_sums_of_the_daily_rows(
    random_runtime: AnalyticsRuntime,
) -> None:
    async with random_runtime.sessions() as session:
        daily = (await session.execute(select(daily_indicators))).all()
        monthly = (await session.execute(select(monthly_indicators))).all()
    sums: dict[tuple[str, str, str, date], Counter[str]] = {}
    for row in daily:
        key = (row.tenant_id, row.procedure_code, row.field_code, row.day.replace(day=1))
        sums.setdefault(key, Counter()).update({c: row._mapping[c] for c in COUNTERS})
    got = {
        (r.tenant_id, r.procedure_code, r.field_code, r.month): {
            c: r._mapping[c] for c in COUNTERS if r._mapping[c]
        }
        for r in monthly
    }
    want = {k: {c: v for c, v in s.items() if v} for k, s in sums.items()}
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}
    assert len(monthly) >= 5


def test_a_period_is_covered_once_by_months_and_days() -> None:
    rng = random.Random(3)
    for _ in range(300):
        first = date(2025, 11, 1) + timedelta(days=rng.randrange(0, 200))
        last = first + timedelta(days=rng.randrange(0, 150))
        cover = split(first, last)
        days: Counter[date] = Counter()
        if cover.months is not None:
            day = cover.months[0]
            while day.replace(day=1) <= cover.months[1]:
                days[day] += 1
                day += timedelta(days=1)
        for sign, ranges in ((1, cover.plus), (-1, cover.minus)):
            for lo, hi in ranges:
                day = lo
                while day <= hi:
                    days[day] += sign
                    day += timedelta(days=1)
        covered = {d for d, n in days.items() if n}
        assert all(n in (0, 1) for n in days.values())
        assert covered == {first + timedelta(days=i) for i in range((last - first).days + 1)}
        assert len(cover.plus) + len(cover.minus) <= 4


def test_histogram_median() -> None:
    counts = [0] * len(HIST)
    assert histogram_median(counts) is None
    for seconds in (30 * 60, 2 * 3600 + 10, 2 * 3600 + 20, 3 * 3600, 5 * 3600):
        counts[hist_bucket(seconds)] += 1
    # 5 values: the middle one is the third, in bucket [2 h, 4 h) holding 3 of them
    assert counts[hist_bucket(2 * 3600)] == 3
    median = histogram_median(counts)
    assert median is not None and 2 * 3600 <= median < 4 * 3600
    counts = [0] * len(HIST)
    counts[-1] = 4  # the open last bucket answers its lower bound (240 h)
    assert histogram_median(counts) == 240 * 3600
