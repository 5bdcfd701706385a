"""The Python tools the chart ships (topic provisioning, dead-letter replay): pure parts."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

FILES = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "motcua" / "files"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"chart_{name}", FILES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def topics() -> ModuleType:
    return load("provision_topics")


@pytest.fixture(scope="module")
def replay() -> ModuleType:
    return load("dlq_replay")


def test_plan_creates_missing_and_grows_smaller_topics(topics: ModuleType) -> None:
    wanted = [
        topics.Topic("motcua.dossiers.v1", 24, 3, {}),
        topics.Topic("motcua.clock.v1", 12, 3, {}),
        topics.Topic("motcua.tenants.v1", 12, 3, {"cleanup.policy": "compact"}),
        topics.Topic("motcua.notifications.v1", 12, 3, {}),
    ]
    plan = topics.make_plan(
        wanted, {"motcua.dossiers.v1": 12, "motcua.clock.v1": 12, "motcua.tenants.v1": 16}
    )
    assert [t.name for t in plan.create] == ["motcua.notifications.v1"]
    assert plan.grow == {"motcua.dossiers.v1": 24}
    # Partitions are never removed: a larger topic only gives a warning.
    assert len(plan.warnings) == 1 and "motcua.tenants.v1" in plan.warnings[0]
    assert "grow motcua.dossiers.v1 to 24 partitions" in plan.summary()


def test_plan_is_empty_when_everything_exists(topics: ModuleType) -> None:
    wanted = [topics.Topic("a", 3, 1, {})]
    assert topics.make_plan(wanted, {"a": 3}).summary() == "nothing to do"


def test_topics_file_as_rendered_by_the_chart(topics: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "topics.json"
    path.write_text(
        json.dumps(
            {
                "topics": [
                    {
                        "name": "motcua.tenants.v1",
                        "partitions": 12,
                        "replicationFactor": 3,
                        "config": {"cleanup.policy": "compact", "retention.ms": 604800000},
                    }
                ]
            }
        )
    )
    [topic] = topics.load_topics(path)
    assert topic.config == {"cleanup.policy": "compact", "retention.ms": "604800000"}


def test_client_options_read_the_password_from_the_mounted_file(
    topics: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka:9093")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "motcua-admin")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", str(secret))
    options = topics._client_options()
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_password"] == "s3cret"
    assert options["ssl_context"] is not None


def test_replay_targets_the_source_topic(replay: ModuleType) -> None:
    dlq = "motcua.dossiers.v1.dlq.workflow"
    assert replay.source_topic(dlq, {}) == "motcua.dossiers.v1"
    assert replay.source_topic(dlq, {"dlq_source_topic": "motcua.clock.v1"}) == "motcua.clock.v1"


def test_replay_keeps_the_event_headers_and_drops_the_dlq_ones(replay: ModuleType) -> None:
    headers = {
        "ce_id": "e-1",
        "ce_type": "DossierReceived",
        "traceparent": "00-abc-def-01",
        "dlq_reason": "after 5 attempts",
        "dlq_source_topic": "motcua.dossiers.v1",
    }
    out = dict(replay.replay_headers("motcua.dossiers.v1.dlq.workflow", headers))
    assert out == {
        "ce_id": b"e-1",
        "ce_type": b"DossierReceived",
        "traceparent": b"00-abc-def-01",
        "motcua_replayed_from": b"motcua.dossiers.v1.dlq.workflow",
    }
