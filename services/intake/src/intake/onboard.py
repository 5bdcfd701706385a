"""`motcua-intake onboard FILE [--url URL] [--token TOKEN]`: every unit of a file, via the API.

The file is `{"province": {...}, "units": [...]}` (data/tenants/son-la-2025.json) or
`{"tenants": [...]}`. Each row goes through `PUT /api/v1/tenants/{tenant_id}` exactly as an
operator would send it, so validation, revisions and events are the API's. Running it twice
changes nothing. A row without an agency code gets a provisional one derived from its
position in the file (`TAM.<province>.<NNN>`): keep the order, append new rows at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from motcua_platform.auth.roles import Role

# Row keys that describe where a row comes from, not the unit's configuration.
_NOT_CONFIGURATION = frozenset({"tenant_id", "formed_by", "predecessors_vi", "_comment"})


def provisional_agency_code(province_code: str, position: int) -> str:
    """Deterministic placeholder until the province's e-ID list is loaded (position from 1)."""
    return f"TAM.{province_code}.{position:03d}"


def rows_of(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(tenant id, PUT body) per row, in file order."""
    province = document.get("province") or {}
    rows = document.get("units") or document.get("tenants") or []
    out = []
    for position, row in enumerate(rows, start=1):
        body = {k: v for k, v in row.items() if k not in _NOT_CONFIGURATION}
        body.setdefault("province_code", province.get("code", "14"))
        if not body.get("agency_code"):
            body["agency_code"] = provisional_agency_code(body["province_code"], position)
        body.pop("agency_code_provisional", None)
        out.append((row["tenant_id"], body))
    return out


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, int, str]] = field(default_factory=list)


async def onboard(
    client: httpx.AsyncClient,
    rows: list[tuple[str, dict[str, Any]]],
    *,
    token: str,
    concurrency: int = 4,
) -> Report:
    """PUTs every row; counts created / changed / unchanged and keeps each error."""
    report = Report()
    headers = {"Authorization": f"Bearer {token}"}
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    for row in rows:
        queue.put_nowait(row)

    async def worker() -> None:
        while not queue.empty():
            tenant_id, body = queue.get_nowait()
            for _ in range(5):
                r = await client.put(f"/api/v1/tenants/{tenant_id}", json=body, headers=headers)
                if r.status_code != 429:
                    break
                await asyncio.sleep(float(r.headers.get("Retry-After", "1")))
            if r.status_code == 200:
                report.counts[r.json().get("change") or "unchanged"] += 1
            else:
                report.counts["error"] += 1
                report.errors.append((tenant_id, r.status_code, r.text[:500]))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return report


def _default_token() -> str:
    environment = os.environ.get("MOTCUA_INTAKE_ENVIRONMENT", "development")
    if environment == "production":
        raise SystemExit("production: pass --token (an operator's access token)")
    from intake.auth import dev_tokens

    return dev_tokens.mint(
        Role.OPERATOR,
        None,
        subject="onboard-cli",
        keys_dir=os.environ.get("MOTCUA_INTAKE_DEV_KEYS_DIR") or None,
    )


def _fail(message: str) -> int:
    print(f"Lỗi: {message}", file=sys.stderr)
    return 2


def main(argv: list[str]) -> int:
    """0: every row onboarded; 1: some rows refused (listed); 2: nothing could be done.
    Problems are told in Vietnamese, never as a traceback."""
    parser = argparse.ArgumentParser(
        prog="motcua-intake onboard",
        description="Nạp (hoặc cập nhật) mọi đơn vị cấp xã của một tệp qua API của dịch vụ "
        "tiếp nhận. Chạy lại không thay đổi gì.",
    )
    parser.add_argument("file", type=Path, help="tệp JSON, ví dụ data/tenants/son-la-2025.json")
    parser.add_argument(
        "--url",
        default="http://127.0.0.1:8001",
        help="địa chỉ dịch vụ tiếp nhận (mặc định %(default)s)",
    )
    parser.add_argument(
        "--token", default=None, help="mã truy cập của quản trị viên (mặc định: mã phát triển)"
    )
    args = parser.parse_args(argv)
    try:
        rows = rows_of(json.loads(args.file.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return _fail(f"không tìm thấy tệp {args.file}.")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _fail(f"tệp {args.file} không phải JSON hợp lệ ({exc}).")
    except (KeyError, TypeError, AttributeError):
        return _fail(f'tệp {args.file} không đúng cấu trúc (cần "units" hoặc "tenants").')
    try:
        token = args.token or _default_token()
    except OSError as exc:
        return _fail(f"không tạo được mã truy cập phát triển ({exc}); hãy truyền --token.")

    async def run() -> Report:
        async with httpx.AsyncClient(base_url=args.url, timeout=30) as client:
            return await onboard(client, rows, token=token)

    try:
        report = asyncio.run(run())
    except httpx.ConnectError:
        return _fail(
            f"không kết nối được tới dịch vụ tiếp nhận tại {args.url}. Hãy chạy nền tảng "
            "(make demo, hoặc motcua-intake serve) rồi thử lại, hoặc chỉ đúng địa chỉ bằng --url."
        )
    except httpx.TimeoutException:
        return _fail(f"dịch vụ tiếp nhận tại {args.url} không trả lời trong 30 giây.")
    except httpx.HTTPError as exc:
        return _fail(f"lỗi khi gọi dịch vụ tiếp nhận tại {args.url}: {exc}.")
    c = report.counts
    print(
        f"{len(rows)} đơn vị: tạo mới {c['created']}, thay đổi {c['changed']}, "
        f"không đổi {c['unchanged']}, lỗi {c['error']}"
    )
    for tenant_id, status, text in report.errors:
        print(f"  {tenant_id}: HTTP {status} {text}", file=sys.stderr)
    if report.errors and all(status == 401 for _, status, _ in report.errors):
        print(
            "Mã truy cập không được chấp nhận: dùng --token của quản trị viên, hoặc chạy lệnh "
            "từ cùng thư mục với nền tảng (cùng khóa phát triển .run/dev-keys).",
            file=sys.stderr,
        )
    return 1 if report.errors else 0
