"""DejaVu is looked up and parsed once per process; every document still gets its own
subset, and the bytes are those of fpdf2's own `add_font` (issue 20: fonts were parsed again
for every letter)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fpdf import FPDF
from fpdf import fonts as fpdf_fonts
from motcua_platform import letterhead
from motcua_platform.letterhead import DEJAVU_FILES, FONT, add_dejavu, dejavu_dir


def _document(text: str, *, shared: bool) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    if shared:
        add_dejavu(pdf)
    else:
        for style, file in DEJAVU_FILES:
            pdf.add_font(FONT, style, str(dejavu_dir() / file))
    pdf.add_page()
    for style in ("", "B", "I"):
        pdf.set_font(FONT, style, 11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = fpdf_fonts.TTFFont.__init__

    def counting(self: Any, fpdf: Any, path: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(str(path))
        original(self, fpdf, path, *args, **kwargs)

    monkeypatch.setattr(fpdf_fonts.TTFFont, "__init__", counting)
    monkeypatch.setattr(letterhead, "_parsed", {})
    return seen


def test_fonts_are_parsed_once_across_documents(parses: list[str]) -> None:
    _document("Chiềng Khương, ngày 03 tháng 12 năm 2026", shared=True)
    _document("Ủy ban nhân dân xã Mường Lát", shared=True)
    assert len(parses) == len(DEJAVU_FILES)  # once per style, not once per document


def test_shared_fonts_give_the_same_bytes_as_fresh_ones() -> None:
    first = "Độc lập - Tự do - Hạnh phúc"
    second = "Thư xin lỗi: hồ sơ trễ hẹn"
    assert _document(first, shared=True) == _document(first, shared=False)
    # a second document with other glyphs: its subset is its own, not the first one's
    assert _document(second, shared=True) == _document(second, shared=False)
    assert _document(first, shared=True) == _document(first, shared=False)
