"""Wire bytes to `Event`: json.loads plus a check of only what the projection reads.

Validating the whole envelope and payload with pydantic costs ~30 µs per event, more than
the rest of the projection together. The projection reads a few fields per event type
(`HANDLERS` lists them), so those are checked here: present, of the right type, moments
timezone-aware, enum values known; the envelope's identity fields likewise. A message that
fails is `Undecodable` and goes to the dead-letter topic, as before. Tenant snapshots are
rare and feed a table as a whole: they keep the full pydantic validation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from enum import EnumMeta
from json.scanner import make_scanner
from typing import Any

from motcua_contracts.events.tenants_v1 import TenantConfigured
from pydantic import ValidationError

from analytics.application.handlers import HANDLERS
from analytics.application.ports import Event

PROJECTED = frozenset(HANDLERS) | {"TenantConfigured"}
# json.loads without its per-call encoding sniffing and wrapper layers (same C scanner).
_SCAN = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


class Undecodable(ValueError):
    """The message breaks the contract: it can never be projected (dead-letter it)."""


def _moment(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise Undecodable(f"{name}: expected an ISO moment")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Undecodable(f"{name}: {exc}") from exc
    if moment.tzinfo is None:
        raise Undecodable(f"{name}: the moment must be timezone-aware")
    return moment


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise Undecodable(f"payload.{name}: expected a non-empty string")
    return value


def _integer(value: Any, name: str) -> int:
    if type(value) is not int or value < 0:
        raise Undecodable(f"payload.{name}: expected a non-negative integer")
    return value


def _boolean(value: Any, name: str) -> bool:
    if type(value) is not bool:
        raise Undecodable(f"payload.{name}: expected a boolean")
    return value


def _criteria(value: Any, name: str) -> dict[str, int]:
    if not isinstance(value, dict) or any(type(v) is not int for v in value.values()):
        raise Undecodable(f"payload.{name}: expected criterion → integer")
    return value


def _one_of(kind: EnumMeta) -> Check:
    allowed = frozenset(str(m.value) for m in kind)  # type: ignore[var-annotated]

    def check(value: Any, name: str) -> str:
        if value not in allowed:
            raise Undecodable(f"payload.{name}: {value!r} is not one of {sorted(allowed)}")
        return value  # type: ignore[no-any-return]

    return check


Check = Callable[[Any, str], Any]
_CHECKS: dict[str, Check] = {
    "dt": lambda v, n: _moment(v, f"payload.{n}"),
    "str": _string,
    "int": _integer,
    "bool": _boolean,
    "criteria": _criteria,
}


def _compile(spec: dict[str, Any]) -> tuple[tuple[str, Check], ...]:
    return tuple(
        (name, _one_of(kind) if isinstance(kind, EnumMeta) else _CHECKS[kind])
        for name, kind in spec.items()
    )


_SPECS = {event_type: _compile(spec) for event_type, (spec, _, _) in HANDLERS.items()}


def _payload(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    checks = _SPECS.get(event_type)
    if checks is None:
        raise Undecodable(f"analytics does not project {event_type!r}")
    out = {}
    for name, check in checks:
        try:
            value = payload[name]
        except KeyError:
            raise Undecodable(f"payload.{name}: missing") from None
        out[name] = check(value, name)
    return out


def decode_event(value: bytes) -> Event:
    try:
        text = value.decode()
        envelope, end = _SCAN(text, 0)
        if end != len(text) and text[end:].strip():
            raise ValueError("data after the JSON value")
    except (ValueError, StopIteration) as exc:  # UnicodeDecodeError is a ValueError
        raise Undecodable(f"not JSON: {exc!r}") from exc
    if not isinstance(envelope, dict):
        raise Undecodable("the envelope is not a JSON object")
    try:
        event_type = envelope["event_type"]
        payload = envelope["payload"]
        tenant_id = envelope["tenant_id"]
        event_id = envelope["event_id"]
        occurred_at = envelope["occurred_at"]
    except KeyError as exc:
        raise Undecodable(f"envelope: {exc.args[0]} missing") from exc
    version = envelope.get("aggregate_version")
    dossier_id = envelope.get("dossier_id")
    if envelope.get("schema_version") != 1 or not isinstance(payload, dict):
        raise Undecodable(f"{event_type}: only schema version 1 with an object payload")
    if not isinstance(tenant_id, str) or not tenant_id or not isinstance(event_id, str):
        raise Undecodable("envelope: tenant_id and event_id must be strings")
    if version is not None and (type(version) is not int or version < 1):
        raise Undecodable("envelope: aggregate_version must be a positive integer")
    if dossier_id is not None and not isinstance(dossier_id, str):
        raise Undecodable("envelope: dossier_id must be a string")
    if event_type == "TenantConfigured":
        try:
            parsed: Any = TenantConfigured.model_validate(payload)
        except ValidationError as exc:
            raise Undecodable(str(exc)[:300]) from exc
    else:
        if not dossier_id:
            raise Undecodable(f"{event_type}: the envelope has no dossier_id")
        parsed = _payload(event_type, payload)
    return Event(
        event_id,
        event_type,
        tenant_id,
        dossier_id,
        version or 0,
        _moment(occurred_at, "occurred_at"),
        parsed,
    )
