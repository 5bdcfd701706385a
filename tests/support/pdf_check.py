"""Check a PDF as a person would see it: what the text says, where each line stands.

    checked = check_pdf(pdf, name="condolence", expect=["Kính gửi: Ông/Bà Lò Thị Hoa"])
    checked.line("Số: 01/TCB-UBND").x0 < checked.line("CỘNG HÒA").x0

- words come from pdfplumber with their boxes; words on one row are grouped into lines, and a
  row is split where a wide gap separates two columns (the letterhead's left and right
  columns are two lines, not one);
- it fails if any two words or any two lines overlap (text printed over text);
- it fails if an expected line is not found verbatim (NFC, runs of white space as one space)
  in the extracted text: Vietnamese survives only if the embedded font maps its glyphs back
  to Unicode (a ToUnicode map);
- page 1 is kept as `tests/artifacts/<name>.png` (80 dpi) for a person to look at.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# Two boxes overlap when they share more than this (PDF points) both across and down:
# glyph boxes of one word's neighbours may touch, never cover each other.
OVERLAP_PT = 0.6
# A gap wider than this many times the font size splits a row into two lines (columns).
COLUMN_GAP_EM = 1.6
PDFTOPPM = ("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


def normalise(text: str) -> str:
    """NFC, runs of white space as one space: how an expected line is compared."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class Box:
    text: str
    page: int  # 1-based
    x0: float  # PDF points from the left edge
    top: float  # PDF points from the top edge
    x1: float
    bottom: float
    size: float = 0.0  # font size (points)

    def overlaps(self, other: Box, tolerance: float = OVERLAP_PT) -> bool:
        if self.page != other.page:
            return False
        across = min(self.x1, other.x1) - max(self.x0, other.x0)
        down = min(self.bottom, other.bottom) - max(self.top, other.top)
        return across > tolerance and down > tolerance


@dataclass(frozen=True)
class Line(Box):
    words: tuple[Box, ...] = field(default=(), compare=False, repr=False)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class CheckedPdf:
    name: str
    pages: int
    width: float  # of page 1, points
    height: float
    lines: tuple[Line, ...]  # page by page, top to bottom, left to right
    words: tuple[Box, ...]
    png: Path
    rules: tuple[Box, ...] = ()  # horizontal lines drawn (the letterhead's short rules)

    @property
    def text(self) -> str:
        """One extracted line per text line (NFC), in reading order: where the page runs in
        two columns (letterhead, signatures), the left column first, then the right."""
        return "\n".join(line.text for line in _reading_order(self.lines, self.width / 2))

    @property
    def flat(self) -> str:
        """The whole text as one string, runs of white space as one space."""
        return normalise(self.text)

    @property
    def flat_rows(self) -> str:
        """The same, row by row across the whole page (a table row's cells together)."""
        return normalise("\n".join(line.text for line in self.lines))

    def rules_under(self, line: Line, within: float = 12.0) -> list[Box]:
        """Horizontal rules starting below `line` (within `within` points), centred under it
        (their middle inside the line's width)."""
        return [
            r
            for r in self.rules
            if r.page == line.page
            and line.bottom - 0.5 <= r.top <= line.bottom + within
            and line.x0 <= (r.x0 + r.x1) / 2 <= line.x1
        ]

    def find(self, fragment: str) -> Line | None:
        wanted = normalise(fragment)
        return next((line for line in self.lines if wanted in normalise(line.text)), None)

    def line(self, fragment: str) -> Line:
        """The first line (top to bottom) containing `fragment`; fails if there is none."""
        found = self.find(fragment)
        if found is None:
            raise AssertionError(f"{self.name}: no line contains {fragment!r}\n---\n{self.text}")
        return found

    def __contains__(self, fragment: object) -> bool:
        if not isinstance(fragment, str):
            return False
        wanted = normalise(fragment)
        return wanted in self.flat or wanted in self.flat_rows


def _reading_order(lines: Iterable[Line], middle: float) -> list[Line]:
    """Runs of rows whose lines stand on one side of the page (left or right of its middle)
    are read column by column; a line centred on the page (a title, a paragraph) ends the
    run."""
    ordered: list[Line] = []
    run: list[Line] = []

    def flush() -> None:
        ordered.extend(sorted(run, key=lambda x: (x.centre > middle, x.top, x.x0)))
        run.clear()

    for line in lines:  # already page by page, top to bottom
        across = abs(line.centre - middle) < middle * 0.2
        if across or (run and run[0].page != line.page):
            flush()
        if across:
            ordered.append(line)
        else:
            run.append(line)
    flush()
    return ordered


def _words(page: Any, number: int) -> list[Box]:
    found = page.extract_words(keep_blank_chars=False, use_text_flow=False, extra_attrs=["size"])
    return [
        Box(
            unicodedata.normalize("NFC", w["text"]),
            number,
            float(w["x0"]),
            float(w["top"]),
            float(w["x1"]),
            float(w["bottom"]),
            float(w.get("size") or 0.0),
        )
        for w in found
    ]


def _rows(words: list[Box]) -> list[list[Box]]:
    """Words whose vertical middles fall within one another's boxes share a row."""
    rows: list[list[Box]] = []
    for word in sorted(words, key=lambda w: (w.page, (w.top + w.bottom) / 2, w.x0)):
        middle = (word.top + word.bottom) / 2
        if rows:
            last = rows[-1]
            top = min(w.top for w in last)
            bottom = max(w.bottom for w in last)
            if last[0].page == word.page and top <= middle <= bottom:
                last.append(word)
                continue
        rows.append([word])
    return rows


