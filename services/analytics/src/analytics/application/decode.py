"""Wire bytes to `Event`: one validating parse of only what the projection reads.

Validating the whole envelope and payload with pydantic costs ~30 µs per event, more than
the rest of the projection together. The projection reads a few fields per event type
(`HANDLERS` lists them); those are declared as msgspec structs and checked while parsing:
present, of the right type, moments timezone-aware, enum values known, and the envelope's
identity fields likewise. Fields the projection does not read are skipped unparsed. A
message that fails is `Undecodable` and goes to the dead-letter topic. Tenant snapshots are
rare and feed a table as a whole: they keep the full pydantic validation.

Why msgspec: it parses and checks in one pass in C, ~1 µs for a 500-byte event, against
5.3 µs for the standard library's json.loads alone and ~4 µs for orjson plus the same checks
written in Python. The decode was most of the projection's cost per event.
"""

from __future__ import annotations

from datetime import datetime
from enum import EnumMeta
from typing import Annotated, Any, Literal

import msgspec
from motcua_contracts.events.tenants_v1 import TenantConfigured
from pydantic import ValidationError

from analytics.application.handlers import HANDLERS
from analytics.application.ports import Event

PROJECTED = frozenset(HANDLERS) | {"TenantConfigured"}

Moment = Annotated[datetime, msgspec.Meta(tz=True)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
_KINDS: dict[str, Any] = {
    "dt": Moment,
    "str": NonEmpty,
    "int": Annotated[int, msgspec.Meta(ge=0)],
    "bool": bool,
    "criteria": dict[str, int],
}


class Undecodable(ValueError):
    """The message breaks the contract: it can never be projected (dead-letter it)."""


class _Envelope(msgspec.Struct):
    """The envelope fields the projection reads; the payload is parsed by its own type."""

    event_id: str
    event_type: str
    schema_version: Literal[1]
    occurred_at: Moment
    tenant_id: NonEmpty
    payload: msgspec.Raw
    dossier_id: str | None = None
    aggregate_version: Annotated[int, msgspec.Meta(ge=1)] | None = None


def _kind(kind: Any) -> Any:
    if isinstance(kind, EnumMeta):  # plain strings, as stored: Literal of the enum's values
        members: list[Any] = list(kind)
        values = tuple(str(member.value) for member in members)
        return Literal.__getitem__(values)  # type: ignore[attr-defined]
    return _KINDS[kind]


def _payload_decoder(event_type: str, spec: dict[str, Any]) -> msgspec.json.Decoder[Any]:
    fields = [(name, _kind(kind)) for name, kind in spec.items()]
    return msgspec.json.Decoder(msgspec.defstruct(event_type, fields))


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_PAYLOADS = {t: _payload_decoder(t, spec) for t, (spec, _, _) in HANDLERS.items()}


def decode_event(value: bytes) -> Event:
    try:
        envelope = _ENVELOPE.decode(value)
    except msgspec.ValidationError as exc:
        raise Undecodable(f"envelope: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise Undecodable(f"not JSON: {exc}") from exc
    event_type = envelope.event_type
    try:
        if event_type == "TenantConfigured":
            payload: Any = TenantConfigured.model_validate_json(bytes(envelope.payload))
        else:
            decoder = _PAYLOADS.get(event_type)
            if decoder is None:
                raise Undecodable(f"analytics does not project {event_type!r}")
            if not envelope.dossier_id:
                raise Undecodable(f"{event_type}: the envelope has no dossier_id")
            payload = decoder.decode(envelope.payload)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise Undecodable(f"{event_type} payload: {exc}") from exc
    except ValidationError as exc:
        raise Undecodable(str(exc)[:300]) from exc
    return Event(
        envelope.event_id,
        event_type,
        envelope.tenant_id,
        envelope.dossier_id,
        envelope.aggregate_version or 0,
        envelope.occurred_at,
        payload,
    )
