"""The citizen's window: find a dossier by its link token, or by code + phone's last 4 digits."""

from __future__ import annotations

import hmac
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from intake.adapters import ceremony_repo, dossier_repo, history_repo, lookup_attempts
from intake.adapters.transaction import Transaction
from intake.application.lookup_tokens import LookupTokens
from intake.application.ports import ProcedureStep, StatutoryClock
from intake.domain.applicant import mask_name
from intake.domain.ceremony import SCHEDULABLE, occasion_of
from intake.domain.dossier import Dossier
from intake.domain.errors import TooManyRequests
from intake.domain.lifecycle import STATUS_VI, Status


@dataclass(frozen=True)
class Milestone:
    name_vi: str
    state: str  # done | now | todo


@dataclass(frozen=True)
class PublicCeremony:
    """The hand-over ceremony the desk scheduled: a moment and a public place (a hall),
    nothing about the family."""

    ceremony_at: datetime
    place_vi: str
    occasion: str  # birth | marriage


@dataclass(frozen=True)
class PublicView:
    """Everything the public page shows: no personal data beyond a masked name."""

    token: str
    code: str
    masked_name: str
    procedure_name: str
    status_vi: str
    finished: bool
    milestones: tuple[Milestone, ...]
    received_at: datetime
    due_at: datetime
    late: bool
    apology_new_due_at: datetime | None
    apology_reason_vi: str | None
    can_rate: bool
    rated: bool
    ceremony: PublicCeremony | None = None


# Without procedure steps in the catalogue, the generic lifecycle is shown.
_GENERIC = (
    ProcedureStep("tiep_nhan", "Tiếp nhận, kiểm tra hồ sơ"),
    ProcedureStep("xu_ly", "Giải quyết hồ sơ"),
    ProcedureStep("ky_duyet", "Phê duyệt kết quả"),
    ProcedureStep("tra_ket_qua", "Trả kết quả"),
)


def _current(status: Status, keys: list[str], last_key: str | None) -> int:
    """Index of the step in progress; len(keys) when every step is done."""
    last = len(keys) - 1
    if status is Status.RETURNED:
        return len(keys)
    if status in (Status.DECIDED, Status.RESULT_READY):
        return last
    if status is Status.IN_PROGRESS:
        return keys.index(last_key) if last_key in keys else min(1, last)
    if status is Status.ACCEPTED:
        return min(1, last)
    return 0


async def find_by_token(session: Transaction, tokens: LookupTokens, token: str) -> Dossier | None:
    if not 16 <= len(token) <= 64:
        return None
    return await dossier_repo.find_by_lookup_hash(session, tokens.hash(token))


@dataclass(frozen=True)
class LookupGuard:
    """Bounds guessing the last four phone digits of a (sequential, guessable) code."""

    max_failures: int = 5
    lock_seconds: int = 15 * 60


def code_locked(retry_after_seconds: int) -> TooManyRequests:
    return TooManyRequests(
        retry_after_seconds,
        "lookup.locked",
        "Mã hồ sơ này tạm thời bị khóa tra cứu vì số điện thoại bị nhập sai nhiều lần. "
        "Bạn vẫn có thể tra cứu bằng mã QR trên giấy hẹn.",
    )


async def find_by_code_and_phone(
    session: Transaction, code: str, last4: str, *, guard: LookupGuard, now: datetime
) -> Dossier | None:
    """The dossier if the digits match. Every attempt on an existing code is counted in the
    database before the digits are compared (so parallel guesses on any replica share the
    limit); after `max_failures` wrong ones the code is locked (TooManyRequests), whoever asks.
    Call inside a transaction."""
    record = await dossier_repo.find_by_code(session, code.strip())
    if record is None:
        return None
    at = now.timestamp()
    slot = await lookup_attempts.reserve(session, record.code, now=at, window=guard.lock_seconds)
    if slot.locked_until is not None and slot.locked_until > at:
        raise code_locked(math.ceil(slot.locked_until - at))
    if slot.failures > guard.max_failures:  # parallel guesses past the limit
        await lookup_attempts.lock(session, record.code, now=at, until=at + guard.lock_seconds)
        raise code_locked(guard.lock_seconds)
    if not hmac.compare_digest(record.applicant_phone[-4:], last4):
        if slot.failures >= guard.max_failures:
            await lookup_attempts.lock(session, record.code, now=at, until=at + guard.lock_seconds)
        return None
    await lookup_attempts.forget(session, record.code)
    return record


async def public_view(
    session: Transaction,
    record: Dossier,
    *,
    tokens: LookupTokens,
    clock: StatutoryClock,
    now: datetime,
) -> PublicView:
    procedure = clock.procedure(record.procedure_code, record.procedure_version)
    sheet = await history_repo.steps_of(session, record.tenant_id, record.dossier_id)
    last_key = next((s.step_key for s in reversed(sheet) if s.step_key), None)
    steps = procedure.steps or _GENERIC
    current = _current(record.status, [s.key for s in steps], last_key)
    stopped = record.status in (Status.REFUSED, Status.WITHDRAWN)
    ceremony = await _ceremony(session, record, procedure.practices)
    milestones = tuple(
        Milestone(
            s.name_vi,
            "done" if i < current else ("now" if i == current and not stopped else "todo"),
        )
        for i, s in enumerate(steps)
    )
    return PublicView(
        token=tokens.token(record.lookup_nonce or ""),
        code=record.code,
        masked_name=mask_name(record.applicant_name),
        procedure_name=procedure.name_vi,
        status_vi=STATUS_VI[record.status],
        finished=record.closed,
        milestones=milestones,
        received_at=record.received_at,
        due_at=record.due_at,
        # Late against the date promised to the citizen: the apology's new one, once issued.
        late=record.is_late(now, promised=record.apology_new_due_at),
        apology_new_due_at=record.apology_new_due_at,
        apology_reason_vi=record.apology_reason_vi,
        can_rate=record.status is Status.RETURNED and not record.rated,
        rated=record.rated,
        ceremony=ceremony,
    )


async def _ceremony(
    session: Transaction, record: Dossier, practices: Iterable[str]
) -> PublicCeremony | None:
    """The scheduled hand-over, while it is still ahead of the family (decided or result
    ready); once the result is returned, the ceremony has happened."""
    occasion = occasion_of(practices)
    if occasion is None or record.status not in SCHEDULABLE:
        return None
    row = await ceremony_repo.find(session, record.dossier_id)
    return None if row is None else PublicCeremony(row.ceremony_at, row.place_vi, occasion)


__all__ = ["find_by_code_and_phone", "find_by_token", "public_view"]
