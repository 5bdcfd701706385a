"""Export JSON Schemas of the envelope and every registered payload, and the AsyncAPI
document of the topics (`python -m motcua_contracts.export`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from motcua_contracts.asyncapi import ASYNCAPI_PATH, render_document
from motcua_contracts.envelope import ENVELOPE_VERSION, EventEnvelope
from motcua_contracts.registry import REGISTRY

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def generated_schemas() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {
        f"EventEnvelope.v{ENVELOPE_VERSION}.json": EventEnvelope.model_json_schema()
    }
    for (event_type, version), spec in sorted(REGISTRY.items()):
        schema = spec.model.model_json_schema()
        schema["x-topic"] = spec.topic
        out[f"{event_type}.v{version}.json"] = schema
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, schema in generated_schemas().items():
        (SCHEMA_DIR / name).write_text(render(schema), encoding="utf-8")
    print(f"wrote {len(generated_schemas())} schemas to {SCHEMA_DIR}")
    ASYNCAPI_PATH.write_text(render_document(), encoding="utf-8")
    print(f"wrote the AsyncAPI document to {ASYNCAPI_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
