"""Which payload model answers to which (event_type, schema_version)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from motcua_contracts.events import dossiers_v1
from motcua_contracts.topics import Topics


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    schema_version: int
    topic: str
    model: type[BaseModel]


def _spec(model: type[BaseModel], version: int, topic: str) -> EventSpec:
    return EventSpec(model.__name__, version, topic, model)


REGISTRY: dict[tuple[str, int], EventSpec] = {
    (s.event_type, s.schema_version): s
    for s in (_spec(dossiers_v1.DossierReceived, 1, Topics.DOSSIERS),)
}


class UnknownEvent(LookupError):
    pass


def spec_for(event_type: str, schema_version: int) -> EventSpec:
    try:
        return REGISTRY[(event_type, schema_version)]
    except KeyError as exc:
        raise UnknownEvent(f"{event_type} v{schema_version}") from exc


def decode_payload(event_type: str, schema_version: int, payload: dict[str, Any]) -> BaseModel:
    return spec_for(event_type, schema_version).model.model_validate(payload)
