"""The committed AsyncAPI document equals the models and is valid AsyncAPI 3.0."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from motcua_contracts.asyncapi import ASYNCAPI_PATH, RECEIVERS, SENDER, render_document
from motcua_contracts.registry import REGISTRY
from motcua_contracts.topics import Topics

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    # The AsyncAPI 3.0.0 JSON Schema from npm (@asyncapi/specs), installed on first use.
    out = subprocess.run(
        [
            "bash",
            "-c",
            "set -euo pipefail; source scripts/lib/tools.sh; ensure_asyncapi_spec;"
            ' printf %s "$ASYNCAPI_SPEC"',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(Path(out.stdout).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def committed() -> dict[str, Any]:
    return json.loads(ASYNCAPI_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_committed_document_equals_the_models() -> None:
    assert ASYNCAPI_PATH.read_text(encoding="utf-8") == render_document(), (
        "run `uv run python -m motcua_contracts.export` and commit contracts/asyncapi.json"
    )


def test_the_document_is_valid_asyncapi_3(spec: dict[str, Any]) -> None:
    errors = [e.message for e in jsonschema_rs.validator_for(spec).iter_errors(committed())]
    assert not errors, errors[:5]


def test_an_invalid_document_is_refused(spec: dict[str, Any]) -> None:
    # The validator is not a rubber stamp: a channel without an address map is refused.
    broken = committed()
    broken["channels"]["dossiers"]["messages"] = ["DossierReceived.v1"]
    assert not jsonschema_rs.validator_for(spec).is_valid(broken)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves_and_every_event_has_a_message() -> None:
    doc = committed()
    for ref in _refs(doc):
        node: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
    messages = doc["components"]["messages"]
    assert set(messages) == {f"{t}.v{v}" for t, v in REGISTRY}
    by_address = {c["address"]: c for c in doc["channels"].values()}
    assert set(by_address) == set(Topics.ALL)
    for (event_type, version), event in REGISTRY.items():
        assert f"{event_type}.v{version}" in by_address[event.topic]["messages"]


def test_each_topic_has_one_sender_and_its_receivers() -> None:
    ops = committed()["operations"]
    senders = {k for k, op in ops.items() if op["action"] == "send"}
    assert len(senders) == len(Topics.ALL) == len(SENDER)
    receivers = {k for k, op in ops.items() if op["action"] == "receive"}
    assert len(receivers) == sum(len(t) for t in RECEIVERS.values())
