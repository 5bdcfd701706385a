"""The AsyncAPI 3.0 document of the platform's topics, built from the same registry and models
as the JSON Schemas (`python -m motcua_contracts.export` writes both; a test checks drift).

One channel per topic, one message per (event type, version): the envelope with its typed
payload, the wire headers and the partition key. Operations say which service sends and which
services receive on each channel.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from motcua_contracts.codec import (
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_SCHEMA_VERSION,
    HEADER_TENANT,
)
from motcua_contracts.envelope import ENVELOPE_VERSION, EventEnvelope
from motcua_contracts.registry import REGISTRY
from motcua_contracts.topics import Topics

ASYNCAPI_PATH = Path(__file__).resolve().parents[2] / "asyncapi.json"

CHANNELS = {
    Topics.DOSSIERS: ("dossiers", "Vòng đời hồ sơ do bộ phận một cửa (intake) công bố."),
    Topics.CLOCK: ("clock", "Đồng hồ thời hạn: mốc, quá hạn, xin lỗi, leo thang (workflow)."),
    Topics.NOTIFICATIONS: ("notifications", "Kết quả gửi và in thông báo (notify)."),
    Topics.TENANTS: ("tenants", "Cấu hình từng xã/phường (nén theo khóa: mã đơn vị)."),
}
SENDER = {
    Topics.DOSSIERS: "intake",
    Topics.TENANTS: "intake",
    Topics.CLOCK: "workflow",
    Topics.NOTIFICATIONS: "notify",
}
# What each service subscribes to (its entrypoints/subscriptions.py).
RECEIVERS = {
    "intake": (Topics.CLOCK,),
    "workflow": (Topics.DOSSIERS, Topics.TENANTS, Topics.CLOCK),
    "notify": (Topics.DOSSIERS, Topics.CLOCK, Topics.TENANTS),
    "analytics": (Topics.DOSSIERS, Topics.CLOCK, Topics.TENANTS),
}
_HEADERS = {
    "type": "object",
    "required": [HEADER_EVENT_ID, HEADER_EVENT_TYPE, HEADER_SCHEMA_VERSION, HEADER_TENANT],
    "properties": {
        HEADER_EVENT_ID: {"type": "string", "format": "uuid", "description": "= event_id"},
        HEADER_EVENT_TYPE: {"type": "string", "description": "= event_type"},
        HEADER_SCHEMA_VERSION: {"type": "string", "description": "= schema_version"},
        HEADER_TENANT: {"type": "string", "description": "= tenant_id"},
        "traceparent": {"type": "string", "description": "W3C trace context, when traced"},
    },
}


def _hoist(schema: dict[str, Any], owner: str, shared: dict[str, Any]) -> dict[str, Any]:
    """Moves a model schema's `$defs` into components and points its references there: under
    their own names when every one equals what is there already, else all prefixed by `owner`."""
    schema = copy.deepcopy(schema)
    definitions = schema.pop("$defs", {})

    def rewrite(node: Any, names: dict[str, str]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                node = {**node, "$ref": f"#/components/schemas/{names[ref[8:]]}"}
            return {k: rewrite(v, names) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v, names) for v in node]
        return node

    names = {name: name for name in definitions}
    moved = {name: rewrite(d, names) for name, d in definitions.items()}
    if any(shared.get(name, d) != d for name, d in moved.items()):
        names = {name: f"{owner}.{name}" for name in definitions}
        moved = {names[name]: rewrite(d, names) for name, d in definitions.items()}
    shared.update(moved)
    return rewrite(schema, names)  # type: ignore[no-any-return]


def document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    envelope_id = f"EventEnvelope.v{ENVELOPE_VERSION}"
    schemas[envelope_id] = _hoist(EventEnvelope.model_json_schema(), envelope_id, schemas)
    messages: dict[str, Any] = {}
    by_topic: dict[str, list[str]] = {topic: [] for topic in CHANNELS}
    for (event_type, version), spec in sorted(REGISTRY.items()):
        message_id = f"{event_type}.v{version}"
        schemas[message_id] = _hoist(spec.model.model_json_schema(), message_id, schemas)
        messages[message_id] = {
            "name": event_type,
            "title": f"{event_type} v{version}",
            "summary": (spec.model.__doc__ or event_type).strip().splitlines()[0],
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/WireHeaders"},
            "payload": {
                "allOf": [
                    {"$ref": f"#/components/schemas/{envelope_id}"},
                    {
                        "type": "object",
                        "properties": {
                            "event_type": {"const": event_type},
                            "schema_version": {"const": version},
                            "payload": {"$ref": f"#/components/schemas/{message_id}"},
                        },
                    },
                ]
            },
            "bindings": {
                "kafka": {
                    "key": {
                        "type": "string",
                        "description": "dossier_id, or tenant_id for a commune's own events",
                    },
                    "bindingVersion": "0.5.0",
                }
            },
        }
        by_topic[spec.topic].append(message_id)
    schemas["WireHeaders"] = _HEADERS
    channels = {
        name: {
            "address": topic,
            "description": description,
            "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in by_topic[topic]},
            "bindings": {
                "kafka": {
                    "topic": topic,
                    "topicConfiguration": {
                        "cleanup.policy": ["compact" if topic in Topics.COMPACTED else "delete"]
                    },
                    "bindingVersion": "0.5.0",
                }
            },
        }
        for topic, (name, description) in CHANNELS.items()
    }

    def operation(action: str, topic: str, service: str) -> dict[str, Any]:
        channel = CHANNELS[topic][0]
        return {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"{service} {'công bố' if action == 'send' else 'nhận'} {topic}",
            "messages": [{"$ref": f"#/channels/{channel}/messages/{m}"} for m in by_topic[topic]],
        }

    operations = {
        f"{service}.send.{CHANNELS[topic][0]}": operation("send", topic, service)
        for topic, service in SENDER.items()
    }
    for service, topics in RECEIVERS.items():
        for topic in topics:
            operations[f"{service}.receive.{CHANNELS[topic][0]}"] = operation(
                "receive", topic, service
            )
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "motcua — sự kiện của nền tảng một cửa",
            "version": f"envelope-{ENVELOPE_VERSION}",
            "description": (
                "Các chủ đề Kafka giữa bốn dịch vụ (intake, workflow, notify, analytics). "
                "Mỗi thông điệp là phong bì sự kiện v1 chứa phần dữ liệu theo phiên bản; "
                "một phiên bản đã công bố không bao giờ thay đổi."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:39092",
                "protocol": "kafka",
                "description": "make services-up",
            },
            "production": {
                "host": "motcua-kafka-bootstrap.kafka.svc:9093",
                "protocol": "kafka-secure",
                "description": "SASL_SSL (SCRAM-SHA-512)",
                "security": [{"$ref": "#/components/securitySchemes/scram"}],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": schemas,
            "messages": messages,
            "securitySchemes": {"scram": {"type": "scramSha512"}},
        },
    }


def render_document() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
