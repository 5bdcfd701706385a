"""Versioned integration contracts shared by the motcua services: no behaviour."""

from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.registry import REGISTRY, EventSpec, decode_payload
from motcua_contracts.topics import Topics, partition_key

__all__ = ["REGISTRY", "EventEnvelope", "EventSpec", "Topics", "decode_payload", "partition_key"]
