"""What crosses the HTTP boundary: free text, dates, CSV cells, metric labels.

- `Text` / `MultilineText`: every free text a request carries, NFC-normalised (a decomposed
  "Lò Văn Bình" and the composed one are the same name) with control characters refused
  (a NUL byte never reaches a database). `MultilineText` still allows line breaks and tabs.
- `BoundedDate` / `BoundedMoment`: a calendar day (an aware moment) between 1900-01-01 and
  2199-12-31, so that day arithmetic (`+ timedelta(days=1)`, time zones) can never overflow.
- `csv_cell`: a spreadsheet never evaluates a cell a client typed (=, +, -, @, tab, CR).
- `method_label`: the HTTP method as a metric label, from a closed set.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)
_LINE_BREAKS = frozenset("\n\r\t")


def _has_control(value: str, allowed: frozenset[str]) -> bool:
    # Cc: C0/C1 controls (NUL, ESC, DEL...); Cs: lone surrogates; U+2028/2029 split lines too.
    return any(
        (unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed) or ch in "\u2028\u2029"
        for ch in value
    )


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFC form of `value`; control characters (except line breaks if `multiline`) refused."""
    if _has_control(value, _LINE_BREAKS if multiline else frozenset()):
        raise PydanticCustomError("control_characters", "text contains control characters")
    return unicodedata.normalize("NFC", value)


def _single_line(value: str) -> str:
    return clean_text(value)


def _multiline(value: str) -> str:
    return clean_text(value, multiline=True)


def _bounded(value: date) -> date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise PydanticCustomError(
            "date_out_of_range",
            "date must be between {min} and {max}",
            {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
        )
    return value


def _bounded_moment(value: datetime) -> datetime:
    _bounded(value.date())
    return value


Text = Annotated[str, AfterValidator(_single_line)]
MultilineText = Annotated[str, AfterValidator(_multiline)]
BoundedDate = Annotated[date, AfterValidator(_bounded)]
BoundedMoment = Annotated[AwareDatetime, AfterValidator(_bounded_moment)]

# The Vietnamese texts of the errors above, merged into errors.VALIDATION_VI.
INPUT_MESSAGES_VI = {
    "control_characters": "Giá trị chứa ký tự điều khiển không được phép.",
    "date_out_of_range": "Ngày phải nằm trong khoảng 01/01/1900 đến 31/12/2199.",
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: strings starting like a formula get a leading
    apostrophe (OWASP CSV injection); numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    """Any method a client invents shares one label, so metric series stay bounded."""
    return method if method in HTTP_METHODS else "OTHER"
