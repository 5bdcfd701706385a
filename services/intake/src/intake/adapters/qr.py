"""QR codes as a module matrix, drawn as SVG (HTML) or rectangles (PDF): no images needed."""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def matrix(text: str) -> list[list[bool]]:
    """Medium error correction survives a creased, stamped receipt."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def svg(text: str, *, size_px: int = 160) -> str:
    cells = matrix(text)
    n = len(cells)
    path = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(cells) for x, dark in enumerate(row) if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{size_px}" '
        f'height="{size_px}" role="img" aria-label="Mã QR tra cứu hồ sơ" '
        f'shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )
