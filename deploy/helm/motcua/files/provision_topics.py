"""Create the missing Kafka topics of motcua and raise partition counts; never lower, never delete.

Run by the chart's pre-install/pre-upgrade Job inside a motcua image (python + aiokafka):

    python provision_topics.py topics.json [--dry-run]

topics.json: {"topics": [{"name", "partitions", "replicationFactor", "config": {...}}, ...]}
Environment: KAFKA_BOOTSTRAP, KAFKA_SECURITY_PROTOCOL (PLAINTEXT|SSL|SASL_SSL),
KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD_FILE (SCRAM-SHA-512); SSL_CERT_FILE for a private CA.
Existing topics whose settings differ are reported, not changed: changing cleanup.policy or
the replication factor is an operator's decision (docs/runbooks/them-xa-va-phan-vung.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Kafka error codes that mean "already as asked".
TOPIC_ALREADY_EXISTS = 36
CONNECT_ATTEMPTS = 30


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    create: list[Topic] = field(default_factory=list)
    grow: dict[str, int] = field(default_factory=dict)  # topic -> new partition count
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"create {t.name} ({t.partitions} partitions, rf {t.replication_factor})"
            for t in self.create
        ]
        lines += [f"grow {name} to {count} partitions" for name, count in self.grow.items()]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines) or "nothing to do"


def load_topics(path: Path) -> list[Topic]:
    raw = json.loads(path.read_text(encoding="utf-8"))["topics"]
    return [
        Topic(
            name=t["name"],
            partitions=int(t["partitions"]),
            replication_factor=int(t["replicationFactor"]),
            config={k: str(v) for k, v in (t.get("config") or {}).items()},
        )
        for t in raw
    ]


def make_plan(desired: list[Topic], existing: dict[str, int]) -> Plan:
    """existing: topic name -> current partition count."""
    plan = Plan()
    for topic in desired:
        current = existing.get(topic.name)
        if current is None:
            plan.create.append(topic)
        elif current < topic.partitions:
            plan.grow[topic.name] = topic.partitions
        elif current > topic.partitions:
            plan.warnings.append(
                f"{topic.name} has {current} partitions, more than the {topic.partitions} asked;"
                " partitions are never removed"
            )
    return plan


def _client_options() -> dict[str, Any]:
    protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    options: dict[str, Any] = {
        "bootstrap_servers": os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        "security_protocol": protocol,
        "client_id": "motcua-topics",
    }
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = ssl.create_default_context()  # honours SSL_CERT_FILE
    if protocol == "SASL_SSL":
        password_file = os.environ["KAFKA_SASL_PASSWORD_FILE"]
        options["sasl_mechanism"] = "SCRAM-SHA-512"
        options["sasl_plain_username"] = os.environ["KAFKA_SASL_USERNAME"]
        options["sasl_plain_password"] = Path(password_file).read_text(encoding="utf-8").strip()
    return options


def _errors(response: Any) -> list[tuple[str, int, str]]:
    """(topic, code, message) of every failed entry in a CreateTopics/CreatePartitions reply."""
    entries = getattr(response, "topic_errors", None) or getattr(response, "topic_results", [])
    failed = []
    for entry in entries:
        name, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 else ""
        if code not in (0, TOPIC_ALREADY_EXISTS):
            failed.append((name, code, str(message)))
    return failed


async def _existing_partitions(admin: Any, names: list[str]) -> dict[str, int]:
    present = set(await admin.list_topics())
    wanted = [n for n in names if n in present]
    if not wanted:
        return {}
    described = await admin.describe_topics(wanted)
    return {d["topic"]: len(d["partitions"]) for d in described if not d.get("error_code")}


async def run(path: Path, *, dry_run: bool) -> int:
    from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic

    desired = load_topics(path)
    admin = AIOKafkaAdminClient(**_client_options())
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            await admin.start()
            break
        except Exception as exc:  # the brokers may still be starting
            if attempt == CONNECT_ATTEMPTS:
                print(f"cannot reach Kafka: {exc!r}", file=sys.stderr)
                return 2
            print(f"Kafka not reachable yet ({exc!r}); retrying", file=sys.stderr)
            await asyncio.sleep(min(2 * attempt, 10))
    try:
        plan = make_plan(desired, await _existing_partitions(admin, [t.name for t in desired]))
        print(plan.summary())
        if dry_run:
            return 0
        failed: list[tuple[str, int, str]] = []
        if plan.create:
            response = await admin.create_topics(
                [
                    NewTopic(
                        name=t.name,
                        num_partitions=t.partitions,
                        replication_factor=t.replication_factor,
                        topic_configs=t.config,
                    )
                    for t in plan.create
                ],
                timeout_ms=30_000,
            )
            failed += _errors(response)
        if plan.grow:
            try:  # aiokafka raises on the first topic the broker refuses
                await admin.create_partitions(
                    {name: NewPartitions(total_count=count) for name, count in plan.grow.items()},
                    timeout_ms=30_000,
                )
            except Exception as exc:
                failed.append((", ".join(plan.grow), -1, repr(exc)))
        for name, code, message in failed:
            print(f"failed: {name}: error {code} {message}", file=sys.stderr)
        return 1 if failed else 0
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topics", type=Path, help="topics.json rendered by the chart")
    parser.add_argument("--dry-run", action="store_true", help="print the plan only")
    args = parser.parse_args(argv)
    return asyncio.run(run(args.topics, dry_run=args.dry_run))


if __name__ == "__main__":
    sys.exit(main())
