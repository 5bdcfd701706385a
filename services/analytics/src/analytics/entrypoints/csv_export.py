"""CSV for spreadsheets: UTF-8 with a BOM (Excel then reads Vietnamese), headers in Vietnamese."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from fastapi.responses import Response
from motcua_platform.inputs import csv_cell
from motcua_platform.vntime import vn_iso


def _cell(value: object) -> object:
    """Moments as people read them (ISO 8601, +07:00, to the second); text that starts like
    a formula stays text in a spreadsheet (a commune named "=HYPERLINK(...)")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return vn_iso(value, seconds=True)
    return csv_cell(value)


def csv_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return Response(
        content="\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
