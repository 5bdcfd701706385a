"""A minimal stand-in for tests/support/pdf_check.py (being written in parallel): same call,
`check_pdf(pdf, name=..., expect=...)`. Swap the import in the stories once it lands.

Checks what a person would see: every expected line survives text extraction, and page 1 is
kept as a PNG under tests/artifacts/ for review.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@dataclass(frozen=True)
class CheckedPdf:
    text: str
    pages: int
    png: Path


def _normal(text: str) -> str:
    return " ".join(text.split())


def check_pdf(pdf: bytes, *, name: str, expect: tuple[str, ...] | list[str] = ()) -> CheckedPdf:
    assert pdf.startswith(b"%PDF"), pdf[:40]
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = len(doc.pages)
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
    flat = _normal(text)
    missing = [line for line in expect if _normal(line) not in flat]
    assert not missing, f"{name}: lines lost in the PDF: {missing}\n---\n{text[:3000]}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "letter.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(ARTIFACTS / name),
            ],
            check=True,
            timeout=60,
        )
    png = ARTIFACTS / f"{name}.png"
    assert png.stat().st_size > 1000
    return CheckedPdf(text, pages, png)
