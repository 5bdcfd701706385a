"""CSV for spreadsheets: UTF-8 with a BOM (Excel then reads Vietnamese), headers in Vietnamese."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from fastapi.responses import Response
from motcua_platform.inputs import csv_cell


def csv_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        # A commune name "=HYPERLINK(...)" must stay text in a spreadsheet.
        writer.writerow(["" if v is None else csv_cell(v) for v in row])
    return Response(
        content="\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
