"""Seed src/motcua_clock/data/calendar.json from the `holidays` package (class Vietnam).

Run once per release of the package, then review the diff: the JSON is the source of
truth at run time and operators edit it directly (docs/clock.md). The script checks
the seeded table against the facts in docs/domain.md §5.3 and refuses to write if one fails.

    python libs/clock/scripts/seed_calendar.py [--announced 2024 2025 2026] [--provisional 2027]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays

OUT = Path(__file__).resolve().parents[1] / "src" / "motcua_clock" / "data" / "calendar.json"
PACKAGE = f"holidays {holidays.__version__} (Vietnam, language=vi)"
LABOR_CODE = "Bộ luật Lao động 2019, Điều 112"
# Official announcements the package itself cites for the swapped days.
SWAP_SOURCES = {
    2024: "Công văn 2450/VPCP-KGVX (2024) về hoán đổi ngày làm việc dịp 30/4–1/5",
    2025: "Thông báo 6150/TB-BLĐTBXH (2024) về lịch nghỉ lễ, Tết năm 2025",
    2026: "Thông báo lịch nghỉ lễ năm 2026 (Bộ Nội vụ), theo gói holidays",
}
SWAP = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


def seed(announced: list[int], provisional: list[int]) -> dict[str, Any]:
    years = sorted(announced + provisional)
    table = holidays.Vietnam(years=years, language="vi")
    days_off = []
    working_days = []
    for day, name in sorted(table.items()):
        source = f"{PACKAGE}; {LABOR_CODE}"
        match = SWAP.search(name)
        if match:
            worked = date(int(match[3]), int(match[2]), int(match[1]))
            kind = "bridge"
            name_vi = f"Ngày nghỉ hoán đổi, làm bù vào {_date_vi(worked)}"
            source = f"{PACKAGE}; {SWAP_SOURCES.get(day.year, 'thông báo của Chính phủ')}"
        elif "nghỉ bù" in name:
            kind = "substitute"
            name_vi = name
        else:
            kind = "holiday"
            name_vi = name
        if day == date(2026, 11, 24):
            source += "; docs/domain.md §5.3: đã công bố, hiệu lực pháp lý chưa kiểm chứng"
        days_off.append(
            {"date": day.isoformat(), "kind": kind, "name_vi": name_vi, "source": source}
        )
    bridges = {
        d["name_vi"].rsplit(" ", 1)[-1]: d["date"] for d in days_off if d["kind"] == "bridge"
    }
    for worked in sorted(d for d in table.weekend_workdays if d.year in years):
        off = bridges.get(f"{worked:%d/%m/%Y}")
        name_vi = "Làm việc bù" + (
            f" cho ngày nghỉ {date.fromisoformat(off):%d/%m/%Y}" if off else ""
        )
        working_days.append(
            {
                "date": worked.isoformat(),
                "name_vi": name_vi,
                "source": f"{PACKAGE}; {SWAP_SOURCES.get(worked.year, 'thông báo của Chính phủ')}",
            }
        )
    return {
        "format": 1,
        "time_zone": "Asia/Ho_Chi_Minh",
        "weekend": [5, 6],
        "years": {
            str(y): {
                "status": "announced" if y in announced else "provisional",
                "sources": [PACKAGE, LABOR_CODE]
                + ([SWAP_SOURCES[y]] if y in SWAP_SOURCES and y in announced else []),
            }
            for y in years
        },
        "days_off": days_off,
        "working_days": working_days,
    }


def _date_vi(day: date) -> str:
    names = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
    return f"{names[day.weekday()]} {day:%d/%m/%Y}"


def check(data: dict[str, Any]) -> list[str]:
    """docs/domain.md §5.2–5.3 facts that the seeded table must reproduce."""
    off = {d["date"] for d in data["days_off"]}
    worked = {d["date"] for d in data["working_days"]}

    def working(day: date) -> bool:
        key = day.isoformat()
        if key in worked:
            return True
        return day.weekday() < 5 and key not in off

    def span(first: date, last: date) -> list[date]:
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    problems = []
    for first, last in (
        (date(2025, 1, 25), date(2025, 2, 2)),
        (date(2026, 2, 14), date(2026, 2, 22)),
    ):
        if any(working(d) for d in span(first, last)):
            problems.append(f"Tết break {first}–{last} is not entirely off")
        if not working(first - timedelta(days=1)) or not working(last + timedelta(days=1)):
            problems.append(f"Tết break {first}–{last} should be bounded by working days")
    for day in (date(2025, 4, 26), date(2026, 8, 22)):
        if not working(day):
            problems.append(f"make-up Saturday {day} missing")
    for day in (date(2025, 5, 2), date(2026, 4, 27), date(2026, 11, 24), date(2026, 8, 31)):
        if working(day):
            problems.append(f"{day} should be a day off")
    for year in (2024, 2025, 2026):
        sep2 = date(year, 9, 2)
        if not any(not working(sep2 + timedelta(days=k)) for k in (-1, 1)) or (
            sep2.weekday() < 5 and working(sep2)
        ):
            problems.append(f"2 Sep {year} plus an adjacent day is not off")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--announced", type=int, nargs="*", default=[2024, 2025, 2026])
    parser.add_argument("--provisional", type=int, nargs="*", default=[2027])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = seed(args.announced, args.provisional)
    problems = check(data)
    if problems:
        print("refusing to write:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out} ({len(data['days_off'])} days off, {len(data['working_days'])} worked)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
