"""`motcua-clock`: due moments and thresholds for operators and support staff.

    motcua-clock due --procedure 1.001193 --received 2026-02-13T16:00+07:00
    motcua-clock due --procedure 1.004859 --received 2026-04-28T09:00+07:00 \\
        --pause 2026-04-29T09:00+07:00/2026-05-04T10:00+07:00 --json
    motcua-clock procedures [--at 2026-01-01]
    motcua-clock calendar --year 2026
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date

from .catalogue import CHANNELS, Catalogue, load_catalogue
from .clock import compute_clock
from .errors import ClockError
from .events import ClockEvent
from .tenant_calendar import TenantCalendar
from .timeutil import date_vi, iso, parse_moment
from .working_calendar import TenantConfig, load_calendar, load_tenant_config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua-clock", description="Tính hạn giải quyết hồ sơ thủ tục hành chính."
    )
    parser.add_argument("--catalogue", help="tệp danh mục thủ tục (mặc định: tệp đóng gói)")
    parser.add_argument("--calendar", help="tệp lịch làm việc (mặc định: tệp đóng gói)")
    sub = parser.add_subparsers(dest="command", required=True)

    due = sub.add_parser("due", help="hạn trả kết quả và các mốc cảnh báo của một hồ sơ")
    due.add_argument("--procedure", required=True, help="mã thủ tục, ví dụ 1.001193")
    due.add_argument("--received", required=True, help="thời điểm tiếp nhận, ISO 8601")
    due.add_argument("--version", help="phiên bản thủ tục (mặc định: bản có hiệu lực khi nhận)")
    due.add_argument("--tenant-config", help="tệp JSON cấu hình của xã (giờ làm việc, ngày nghỉ)")
    due.add_argument(
        "--pause",
        action="append",
        default=[],
        metavar="BẮT_ĐẦU/KẾT_THÚC",
        help="khoảng tạm dừng chờ bổ sung; bỏ trống KẾT_THÚC nếu chưa nhận bổ sung",
    )
    due.add_argument("--verification", action="store_true", help="áp dụng thời hạn có xác minh")
    due.add_argument("--apology", metavar="LẬP_LÚC/NGÀY_HẸN_MỚI", help="phiếu xin lỗi, hẹn lại")
    due.add_argument("--completed", metavar="THỜI_ĐIỂM", help="thời điểm có kết quả")
    due.add_argument("--channel", choices=CHANNELS, default="counter", help="kênh tiếp nhận")
    due.add_argument("--now", help="thời điểm hiện tại để xét trạng thái (mặc định: sự kiện cuối)")
    due.add_argument("--json", action="store_true", help="in JSON")

    procs = sub.add_parser("procedures", help="liệt kê danh mục thủ tục")
    procs.add_argument("--at", help="chỉ các phiên bản có hiệu lực vào ngày này (YYYY-MM-DD)")
    procs.add_argument("--json", action="store_true")

    cal = sub.add_parser("calendar", help="ngày nghỉ và ngày làm bù của một năm")
    cal.add_argument("--year", type=int, required=True)
    cal.add_argument("--tenant-config")
    cal.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "due":
            return _due(args)
        if args.command == "procedures":
            return _procedures(args)
        return _calendar(args)
    except ClockError as exc:
        print(f"Lỗi ({exc.code}): {exc.message_vi}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError, ValueError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


def _tenant(args: argparse.Namespace) -> TenantCalendar:
    national = load_calendar(args.calendar)
    config = load_tenant_config(args.tenant_config) if args.tenant_config else TenantConfig()
    return national.for_tenant(config)


def _events(args: argparse.Namespace) -> list[ClockEvent]:
    events = []
    for text in args.pause:
        start, _, end = text.partition("/")
        events.append(ClockEvent.paused(parse_moment(start)))
        if end.strip():
            events.append(ClockEvent.resumed(parse_moment(end)))
    if args.apology:
        issued, _, new_due = args.apology.partition("/")
        events.append(ClockEvent.apology(parse_moment(issued), parse_moment(new_due)))
    if args.completed:
        events.append(ClockEvent.completed(parse_moment(args.completed)))
    events.sort(key=lambda e: e.at)  # stable: a pause's start stays before its end
    return events


def _due(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.catalogue)
    received = parse_moment(args.received)
    if args.version:
        procedure = catalogue.get(args.procedure, args.version)
    else:
        procedure = catalogue.version_at(args.procedure, received)
    snapshot = compute_clock(
        received,
        procedure,
        _tenant(args),
        _events(args),
        now=parse_moment(args.now) if args.now else None,
        verification=args.verification,
        channel=args.channel,
    )
    lines = snapshot.explain()
    if args.json:
        out = snapshot.to_dict()
        out["explanation_vi"] = lines
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"Hạn trả kết quả: {iso(snapshot.due_at)}")
    print("Các mốc:")
    for threshold in snapshot.thresholds:
        print(f"  {threshold.kind:<12} {iso(threshold.at)}  {threshold.label_vi()}")
    print("Giải thích:")
    for line in lines:
        print(f"  {line}")
    return 0


def _procedures(args: argparse.Namespace) -> int:
    catalogue: Catalogue = load_catalogue(args.catalogue)
    versions = catalogue.all_versions()
    if args.at:
        day = date.fromisoformat(args.at)
        versions = [v for v in versions if v.in_force_on(day)]
    if args.json:
        print(json.dumps([v.to_dict() for v in versions], ensure_ascii=False, indent=2))
        return 0
    for v in versions:
        until = f"{v.effective_to:%d/%m/%Y}" if v.effective_to else "nay"
        extra = (
            f"; có xác minh: {v.verification_time_limit.label_vi()}"
            if v.verification_time_limit
            else ""
        )
        print(
            f"{v.code:<9} v{v.version:<3} {v.effective_from:%d/%m/%Y}–{until:<10} "
            f"{v.name_vi} — {v.time_limit.label_vi()}{extra}"
        )
    return 0


def _calendar(args: argparse.Namespace) -> int:
    tenant = _tenant(args)
    first = date(args.year, 1, 1)
    rows = []
    for offset in range((date(args.year, 12, 31) - first).days + 1):
        day = date.fromordinal(first.toordinal() + offset)
        working = tenant.is_working_day(day)
        if not working and day.weekday() < 5:
            rows.append(
                {"date": day.isoformat(), "working": False, "reason_vi": tenant.reason_off_vi(day)}
            )
        elif working and day.weekday() >= 5:
            extra = tenant.extra_working_day(day)
            rows.append(
                {
                    "date": day.isoformat(),
                    "working": True,
                    "reason_vi": extra.name_vi if extra else "",
                }
            )
    status = tenant.national.year_status(args.year)
    if args.json:
        print(
            json.dumps(
                {"year": args.year, "status": status.status if status else None, "days": rows},
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(
        f"Năm {args.year}: "
        + (
            "lịch đã công bố"
            if status and status.status == "announced"
            else "lịch dự kiến"
            if status
            else "chưa có dữ liệu ngày nghỉ lễ"
        )
    )
    for row in rows:
        day = date.fromisoformat(str(row["date"]))
        label = "làm việc" if row["working"] else "nghỉ"
        print(f"  {date_vi(day):<22} {label:<9} {row['reason_vi']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
