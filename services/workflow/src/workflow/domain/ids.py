"""Deterministic identities: a replay derives the same ids, so consumers drop repeats."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("5d8c0f8e-4a52-4f43-9b0c-6d6f74637561")


def derived_event_id(cause: str, index: int) -> uuid.UUID:
    """The `index`-th event workflow emits because of `cause` (an event id or timer)."""
    return uuid.uuid5(_NAMESPACE, f"{cause}/{index}")


def firing_cause(subject_id: str, timer_key: str) -> str:
    return f"timer:{subject_id}:{timer_key}"


def escalation_id(dossier_id: str, timer_key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"escalation:{dossier_id}:{timer_key}"))


def tenant_subject(tenant_id: str) -> str:
    return f"tenant:{tenant_id}"