def _lines(row: list[Box]) -> list[Line]:
    pieces: list[list[Box]] = []
    for word in sorted(row, key=lambda w: w.x0):
        if pieces:
            previous = pieces[-1][-1]
            size = max(previous.size, word.size) or (previous.bottom - previous.top)
            if word.x0 - previous.x1 <= COLUMN_GAP_EM * size:
                pieces[-1].append(word)
                continue
        pieces.append([word])
    return [
        Line(
            " ".join(w.text for w in piece),
            piece[0].page,
            min(w.x0 for w in piece),
            min(w.top for w in piece),
            max(w.x1 for w in piece),
            max(w.bottom for w in piece),
            max(w.size for w in piece),
            words=tuple(piece),
        )
        for piece in pieces
    ]


def _overlaps(boxes: Iterable[Box]) -> list[tuple[Box, Box]]:
    ordered = sorted(boxes, key=lambda b: (b.page, b.top))
    found = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.page != a.page or b.top >= a.bottom:
                break
            if a.overlaps(b):
                found.append((a, b))
    return found


def _png(pdf: bytes, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "document.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [*PDFTOPPM, str(source), str(target)],
            check=True,
            timeout=60,
            capture_output=True,
        )
    return target.with_suffix(".png") if target.suffix != ".png" else target


def check_pdf(pdf: bytes, *, name: str, expect: Iterable[str] = ()) -> CheckedPdf:
    """Extract, check and keep page 1 as a PNG; an AssertionError says what a reader would
    see wrong. `name` is the PNG's file name without extension (letters, digits, . _ -)."""
    assert _SAFE_NAME.match(name), f"artifact name {name!r}: letters, digits, '.', '_', '-'"
    assert pdf.startswith(b"%PDF"), f"{name}: not a PDF: {pdf[:40]!r}"
    png = _png(pdf, name)  # first, so a failing check still leaves the picture to look at
    words: list[Box] = []
    rules: list[Box] = []
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = len(doc.pages)
        width, height = float(doc.pages[0].width), float(doc.pages[0].height)
        for number, page in enumerate(doc.pages, 1):
            words += _words(page, number)
            rules += [
                rule
                for g in [*page.lines, *page.rects]
                if (rule := Box("", number, *(float(g[k]) for k in ("x0", "top", "x1", "bottom"))))
                and rule.bottom - rule.top < 1.5
                and rule.x1 - rule.x0 > 5
            ]
    lines = [line for row in _rows(words) for line in _lines(row)]
    checked = CheckedPdf(name, pages, width, height, tuple(lines), tuple(words), png, tuple(rules))

    clashes = _overlaps(words) + _overlaps(lines)
    assert not clashes, f"{name}: text printed over text (see {png}):\n" + "\n".join(
        f"  p{a.page} {a.text!r} @({a.x0:.0f},{a.top:.0f})"
        f" over {b.text!r} @({b.x0:.0f},{b.top:.0f})"
        for a, b in clashes[:12]
    )
    missing = [line for line in expect if line not in checked]
    assert not missing, (
        f"{name}: lines not found verbatim in the extracted text (see {png}): {missing}\n---\n"
        f"{checked.text[:4000]}"
    )
    return checked


NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def check_letterhead(
    checked: CheckedPdf, *, issuer: str, place_date: str, number: str | None = None
) -> None:
    """Decree 30/2020/NĐ-CP's header on page 1: the issuing body on the left with a short rule
    under it, then "Số: …" (if `number`); the national name and motto on the right with a rule
    under the motto, then the place and date; the two columns side by side, nothing over
    anything (check_pdf has checked that)."""
    name, middle = checked.name, checked.width / 2
    body, national, motto = checked.line(issuer), checked.line(NATIONAL_NAME), checked.line(MOTTO)
    dated = checked.line(place_date)
    assert body.page == national.page == dated.page == 1, f"{name}: letterhead not on page 1"
    assert body.centre < middle < national.centre, f"{name}: issuer left, national name right"
    assert motto.centre > middle and dated.centre > middle, f"{name}: motto and date right"
    assert abs(body.top - national.top) < 40, f"{name}: the two columns start together"
    # The issuing body may wrap: its rule is under its last line, within a few lines.
    short = [
        r
        for r in checked.rules_under(body, within=40)
        if not any(
            line.top < r.top < line.bottom and line.x0 < r.x1 and r.x0 < line.x1
            for line in checked.lines
        )
    ]
    assert short, f"{name}: no rule under the issuing body {issuer!r}"
    assert all(r.x1 - r.x0 < (body.x1 - body.x0) * 0.75 for r in short), f"{name}: rule too long"
    long = checked.rules_under(motto)
    assert long, f"{name}: no rule under the motto"
    assert any(abs((r.x1 - r.x0) - (motto.x1 - motto.x0)) < 12 for r in long), (
        f"{name}: the rule under the motto is as long as the motto"
    )
    assert dated.top > max(r.top for r in long), f"{name}: place and date under the motto's rule"
    if number is not None:
        numbered = checked.line(f"Số: {number}")
        assert numbered.centre < middle, f"{name}: 'Số: {number}' belongs in the left column"
        assert numbered.top > max(r.top for r in short), f"{name}: 'Số' under the issuer's rule"
        assert numbered.x1 < dated.x0, f"{name}: 'Số' and the date side by side, not over"
    title_top = max(dated.bottom, body.bottom)
    assert any(line.top > title_top for line in checked.lines), f"{name}: nothing below"
