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
from motcua_contracts.events.tenants_v2 import TenantConfigured
from pydantic import ValidationError

from analytics.application.handlers import HANDLERS
from analytics.application.ports import Event

PROJECTED = frozenset(HANDLERS) | {"TenantConfigured"}

Moment = Annotated[datetime, msgspec.Meta(tz=True)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
# Versions of an event type the projection reads (the fields it reads are in each); others: 1.
# Versions read per event type (1 unless listed). Tenant v2 adds the duty roster, its model
# reads v1 payloads too; apology v2 adds the leader's reason.
# SupplementRequested v2 has a count instead of the clerk's text; analytics reads the moment.
VERSIONS: dict[str, tuple[int, ...]] = {
    "ApologyIssued": (1, 2),
    "TenantConfigured": (1, 2),
    "SupplementRequested": (1, 2),
}
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
    """Any envelope, its payload left unparsed: for the event type, and tenant snapshots."""

    event_id: str
    event_type: str
    schema_version: int  # checked per event type (`VERSIONS`)
    occurred_at: Moment
    tenant_id: NonEmpty
    payload: msgspec.Raw
    dossier_id: str | None = None
    aggregate_version: Annotated[int, msgspec.Meta(ge=1)] | None = None


def _kind(kind: Any) -> Any:
    if isinstance(kind, EnumMeta):  # plain strings, as stored: Literal of the enum's values
        members: list[Any] = list(kind)
        values = tuple(str(member.value) for member in members)
        return Literal.__getitem__(values)
    return _KINDS[kind]


def _event_decoder(event_type: str, spec: dict[str, Any]) -> msgspec.json.Decoder[Any]:
    """The envelope and payload of one event type, parsed into an `Event` in one pass."""
    payload = msgspec.defstruct(
        f"{event_type}Payload", [(n, _kind(k)) for n, k in spec.items()], gc=False
    )
    fields: list[Any] = [
        ("event_type", Literal.__getitem__((event_type,))),
        ("schema_version", Literal.__getitem__(VERSIONS.get(event_type, (1,)))),
        ("occurred_at", Moment),
        ("tenant_id", NonEmpty),
        ("dossier_id", NonEmpty),  # a dossier's event: required
        ("aggregate_version", Annotated[int, msgspec.Meta(ge=1)], 0),
        ("payload", payload),
    ]
    event = msgspec.defstruct(event_type, fields, bases=(Event,), kw_only=True, gc=False)
    return msgspec.json.Decoder(event)


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_EVENTS = {t: _event_decoder(t, spec) for t, (spec, _, _) in HANDLERS.items()}
# The same, by the `ce_type` header's bytes (the batch consumer reads the type there).
BY_HEADER = {t.encode(): decoder for t, decoder in _EVENTS.items()}


def decode_event(value: bytes, decoder: msgspec.json.Decoder[Any] | None = None) -> Event:
    """Parses and checks one message; `decoder`: its type's, when the header told it."""
    try:
        if decoder is None:
            envelope = _ENVELOPE.decode(value)
            if envelope.event_type == "TenantConfigured":
                return _tenant_event(envelope)
            decoder = _EVENTS.get(envelope.event_type)
            if decoder is None:
                raise Undecodable(f"analytics does not project {envelope.event_type!r}")
        event: Event = decoder.decode(value)
        return event
    except msgspec.ValidationError as exc:
        raise Undecodable(f"contract: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise Undecodable(f"not JSON: {exc}") from exc


def _tenant_event(envelope: _Envelope) -> Event:
    if envelope.schema_version not in VERSIONS["TenantConfigured"]:
        raise Undecodable(f"contract: TenantConfigured v{envelope.schema_version} is unknown")
    try:
        payload = TenantConfigured.model_validate_json(bytes(envelope.payload))
    except ValidationError as exc:
        raise Undecodable(str(exc)[:300]) from exc
    return Event(
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        tenant_id=envelope.tenant_id,
        dossier_id=envelope.dossier_id,
        aggregate_version=envelope.aggregate_version or 0,
        occurred_at=envelope.occurred_at,
        payload=payload,
    )
