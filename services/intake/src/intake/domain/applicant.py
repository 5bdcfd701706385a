"""The applicant: personal data checked at the desk, kept only in intake. Pure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from intake.domain.errors import DomainError, InvalidFields

# Birth-registration province codes of the 12-digit personal ID number (Circular 07/2016/TT-BCA,
# 63 provinces before the 2025 merger) [M]: people keep the code they were given.
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
_ID_NUMBER = re.compile(r"^\d{12}$")
# Mobile (03/05/07/08/09 + 8 digits) or landline (02 + 9 digits), national or +84 form.
_PHONE = re.compile(r"^(?:0|\+84|84)((?:3|5|7|8|9)\d{8}|2\d{9})$")


def _invalid(code: str, message: str, field: str) -> DomainError:
    return DomainError(f"applicant.{code}", message, field=f"applicant.{field}")


def check_id_number(id_number: str, date_of_birth: date | None) -> None:
    """12 digits: province (3), century and sex (1), year of birth (2), then 6 random digits.
    Without a date of birth (itself invalid) only the format and province are checked."""
    if not _ID_NUMBER.match(id_number):
        raise _invalid(
            "id_number.format", "Số định danh cá nhân phải gồm đúng 12 chữ số.", "id_number"
        )
    if id_number[:3] not in PROVINCE_CODES:
        raise _invalid(
            "id_number.province",
            "Ba chữ số đầu của số định danh không phải mã tỉnh, thành phố hợp lệ.",
            "id_number",
        )
    # 0/1: 20th century, 2/3: 21st, 4/5: 22nd, 6/7: 23rd, 8/9: 24th (even: male, odd: female).
    century = 1900 + 100 * (int(id_number[3]) // 2)
    if date_of_birth is not None and century + int(id_number[4:6]) != date_of_birth.year:
        raise _invalid(
            "id_number.birth_year",
            "Mã thế kỷ và năm sinh trong số định danh không khớp với ngày sinh.",
            "id_number",
        )


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"[\s.\-()]", "", phone)
    match = _PHONE.match(digits)
    if not match:
        raise _invalid(
            "phone.invalid",
            "Số điện thoại không đúng định dạng Việt Nam (ví dụ 0912345678).",
            "phone",
        )
    return "0" + match.group(1)


def check_full_name(full_name: str) -> None:
    if not full_name.strip():
        raise _invalid("full_name.required", "Họ và tên không được để trống.", "full_name")


def check_address(address: str) -> None:
    if not address.strip():
        raise _invalid("address.required", "Địa chỉ không được để trống.", "address")


def check_date_of_birth(date_of_birth: date, today: date | None = None) -> None:
    """Not before 1900 and, when today is known, not in the future."""
    if date_of_birth < date(1900, 1, 1) or (today is not None and date_of_birth > today):
        raise _invalid("date_of_birth.invalid", "Ngày sinh không hợp lệ.", "date_of_birth")


@dataclass(frozen=True)
class Applicant:
    full_name: str
    id_number: str
    date_of_birth: date
    phone: str
    address: str
    email: str | None = None

    def checked(self, today: date) -> Applicant:
        """The applicant with a normalised phone, or InvalidFields listing every rule it breaks
        (the clerk fixes them all in one round)."""
        problems: list[DomainError] = []

        def check(rule: Callable[[], object]) -> None:
            try:
                rule()
            except DomainError as problem:
                problems.append(problem)

        check(lambda: check_full_name(self.full_name))
        check(lambda: check_date_of_birth(self.date_of_birth, today))
        check(lambda: check_id_number(self.id_number, self.date_of_birth))
        check(lambda: normalise_phone(self.phone))
        check(lambda: check_address(self.address))
        if problems:
            raise InvalidFields(problems)
        return Applicant(
            full_name=" ".join(self.full_name.split()),
            id_number=self.id_number,
            date_of_birth=self.date_of_birth,
            phone=normalise_phone(self.phone),
            address=self.address.strip(),
            email=self.email,
        )


def fold(text: str) -> str:
    """Lower case without diacritics, for accent-insensitive search ("Lò Văn" -> "lo van")."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def mask_name(full_name: str) -> str:
    """Initials only, as the public page may show: "Lò Văn Bình" -> "L** V** B***"."""
    return " ".join(w[0] + "*" * max(2, len(w) - 1) for w in full_name.split())
