"""Committed JSON Schemas must equal the models: drift, or a silent breaking change, fails."""

from __future__ import annotations

import json

from motcua_contracts.export import SCHEMA_DIR, generated_schemas, render
from motcua_contracts.registry import REGISTRY


def test_every_registered_event_has_a_committed_schema_equal_to_the_model() -> None:
    generated = generated_schemas()
    committed = {p.name for p in SCHEMA_DIR.glob("*.json")}
    missing = sorted(set(generated) - committed)
    assert not missing, f"run `uv run python -m motcua_contracts.export` and commit: {missing}"
    drifted = [
        name
        for name, schema in generated.items()
        if (SCHEMA_DIR / name).read_text(encoding="utf-8") != render(schema)
    ]
    assert not drifted, (
        f"published schemas changed: {drifted}. A published version is frozen: add a new "
        "version of the event instead of editing it."
    )


def test_no_committed_schema_lost_its_model() -> None:
    """Removing a published version would break consumers still reading old messages."""
    generated = set(generated_schemas())
    orphaned = sorted(p.name for p in SCHEMA_DIR.glob("*.json") if p.name not in generated)
    assert not orphaned, f"schemas without a model: {orphaned}"


def test_payloads_carry_no_personal_data_fields() -> None:
    forbidden = {"full_name", "name", "id_number", "phone", "email", "address", "date_of_birth"}
    for spec in REGISTRY.values():
        props = set(json.loads(render(spec.model.model_json_schema())).get("properties", {}))
        assert not props & forbidden, f"{spec.event_type} exposes {props & forbidden}"
