"""Re-publish the messages of one dead-letter topic to the topic they came from.

    python dlq_replay.py --topic motcua.dossiers.v1.dlq.workflow [--dry-run] [--max-messages N]

Reads <topic>.dlq.<group> with its own consumer group (motcua-dlq-replay.<dlq topic>), up to
the end offsets seen at start, and sends each message back to its source topic (header
dlq_source_topic) with the same key, value and original headers (dlq_* removed,
motcua_replayed_from added). Offsets are committed after each acknowledged batch, so a second
run only replays what came later. Every consumer group of the source topic sees the message
again: groups that had processed it skip it in their inbox (same ce_id); the failed group
processes it. Environment: as provision_topics.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DLQ_MARK = ".dlq."
BATCH = 200


def source_topic(dlq_topic: str, headers: dict[str, str]) -> str:
    """The topic a dead letter came from: its header, else the name before '.dlq.'."""
    return headers.get("dlq_source_topic") or dlq_topic.rsplit(DLQ_MARK, 1)[0]


def replay_headers(dlq_topic: str, headers: dict[str, str]) -> list[tuple[str, bytes]]:
    kept = {k: v for k, v in headers.items() if not k.startswith("dlq_")}
    kept["motcua_replayed_from"] = dlq_topic
    return [(k, v.encode("utf-8")) for k, v in kept.items()]


def _client_options() -> dict[str, Any]:
    protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    options: dict[str, Any] = {
        "bootstrap_servers": os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        "security_protocol": protocol,
    }
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = ssl.create_default_context()  # honours SSL_CERT_FILE
    if protocol == "SASL_SSL":
        password_file = os.environ["KAFKA_SASL_PASSWORD_FILE"]
        options["sasl_mechanism"] = "SCRAM-SHA-512"
        options["sasl_plain_username"] = os.environ["KAFKA_SASL_USERNAME"]
        options["sasl_plain_password"] = Path(password_file).read_text(encoding="utf-8").strip()
    return options


async def replay(dlq_topic: str, *, dry_run: bool, max_messages: int) -> int:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    if DLQ_MARK not in dlq_topic:
        print(f"{dlq_topic} is not a dead-letter topic", file=sys.stderr)
        return 2
    options = _client_options()
    admin = AIOKafkaAdminClient(client_id="motcua-dlq-replay", **options)
    await admin.start()
    try:
        [info] = await admin.describe_topics([dlq_topic])
    finally:
        await admin.close()
    if info.get("error_code"):
        print(f"{dlq_topic}: not found (error {info['error_code']})", file=sys.stderr)
        return 2
    partitions = [TopicPartition(dlq_topic, p["partition"]) for p in info["partitions"]]
    # Manual assignment with a group: positions start at the group's committed offsets.
    consumer = AIOKafkaConsumer(
        group_id=f"motcua-dlq-replay.{dlq_topic}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id="motcua-dlq-replay",
        **options,
    )
    producer = None
    if not dry_run:
        producer = AIOKafkaProducer(
            acks="all", enable_idempotence=True, client_id="motcua-dlq-replay", **options
        )
    await consumer.start()
    consumer.assign(partitions)
    if producer is not None:
        await producer.start()
    replayed: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    try:
        end = await consumer.end_offsets(partitions)
        pending = {tp for tp in partitions if end[tp] > 0}
        while pending and (max_messages == 0 or sum(replayed.values()) < max_messages):
            batch = await consumer.getmany(*pending, timeout_ms=2000, max_records=BATCH)
            if not batch:
                # nothing more before the end offsets (already replayed, or compacted away)
                positions = {tp: await consumer.position(tp) for tp in pending}
                pending = {tp for tp in pending if positions[tp] < end[tp]}
                continue
            sends = []
            commit: dict[Any, int] = {}
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= end[tp]:
                        pending.discard(tp)
                        break
                    if max_messages and sum(replayed.values()) >= max_messages:
                        break
                    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
                    target = source_topic(dlq_topic, headers)
                    reasons[headers.get("dlq_reason", "?")[:120]] += 1
                    replayed[target] += 1
                    commit[tp] = record.offset + 1
                    if producer is not None:
                        sends.append(
                            await producer.send(
                                target,
                                record.value,
                                key=record.key,
                                headers=replay_headers(dlq_topic, headers),
                            )
                        )
                    if record.offset + 1 >= end[tp]:
                        pending.discard(tp)
            if producer is not None:
                await asyncio.gather(*sends)  # every message acknowledged before the commit
                if commit:
                    await consumer.commit(commit)
        verb = "would replay" if dry_run else "replayed"
        for target, count in sorted(replayed.items()):
            print(f"{verb} {count} message(s) from {dlq_topic} to {target}")
        for reason, count in reasons.most_common(10):
            print(f"  {count} x {reason}")
        if not replayed:
            print(f"nothing to replay in {dlq_topic}")
        return 0
    finally:
        await consumer.stop()
        if producer is not None:
            await producer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topic", required=True, help="<topic>.dlq.<group>")
    parser.add_argument("--dry-run", action="store_true", help="count and show reasons only")
    parser.add_argument("--max-messages", type=int, default=0, help="0: all up to the end")
    args = parser.parse_args(argv)
    return asyncio.run(replay(args.topic, dry_run=args.dry_run, max_messages=args.max_messages))


if __name__ == "__main__":
    sys.exit(main())
