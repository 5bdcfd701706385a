"""What makes a printed letter official: heading, unit, number, place and date, signature."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from notify.domain.kinds import Kind

# Form 04 follows the rules in force when the dossier was received (docs/domain.md §3.1, §3.4).
TT01_2018 = "tt01_2018"
TT03_2025 = "tt03_2025"
_EDITIONS = ((date(2025, 7, 1), TT03_2025), (date.min, TT01_2018))

# Symbols in letter numbers (Decree 30/2020 appendix: GM = giấy mời, TB = thông báo) [M];
# a commune may change them in its settings.
NUMBER_SYMBOLS: dict[Kind, str] = {
    Kind.CEREMONY_INVITATION: "GM-UBND",
    Kind.APOLOGY_NOTICE: "XL-UBND",
    Kind.CONDOLENCE_LETTER: "TCB-UBND",
}
DEFAULT_SYMBOL = "TB-UBND"


def form_edition(received_on: date | None) -> str:
    if received_on is None:
        return TT03_2025
    return next(edition for start, edition in _EDITIONS if received_on >= start)


def letter_number(sequence: int, kind: Kind, symbols: dict[str, str] | None = None) -> str:
    symbol = (symbols or {}).get(kind.value) or NUMBER_SYMBOLS.get(kind, DEFAULT_SYMBOL)
    return f"{sequence:02d}/{symbol}"


@dataclass(frozen=True)
class Signer:
    on_behalf: str = "TM. ỦY BAN NHÂN DÂN"
    title: str = "CHỦ TỊCH"
    name: str = ""  # left blank for a hand signature when the commune has not set it


@dataclass(frozen=True)
class Letter:
    """Everything the PDF needs; the body is already rendered from the template."""

    unit_upper: str  # "ỦY BAN NHÂN DÂN\nXÃ CHIỀNG KHƯƠNG"
    number: str
    date_line: str
    title: str
    addressee: str
    body: str
    signer: Signer
    address: str | None = None


def unit_heading(unit_name: str) -> str:
    return f"ỦY BAN NHÂN DÂN\n{unit_name.upper()}"


def place_of(unit_name: str) -> str:
    """'Xã Chiềng Khương' -> 'Chiềng Khương'."""
    for prefix in ("Xã ", "Phường ", "Thị trấn ", "Đặc khu "):
        if unit_name.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name
