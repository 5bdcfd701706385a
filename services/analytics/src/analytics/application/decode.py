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
from datetime import datetime
from enum import EnumMeta
from json.scanner import make_scanner
from typing import Any

from motcua_contracts.events.tenants_v1 import TenantConfigured
from pydantic import ValidationError

from analytics.application.handlers import HANDLERS
from analytics.application.ports import Event

PROJECTED = frozenset(HANDLERS) | {"TenantConfigured"}
_ENUMS: dict[Any, frozenset[str]] = {}
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


def _field(payload: dict[str, Any], name: str, kind: Any) -> Any:
    if name not in payload:
        raise Undecodable(f"payload.{name}: missing")
    value = payload[name]
    if kind == "dt":
        return _moment(value, name)
    if kind == "str":
        if not isinstance(value, str) or not value:
            raise Undecodable(f"payload.{name}: expected a non-empty string")
        return value
    if kind == "int":
        if type(value) is not int or value < 0:
            raise Undecodable(f"payload.{name}: expected a non-negative integer")
        return value
    if kind == "bool":
        if type(value) is not bool:
            raise Undecodable(f"payload.{name}: expected a boolean")
        return value
    if kind == "criteria":
        if not isinstance(value, dict) or any(type(v) is not int for v in value.values()):
            raise Undecodable(f"payload.{name}: expected criterion → integer")
        return value
    if isinstance(kind, EnumMeta):
        allowed = _ENUMS.get(kind)
        if allowed is None:
            allowed = _ENUMS[kind] = frozenset(str(m.value) for m in kind)  # type: ignore[var-annotated]
        if value not in allowed:
            raise Undecodable(f"payload.{name}: {value!r} is not one of {sorted(allowed)}")
        return value
    raise AssertionError(f"unknown field kind {kind!r}")


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
        spec = HANDLERS.get(event_type)
        if spec is None:
            raise Undecodable(f"analytics does not project {event_type!r}")
        if not dossier_id:
            raise Undecodable(f"{event_type}: the envelope has no dossier_id")
        parsed = {name: _field(payload, name, kind) for name, kind in spec[0].items()}
    return Event(
        event_id=event_id,
        event_type=event_type,
        tenant_id=tenant_id,
        dossier_id=dossier_id,
        aggregate_version=version or 0,
        occurred_at=_moment(occurred_at, "occurred_at"),
        payload=parsed,
    )
