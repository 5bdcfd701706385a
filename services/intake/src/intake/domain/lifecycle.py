"""The dossier state machine: states and allowed transitions as data. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from intake.domain.errors import InvalidTransition


class Status(StrEnum):
    RECEIVED = "received"  # registered, completeness being checked
    AWAITING_SUPPLEMENT = "awaiting_supplement"  # Form 02 sent, clock paused
    ACCEPTED = "accepted"  # receipt (Form 01) issued
    IN_PROGRESS = "in_progress"  # handed over to a resolving official or unit
    DECIDED = "decided"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REFUSED = "refused"  # Form 03
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    ACCEPT = "accept"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REFUSE = "refuse"
    TRANSFER = "transfer"
    DECIDE = "decide"
    MARK_RESULT_READY = "mark_result_ready"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"


STATUS_VI = {
    Status.RECEIVED: "Đã tiếp nhận, đang kiểm tra hồ sơ",
    Status.AWAITING_SUPPLEMENT: "Chờ bổ sung hồ sơ",
    Status.ACCEPTED: "Đã nhận đủ hồ sơ, đã hẹn trả kết quả",
    Status.IN_PROGRESS: "Đang giải quyết",
    Status.DECIDED: "Đã có quyết định",
    Status.RESULT_READY: "Đã có kết quả, chờ trả",
    Status.RETURNED: "Đã trả kết quả",
    Status.REFUSED: "Từ chối tiếp nhận",
    Status.WITHDRAWN: "Đã rút hồ sơ",
}

# What the control sheet (phiếu kiểm soát) and the audit trail say beside each code.
ACTION_VI: dict[str, str] = {
    "register": "Tiếp nhận hồ sơ",
    Action.ACCEPT: "Nhận đủ hồ sơ, cấp giấy tiếp nhận và hẹn trả kết quả",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    Action.RECEIVE_SUPPLEMENT: "Nhận hồ sơ bổ sung",
    Action.REFUSE: "Từ chối tiếp nhận hồ sơ",
    Action.TRANSFER: "Chuyển hồ sơ",
    Action.DECIDE: "Quyết định giải quyết",
    Action.MARK_RESULT_READY: "Có kết quả giải quyết",
    Action.RETURN_RESULT: "Trả kết quả",
    Action.WITHDRAW: "Rút hồ sơ theo đề nghị của công dân",
    "reassign": "Chuyển đơn vị do sáp nhập đơn vị hành chính",
    "rate": "Công dân đánh giá mức độ hài lòng",
    "contact_disclosed": "Xem thông tin liên hệ của người nộp hồ sơ",
}
TIMELINESS_VI = {"on_time": "Đúng hạn", "late": "Quá hạn", "early": "Trước hạn"}


def action_vi(code: str) -> str:
    """The Vietnamese label of a recorded action (the code itself if it has none yet)."""
    return ACTION_VI.get(code, code)


def status_vi(code: str) -> str:
    try:
        return STATUS_VI[Status(code)]
    except ValueError:
        return code


S, A = Status, Action
TRANSITIONS: dict[Status, dict[Action, Status]] = {
    S.RECEIVED: {
        A.ACCEPT: S.ACCEPTED,
        A.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT,
        A.REFUSE: S.REFUSED,
        A.WITHDRAW: S.WITHDRAWN,
    },
    S.AWAITING_SUPPLEMENT: {
        A.RECEIVE_SUPPLEMENT: S.RECEIVED,
        A.REFUSE: S.REFUSED,
        A.WITHDRAW: S.WITHDRAWN,
    },
    S.ACCEPTED: {
        A.TRANSFER: S.IN_PROGRESS,
        A.DECIDE: S.DECIDED,  # same-day procedures: the leader on duty decides at the desk
        A.WITHDRAW: S.WITHDRAWN,
    },
    S.IN_PROGRESS: {
        A.TRANSFER: S.IN_PROGRESS,
        A.DECIDE: S.DECIDED,
        A.WITHDRAW: S.WITHDRAWN,
    },
    S.DECIDED: {A.TRANSFER: S.DECIDED, A.MARK_RESULT_READY: S.RESULT_READY},
    S.RESULT_READY: {A.RETURN_RESULT: S.RETURNED},
    S.RETURNED: {},
    S.REFUSED: {},
    S.WITHDRAWN: {},
}

# Closed: no action leads anywhere from here; the dossier is history (a merger leaves it with
# the unit that handled it, the citizen's page says it is over). The one definition, read off
# the transitions.
CLOSED = frozenset(s for s, actions in TRANSITIONS.items() if not actions)
# Finished: the statutory clock no longer runs (closed, or the result waits at the desk).
FINISHED = CLOSED | {S.RESULT_READY}


@dataclass(frozen=True)
class Guards:
    """Facts beyond the state that restrict transitions."""

    supplements_requested: int = 0
    max_supplements: int = 1


def allowed_actions(status: Status, guards: Guards = Guards()) -> list[Action]:
    actions = list(TRANSITIONS[status])
    if guards.supplements_requested >= guards.max_supplements:
        # A supplement may be requested only once, listing everything missing (docs/domain.md §3.3).
        actions = [a for a in actions if a is not A.REQUEST_SUPPLEMENT]
    return actions


def next_status(status: Status, action: Action, guards: Guards = Guards()) -> Status:
    allowed = allowed_actions(status, guards)
    if action not in allowed:
        raise InvalidTransition(STATUS_VI[status], action.value, [a.value for a in allowed])
    return TRANSITIONS[status][action]
