"""The hand-over ceremony of a birth or marriage certificate: when and where the desk
proposes it. Pure: the use case supplies the commune's calendar answers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from intake.domain.lifecycle import Status
from intake.domain.tenants import FieldProblem, InvalidTenant

OCCASIONS = {"ceremony_birth": "birth", "ceremony_marriage": "marriage"}
# The decision is made (approved) or the certificate is at the desk; once returned, the
# hand-over has happened.
SCHEDULABLE = frozenset({Status.DECIDED, Status.RESULT_READY})
PLACE_MAX = 200
HORIZON = timedelta(days=90)
_SPACES = re.compile(r"\s+")
# The place travels in CeremonyScheduled (issue 17: no person's free text in events): a
# phone, an ID number (9 or 12 digits) or an e-mail address has no business in it.
_CONTACT_LIKE = re.compile(
    r"(?<!\d)(?:\+84|0)(?:[\s.]?\d){9}(?!\d)|(?<!\d)\d{9}(?:\d{3})?(?!\d)"
    r"|[\w.+-]+@[\w-]+\.[\w.]+"
)


class InvalidCeremony(InvalidTenant):
    """Every problem of the proposed schedule at once (422, one entry per field)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(problems)


@dataclass(frozen=True)
class Schedule:
    ceremony_at: datetime
    place_vi: str


def occasion_of(practices: Iterable[str]) -> str | None:
    """'birth' or 'marriage' when the procedure version has a hand-over ceremony."""
    return next((OCCASIONS[p] for p in sorted(practices) if p in OCCASIONS), None)


def normalise_place(raw: str) -> str:
    """NFC (a place typed on two keyboards is one place), single spaces, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip()


def check_schedule(
    ceremony_at: datetime,
    place_raw: str,
    *,
    now: datetime,
    working_day: bool | None,
    office_hours: bool | None,
) -> Schedule:
    """`working_day`/`office_hours` are the commune calendar's answers for `ceremony_at`
    (None: the calendar does not reach that far, which the horizon already refuses)."""
    problems: list[FieldProblem] = []
    place = normalise_place(place_raw)
    if not place:
        problems.append(
            FieldProblem("place", "ceremony.place_missing", "Cần ghi địa điểm tổ chức buổi lễ.")
        )
    elif len(place) > PLACE_MAX:
        problems.append(
            FieldProblem(
                "place",
                "ceremony.place_too_long",
                f"Địa điểm tổ chức buổi lễ không quá {PLACE_MAX} ký tự.",
            )
        )
    elif _CONTACT_LIKE.search(place):
        problems.append(
            FieldProblem(
                "place",
                "ceremony.place_personal_data",
                "Địa điểm không được ghi số điện thoại, số định danh hay thư điện tử: địa điểm "
                "được gửi trong thông báo và in trên giấy mời.",
            )
        )
    if ceremony_at <= now:
        problems.append(
            FieldProblem(
                "ceremony_at",
                "ceremony.in_the_past",
                "Thời gian tổ chức buổi lễ phải sau thời điểm hiện tại.",
            )
        )
    elif ceremony_at - now > HORIZON:
        problems.append(
            FieldProblem(
                "ceremony_at",
                "ceremony.too_far",
                f"Thời gian tổ chức buổi lễ phải trong vòng {HORIZON.days} ngày tới.",
            )
        )
    elif working_day is False:
        problems.append(
            FieldProblem(
                "ceremony_at",
                "ceremony.not_working_day",
                "Ngày tổ chức buổi lễ phải là ngày làm việc của đơn vị (không phải ngày nghỉ, "
                "ngày lễ).",
            )
        )
    elif office_hours is False:
        problems.append(
            FieldProblem(
                "ceremony_at",
                "ceremony.outside_office_hours",
                "Giờ tổ chức buổi lễ phải trong giờ làm việc của đơn vị.",
            )
        )
    if problems:
        raise InvalidCeremony(problems)
    return Schedule(ceremony_at, place)
