"""What intake's lifecycle means for the clock: facts, and the clock event each implies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from motcua_clock import ClockEvent

FactKind = Literal[
    "received",
    "accepted",
    "paused",  # SupplementRequested
    "resumed",  # SupplementReceived
    "transferred",
    "decided",
    "completed",  # ResultReady: the clock stops here
    "withdrawn",
    "refused",
    "noted",  # changes nothing on the clock (returned, rated)
]

# Outcomes that are not the clock library's own states.
CLOSING_OUTCOME = {"withdrawn": "withdrawn", "refused": "refused"}


@dataclass(frozen=True)
class Received:
    dossier_code: str
    procedure_code: str
    procedure_version: str
    channel: str
    received_at: datetime
    due_at: datetime  # as printed by intake; workflow recomputes and keeps its own
    resolving_tenant_id: str
    verification: bool


@dataclass(frozen=True)
class Fact:
    kind: FactKind
    at: datetime
    step_key: str | None = None
    holder_id: str | None = None
    holder_unit_id: str | None = None


def clock_event(fact: Fact) -> ClockEvent | None:
    """The statutory-clock event a fact implies; None when the clock is unaffected.

    A refusal stops the clock like a withdrawal (the library has no refusal); workflow
    records the outcome `refused` itself.
    """
    if fact.kind == "paused":
        return ClockEvent.paused(fact.at)
    if fact.kind == "resumed":
        return ClockEvent.resumed(fact.at)
    if fact.kind == "completed":
        return ClockEvent.completed(fact.at)
    if fact.kind in ("withdrawn", "refused"):
        return ClockEvent.withdrawn(fact.at)
    return None


def next_step(steps: tuple[str, ...], current: str | None, fact: Fact) -> str | None:
    """The control-sheet step the dossier is in after `fact` (None: no steps or closed).

    Receipt starts the first step; acceptance ends it; a hand-over names its step when
    known; a decision leaves only the last step (returning the result).
    """
    if not steps:
        return None
    index = steps.index(current) if current in steps else 0
    if fact.kind == "received":
        index = 0
    elif fact.kind == "accepted":
        index = max(index, 1 if len(steps) > 1 else 0)
    elif fact.kind == "transferred" and fact.step_key in steps:
        index = steps.index(fact.step_key)
    elif fact.kind == "decided":
        index = len(steps) - 1
    elif fact.kind in ("completed", "withdrawn", "refused"):
        return None
    return steps[index]
