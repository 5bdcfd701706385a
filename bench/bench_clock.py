"""Benchmark of motcua-clock: due computations per second, and recomputing open deadlines
after a calendar change, each beside a baseline measured in the same run.

    python bench/bench_clock.py           # full run (1,000,000 open deadlines)
    python bench/bench_clock.py --quick   # short run; the 1M figure is scaled from 100,000

The baseline is the obvious implementation of the same counting rule: walk day by day
with `date + timedelta(days=1)`, `weekday()` and set look-ups. It is checked to give the
same due moments as the library on every input, so the comparison is like for like.
Ratios are "how many times faster than the baseline" (above 1: the library is faster).
Prints a table, one JSON line per figure, and writes bench/results/clock.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
try:
    import motcua_clock  # noqa: F401
except ImportError:  # running from a checkout without the workspace installed
    sys.path.insert(0, str(ROOT / "libs" / "clock" / "src"))

from motcua_clock import (  # noqa: E402
    CalendarChanged,
    ProcedureVersion,
    TenantCalendar,
    changed_days,
    compute_clock,
    compute_due,
    load_calendar,
    load_catalogue,
)
from motcua_clock.timeutil import VN_TZ  # noqa: E402

TARGET_PER_SECOND = 100_000
TARGET_RECOMPUTE_SECONDS = 30.0
OPEN_DEADLINES = 1_000_000
TODAY = datetime(2026, 4, 21, 9, 0, tzinfo=VN_TZ)
NEW_DAY_OFF = date(2026, 4, 22)  # announced tomorrow: inside most open windows


# --- the baseline: day-by-day walk ---------------------------------------------------------


class NaiveCalendar:
    """Same rules as the library for end-of-day counting, computed the obvious way."""

    def __init__(self, tenant: TenantCalendar) -> None:
        national = tenant.national
        self.days_off = set(national.days_off) | {c.day for c in tenant.config.closures}
        self.worked = set(national.working_days) | {w.day for w in tenant.config.extra_working_days}
        self.last_end = tenant.last_end

    def is_working(self, day: date) -> bool:
        if day in self.worked:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def due(self, received: datetime, proc: ProcedureVersion) -> datetime:
        local = received.astimezone(VN_TZ)
        day = local.date()
        sod = local.hour * 3600 + local.minute * 60 + local.second
        limit = proc.time_limit
        cutoff = proc.cutoff_seconds if limit.unit == "same_day" else self.last_end
        if not (self.is_working(day) and sod < cutoff):
            day += timedelta(days=1)
            while not self.is_working(day):
                day += timedelta(days=1)
        for _ in range(limit.amount):
            day += timedelta(days=1)
            while not self.is_working(day):
                day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + timedelta(
            seconds=self.last_end
        )


# --- helpers -----------------------------------------------------------------------------------


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def best_of(runs: int, func: Callable[[], Any]) -> tuple[float, Any]:
    best = None
    result = None
    for _ in range(runs):
        elapsed, result = timed(func)
        best = elapsed if best is None else min(best, elapsed)
    assert best is not None
    return best, result


def figure(
    name: str,
    value: float,
    baseline: float,
    target: float | None,
    unit: str,
    higher_is_better: bool,
    **extra: Any,
) -> dict[str, Any]:
    ratio = value / baseline if higher_is_better else baseline / value
    meets = None
    if target is not None:
        meets = value >= target if higher_is_better else value <= target
    return {
        "name": name,
        "value": round(value, 3),
        "baseline": round(baseline, 3),
        "ratio": round(ratio, 2),
        "target": target,
        "unit": unit,
        "meets_target": meets,
        **extra,
    }


def receipts(rng: random.Random, count: int, first: datetime, span_minutes: int) -> list[datetime]:
    return [first + timedelta(minutes=rng.randrange(span_minutes)) for _ in range(count)]


# --- the figures -------------------------------------------------------------------------------


def due_throughput(
    tenant: TenantCalendar,
    naive: NaiveCalendar,
    procs: Sequence[ProcedureVersion],
    count: int,
    rng: random.Random,
) -> list[dict[str, Any]]:
    received = receipts(rng, count, datetime(2025, 1, 2, tzinfo=VN_TZ), 600 * 24 * 60)
    items = [(r, rng.choice(procs)) for r in received]

    def ours() -> list[datetime]:
        return [compute_due(r, p, tenant) for r, p in items]

    def baseline() -> list[datetime]:
        return [naive.due(r, p) for r, p in items]

    def snapshots() -> int:
        for r, p in items[: count // 5]:
            compute_clock(r, p, tenant)
        return count // 5

    ours_s, ours_due = best_of(3, ours)
    base_s, base_due = best_of(3, baseline)
    if ours_due != base_due:
        raise SystemExit("baseline and library disagree: the comparison would be meaningless")
    snap_s, snap_n = best_of(3, snapshots)
    return [
        figure(
            "due_computations_per_second",
            count / ours_s,
            count / base_s,
            TARGET_PER_SECOND,
            "1/s",
            True,
            measured_n=count,
            note="compute_due on random receipts in 2025-2026, all 17 catalogue procedures",
        ),
        figure(
            "clock_snapshots_per_second",
            snap_n / snap_s,
            count / base_s,
            None,
            "1/s",
            True,
            measured_n=snap_n,
            note="compute_clock: due + thresholds + shares + state; baseline computes the due only",
        ),
    ]


def recompute_after_change(
    tenant: TenantCalendar, procs: Sequence[ProcedureVersion], count: int, rng: random.Random
) -> list[dict[str, Any]]:
    # Open dossiers received in the 14 days before TODAY, with their current due.
    received = receipts(rng, count, TODAY - timedelta(days=14), 14 * 24 * 60)
    open_items = [
        (r, p, compute_due(r, p, tenant)) for r, p in ((r, rng.choice(procs)) for r in received)
    ]
    change = CalendarChanged("day_off_added", NEW_DAY_OFF, "bridge", "Nghỉ đột xuất (ví dụ)")

    def ours_windowed() -> tuple[int, list[datetime]]:
        # The library's recompute: only clocks whose window holds a changed day.
        new_tenant = tenant.national.with_change(change).for_tenant(tenant.config)
        changed = changed_days(tenant, new_tenant)
        low, high = min(changed), max(changed)
        out = []
        touched = 0
        for r, p, due in open_items:
            if r.date() <= high and due.date() >= low:
                touched += 1
                out.append(compute_due(r, p, new_tenant))
            else:
                out.append(due)
        return touched, out

    def ours_snapshots() -> int:
        # Same window check, then the full clock (thresholds, shares, state) for each.
        new_tenant = tenant.national.with_change(change).for_tenant(tenant.config)
        changed = changed_days(tenant, new_tenant)
        low, high = min(changed), max(changed)
        touched = 0
        for r, p, due in open_items:
            if r.date() <= high and due.date() >= low:
                touched += 1
                compute_clock(r, p, new_tenant, now=TODAY)
        return touched

    def ours_full() -> list[datetime]:
        new_tenant = tenant.national.with_change(change).for_tenant(tenant.config)
        return [compute_due(r, p, new_tenant) for r, p, _ in open_items]

    def baseline() -> list[datetime]:
        naive = NaiveCalendar(tenant.national.with_change(change).for_tenant(tenant.config))
        return [naive.due(r, p) for r, p, _ in open_items]

    windowed_s, (touched, windowed) = timed(ours_windowed)
    snapshots_s, _ = timed(ours_snapshots)
    full_s, full = timed(ours_full)
    base_s, base = timed(baseline)
    if not windowed == full == base:
        raise SystemExit("recomputed deadlines disagree: the comparison would be meaningless")
    scale = OPEN_DEADLINES / count
    moved = sum(1 for (_, _, old), new in zip(open_items, full, strict=True) if new != old)
    common = {"measured_n": count, "scaled_to": OPEN_DEADLINES, "affected": touched, "moved": moved}
    return [
        figure(
            "recompute_1m_open_deadlines_seconds",
            windowed_s * scale,
            base_s * scale,
            TARGET_RECOMPUTE_SECONDS,
            "s",
            False,
            note="new calendar + diff + window check; only clocks whose window holds the day",
            **common,
        ),
        figure(
            "recompute_1m_open_clocks_seconds",
            snapshots_s * scale,
            base_s * scale,
            TARGET_RECOMPUTE_SECONDS,
            "s",
            False,
            note="as above, with thresholds, shares and state; the baseline computes dues only",
            **common,
        ),
        figure(
            "recompute_1m_all_deadlines_seconds",
            full_s * scale,
            base_s * scale,
            TARGET_RECOMPUTE_SECONDS,
            "s",
            False,
            note="every open deadline recomputed, no window check",
            **common,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="motcua-clock benchmark")
    parser.add_argument("--quick", action="store_true", help="short run (scaled figures)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "clock.json")
    args = parser.parse_args()
    rng = random.Random(20260213)
    catalogue = load_catalogue()
    tenant = load_calendar().for_tenant()
    naive = NaiveCalendar(tenant)
    procs = [catalogue.version_at(code, TODAY) for code in catalogue.codes()]

    due_n = 50_000 if args.quick else 300_000
    open_n = 100_000 if args.quick else OPEN_DEADLINES
    figures = due_throughput(tenant, naive, procs, due_n, rng)
    figures += recompute_after_change(tenant, procs, open_n, rng)

    print(f"{'figure':<40} {'value':>14} {'baseline':>14} {'ratio':>7} {'target':>10}  ok")
    for f in figures:
        target = "" if f["target"] is None else f"{f['target']:g}"
        ok = {True: "yes", False: "NO", None: "-"}[f["meets_target"]]
        print(
            f"{f['name']:<40} {f['value']:>14,.1f} {f['baseline']:>14,.1f} "
            f"{f['ratio']:>6.2f}x {target:>10}  {ok}"
        )
    for f in figures:
        print(json.dumps(f, ensure_ascii=False))
    result = {
        "benchmark": "clock",
        "quick": args.quick,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "figures": figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
