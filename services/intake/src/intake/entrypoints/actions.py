"""The URL word of each desk command: what the client calls, and what a 409 or a dossier's
`allowed_transitions` names (the domain's action names stay internal)."""

from __future__ import annotations

from collections.abc import Iterable

from intake.domain.lifecycle import Action

ACTION_PATH: dict[Action, str] = {
    Action.ACCEPT: "accept",
    Action.REQUEST_SUPPLEMENT: "supplement-request",
    Action.RECEIVE_SUPPLEMENT: "supplement-received",
    Action.REFUSE: "refuse",
    Action.TRANSFER: "transfer",
    Action.DECIDE: "decision",
    Action.MARK_RESULT_READY: "result-ready",
    Action.RETURN_RESULT: "result-returned",
    Action.WITHDRAW: "withdraw",
}


def path_of(action: Action | str) -> str:
    return ACTION_PATH[Action(action)]


def paths(actions: Iterable[Action | str]) -> list[str]:
    return [path_of(a) for a in actions]
