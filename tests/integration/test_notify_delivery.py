"""Notify as its own process on the real Kafka and PostgreSQL, sending real e-mail to an SMTP
server the test starts and real HTTP to SMS and Zalo stand-ins on loopback.

Gateways fail, time out and answer 429; messages are retried, fall back, end in the print
queue or the dead-letter topic, and are replayed; nothing is lost or sent twice.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from motcua_contracts.codec import encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import dossiers_v1, tenants_v1
from motcua_contracts.topics import Topics
from motcua_platform.auth import dev_tokens, verifier_from_settings
from motcua_platform.auth.settings import AuthSettings
from motcua_platform.messaging.types import dead_letter_topic
from motcua_testkit.notify import ceremony_scheduled, received, result_ready
from motcua_testkit.standins import GatewayStandIn, ThreadedServer, start_smtp

from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    free_port,
    server_env,
    unique,
)

pytestmark = pytest.mark.integration
TOPICS = (Topics.DOSSIERS, Topics.CLOCK, Topics.TENANTS)
# FastStream 0.7 JSON-decodes a body without a content type, and the platform's subscriber
# (typed `bytes`) then refuses it and NACKs it forever: say what the bytes are. Reported.
OCTETS = ("content-type", b"application/octet-stream")
CITIZEN_KINDS = ("receipt_confirmation", "result_ready")
CEREMONY_KINDS = ("ceremony_invitation", "ceremony_message")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Rig:
    tenant: str
    group: str
    keys: Path
    notify: ServiceProcess
    gateway: GatewayStandIn
    smtp: Any
    env: dict[str, str]
    bootstrap: str
    start_offsets: dict[TopicPartition, int]
    gateway_url: str = ""

    def headers(self, role: str = "clerk") -> dict[str, str]:
        tenant = self.tenant if role in ("clerk", "leader") else None
        return {"Authorization": f"Bearer {dev_tokens.mint(role, tenant, keys=self.keys)}"}

    def dossier(self, *, email: str | None = "hoa.lo@example.vn") -> str:
        dossier_id = str(uuid.uuid4())
        self.gateway.contacts[dossier_id] = {
            "phone": "0912345678",
            "email": email,
            "full_name": "Lò Thị Hoa",
            "address": "Bản Hìn, xã Chiềng Khương",
        }
        return dossier_id

    async def publish(self, *envelopes: EventEnvelope) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await producer.start()
        try:
            for env in envelopes:
                wire = encode(env)
                await producer.send_and_wait(
                    wire.topic,
                    wire.value,
                    key=wire.key.encode(),
                    headers=[(k, v.encode()) for k, v in wire.headers.items()] + [OCTETS],
                )
        finally:
            await producer.stop()

    def envelope(self, payload: Any, dossier_id: str | None, **kw: Any) -> EventEnvelope:
        return EventEnvelope(
            event_type=type(payload).__name__,
            schema_version=1,
            occurred_at=datetime.now(UTC),
            tenant_id=kw.pop("tenant_id", self.tenant),
            dossier_id=dossier_id,
            producer=kw.pop("producer", "intake"),
            payload=payload.model_dump(mode="json"),
            **kw,
        )

    async def notes(self, dossier_id: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=self.notify.url, timeout=10) as client:
            r = await client.get(
                f"/api/v1/communes/{self.tenant}/dossiers/{dossier_id}/notifications",
                headers=self.headers(),
            )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def settled(
        self, dossier_id: str, *kinds: str, count: int | None = None, wait_s: float = 30
    ) -> list[dict[str, Any]]:
        """This dossier's notifications of `kinds`, once each is sent, failed or printable.

        Other services on the same Kafka (workflow's escalations) may add their own kinds:
        the test looks only at what it asked for."""
        deadline = time.monotonic() + wait_s
        mine: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            mine = [n for n in await self.notes(dossier_id) if n["kind"] in kinds]
            done = [n for n in mine if n["status"] in ("sent", "failed") or n["in_print_queue"]]
            if len(done) == len(mine) >= (count or len(kinds)) and {n["kind"] for n in mine} == set(
                kinds
            ):
                return sorted(mine, key=lambda n: (kinds.index(n["kind"]), n["created_at"]))
            await asyncio.sleep(0.2)
        raise AssertionError(f"not settled: {mine}")

    async def events(self, topic: str, *, wait_for: int = 0, wait_s: float = 20) -> list[Any]:
        """Records of this run's tenant on `topic` since the rig started."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        found: list[Any] = []
        try:
            deadline = time.monotonic() + wait_s
            parts = await _partitions(self.bootstrap, (topic,))
            consumer.assign(parts)
            while True:
                for tp in parts:
                    consumer.seek(tp, self.start_offsets.get(tp, 0))
                end = await consumer.end_offsets(parts)
                found = []
                while any([await consumer.position(tp) < end[tp] for tp in parts]):
                    for records in (await consumer.getmany(timeout_ms=500)).values():
                        for record in records:
                            headers = {k: v.decode() for k, v in record.headers}
                            if headers.get("motcua_tenant") == self.tenant:
                                found.append(record)
                if len(found) >= wait_for or time.monotonic() > deadline:
                    return found
                await asyncio.sleep(0.3)
        finally:
            await consumer.stop()


async def _partitions(bootstrap: str, topics: tuple[str, ...]) -> list[TopicPartition]:
    """The producer's `partitions_for` waits for metadata (and creates a missing topic)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        return [TopicPartition(t, p) for t in topics for p in await producer.partitions_for(t)]
    finally:
        await producer.stop()


async def _offsets(
    bootstrap: str, topics: tuple[str, ...], group: str | None
) -> dict[TopicPartition, int]:
    """End offsets now; with a group, also committed there so it starts from here."""
    parts = await _partitions(bootstrap, topics)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(parts)
        end = await consumer.end_offsets(parts)
        if group:
            await consumer.commit(dict(end))
        return dict(end)
    finally:
        await consumer.stop()


def _run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    env = server_env()
    run = unique("itn")
    tenant, group = f"xa-{run[-8:]}", f"it-notify-{run[-8:]}"
    tmp = tmp_path_factory.mktemp("notify")
    keys = dev_tokens.ensure_keys(tmp / "keys")
    verifier = verifier_from_settings(AuthSettings(environment="test", dev_keys_dir=str(keys)))
    gateway = GatewayStandIn(verify_token=verifier.verify)
    server = ThreadedServer(gateway.app, free_port()).start()
    smtp_port = free_port()
    controller, smtp = start_smtp(smtp_port)
    bootstrap = env["MOTCUA_KAFKA_BOOTSTRAP"]
    # The new consumer group starts at the end: older runs' dossiers are not ours to send.
    asyncio.run(_offsets(bootstrap, TOPICS, group))
    start = asyncio.run(
        _offsets(
            bootstrap, (Topics.NOTIFICATIONS, dead_letter_topic(Topics.NOTIFICATIONS, group)), None
        )
    )
    url = asyncio.run(create_database(env, run))
    process_env = {
        "MOTCUA_NOTIFY_DATABASE_URL": url,
        "MOTCUA_NOTIFY_KAFKA_BOOTSTRAP": bootstrap,
        "MOTCUA_NOTIFY_CONSUMER_GROUP": group,
        "MOTCUA_NOTIFY_ENVIRONMENT": "test",
        "MOTCUA_NOTIFY_DEV_KEYS_DIR": str(keys),
        "MOTCUA_NOTIFY_INTAKE_URL": server.url,
        "MOTCUA_NOTIFY_PUBLIC_BASE_URL": "https://dichvucong.sonla.gov.vn",
        "MOTCUA_NOTIFY_RETRY_BASE_SECONDS": "0.1",
        "MOTCUA_NOTIFY_RETRY_CAP_SECONDS": "0.4",
        "MOTCUA_NOTIFY_MAX_ATTEMPTS": "3",
        "MOTCUA_NOTIFY_LETTER_MAX_ATTEMPTS": "2",
        "MOTCUA_NOTIFY_DISPATCH_POLL_SECONDS": "0.05",
        "MOTCUA_NOTIFY_MORNING_SPREAD_SECONDS": "0",
        # What this deployment declares: the stand-in gateway's host and two secret names.
        "MOTCUA_NOTIFY_GATEWAY_HOSTS": "127.0.0.1",
        "MOTCUA_NOTIFY_SECRET_ENV_NAMES": "MOTCUA_IT_SMS_TOKEN,MOTCUA_IT_ZALO_TOKEN",
        "MOTCUA_IT_SMS_TOKEN": "sms-secret-token",
        "MOTCUA_IT_ZALO_TOKEN": "zalo-secret-token",
    }
    process = ServiceProcess("notify", process_env, "api,relay,consumer,timers")
    try:
        process.start(tmp)
        operator = {"Authorization": f"Bearer {dev_tokens.mint('operator', None, keys=keys)}"}
        settings = {
            "unit_name_vi": "Xã Chiềng Khương",
            # No quiet hours in this test: it must pass at any hour of the night.
            "quiet_hours": {"start": "00:00", "end": "00:00"},
            "email": {
                "host": "127.0.0.1",
                "port": smtp_port,
                "starttls": False,
                "from_address": "motcua@chiengkhuong.sonla.gov.vn",
                "from_name": "UBND xã Chiềng Khương",
            },
            "sms": {
                "url": f"{server.url}/sms",
                "token_ref": "env:MOTCUA_IT_SMS_TOKEN",
                "timeout_seconds": 1.5,
            },
            "zalo": {
                "url": f"{server.url}/zns",
                "access_token_ref": "env:MOTCUA_IT_ZALO_TOKEN",
                "timeout_seconds": 1.5,
                "templates": {"receipt_confirmation": "301234", "result_ready": "301235"},
            },
            "signer": {"name": "Lường Văn Thắng"},
        }
        r = httpx.put(
            f"{process.url}/api/v1/communes/{tenant}/notify-settings",
            json=settings,
            headers=operator,
        )
        assert r.status_code == 200, r.text
        yield Rig(
            tenant,
            group,
            keys,
            process,
            gateway,
            smtp,
            {**os.environ, **process_env},
            bootstrap,
            start,
            server.url,
        )
    finally:
        process.stop()
        controller.stop()
        server.stop()
        asyncio.run(drop_database(env, run))


async def test_an_online_receipt_arrives_as_real_email(rig: Rig) -> None:
    dossier = rig.dossier()
    env = rig.envelope(received(channel="online", code="000.22.38.H50-251007-0101"), dossier)
    await rig.publish(env)
    [note] = await rig.settled(dossier, "receipt_confirmation")
    assert (note["status"], note["channel"]) == ("sent", "email")
    [mail] = [m for m in rig.smtp.messages if "000.22.38.H50-251007-0101" in m["Subject"]]
    assert mail["To"] == "hoa.lo@example.vn"
    assert mail["Subject"] == "Xã Chiềng Khương đã tiếp nhận hồ sơ 000.22.38.H50-251007-0101"
    body = mail.get_content()
    assert "Kính gửi Ông/Bà," in body and "Đăng ký khai sinh" in body
    assert "https://dichvucong.sonla.gov.vn/tra-cuu?ma=000.22.38.H50-251007-0101" in body
    sent = await rig.events(Topics.NOTIFICATIONS, wait_for=1)
    mine = [EventEnvelope.from_bytes(r.value) for r in sent]
    assert any(
        e.event_type == "NotificationSent"
        and e.payload["channel"] == "email"
        and e.dossier_id == dossier
        for e in mine
    )


async def test_failing_and_throttling_gateways_are_retried_then_fall_back(rig: Rig) -> None:
    rig.gateway.set("zns", "500")  # Zalo down for good
    rig.gateway.set("sms", "429", times=2)  # the SMS gateway throttles twice, then accepts
    dossier = rig.dossier()
    await rig.publish(rig.envelope(received(code="000.22.38.H50-251007-0102"), dossier))
    [note] = await rig.settled(dossier, "receipt_confirmation")
    assert (note["status"], note["channel"]) == ("sent", "sms")
    assert [(d["channel"], d["status"], d["attempts"]) for d in note["deliveries"]] == [
        ("zalo", "failed", 3),
        ("sms", "sent", 3),
    ]
    zalo_key, sms_key = (d["delivery_id"] for d in note["deliveries"])
    assert [r.answered for r in rig.gateway.seen("zns") if r.key == zalo_key] == ["500"] * 3
    sms = [r for r in rig.gateway.seen("sms") if r.key == sms_key]
    assert [r.answered for r in sms] == ["429", "429", "ok"]  # one idempotency key throughout
    assert sms[-1].body["to"] == "0912345678"
    assert "000.22.38.H50-251007-0102" in sms[-1].body["text"]

    # A Zalo gateway that times out, and an SMS gateway that refuses: e-mail takes it.
    rig.gateway.set("zns", "timeout", delay=3.0)
    rig.gateway.set("sms", "400")
    dossier = rig.dossier()
    await rig.publish(rig.envelope(received(code="000.22.38.H50-251007-0103"), dossier))
    [note] = await rig.settled(dossier, "receipt_confirmation")
    assert [(d["channel"], d["last_error_code"]) for d in note["deliveries"]] == [
        ("zalo", "zalo.timeout"),
        ("sms", "sms.400"),
        ("email", None),
    ]
    assert note["deliveries"][1]["attempts"] == 1  # permanent: no retry
    rig.gateway.set("zns", "ok")
    rig.gateway.set("sms", "ok")
    failed = [
        EventEnvelope.from_bytes(r.value)
        for r in await rig.events(Topics.NOTIFICATIONS, wait_for=5)
    ]
    hops = [
        (e.payload["channel"], e.payload["next_channel"])
        for e in failed
        if e.event_type == "NotificationFailed"
        and e.payload["notification_id"] == note["notification_id"]
    ]
    assert hops == [("zalo", "sms"), ("sms", "email")]


async def test_what_nothing_can_deliver_is_dead_lettered_then_replayed(rig: Rig) -> None:
    dossier = str(uuid.uuid4())  # intake does not know it (yet): no contact on any channel
    await rig.publish(rig.envelope(received(code="000.22.38.H50-251007-0104"), dossier))
    [note] = await rig.settled(dossier, "receipt_confirmation")
    assert note["status"] == "failed"
    assert [d["channel"] for d in note["deliveries"]] == ["zalo", "sms", "email", "letter"]
    dead = await rig.events(dead_letter_topic(Topics.NOTIFICATIONS, rig.group), wait_for=1)
    mine = [r for r in dead if note["notification_id"].encode() in r.value]
    assert len(mine) == 1 and "Lò Thị Hoa".encode() not in mine[0].value

    rig.gateway.contacts[dossier] = {"phone": "0987654321", "email": None}
    replay = [sys.executable, "-m", "notify", "replay-dead-letters"]
    out = await asyncio.to_thread(_run, replay, rig.env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert re.search(r"đã gửi lại [1-9]\d* thông báo", out.stdout), out.stdout
    for _ in range(100):
        [note] = await rig.settled(dossier, "receipt_confirmation")
        if note["status"] == "sent":
            break
        await asyncio.sleep(0.2)
    assert (note["status"], note["channel"]) == ("sent", "zalo")
    again = await asyncio.to_thread(_run, replay, rig.env)
    assert again.returncode == 0 and "đã gửi lại" in again.stdout
    await asyncio.sleep(0.5)
    [after] = await rig.settled(dossier, "receipt_confirmation")
    assert after["deliveries"] == note["deliveries"]  # replaying twice sends nothing twice


async def test_redelivered_events_send_nothing_twice_and_the_commune_profile_is_used(
    rig: Rig,
) -> None:
    profile = tenants_v1.TenantConfigured(
        tenant_id=rig.tenant,
        unit_code="04087",
        name_vi="Xã Chiềng Khương",
        unit_type=tenants_v1.UnitType.XA,
        province_code="14",
        agency_code="000.22.38.H50",
        status=tenants_v1.TenantStatus.ACTIVE,
        ceremony_slots=["Thứ Hai 08:00", "Thứ Sáu 15:00"],
        revision=1,
    )
    await rig.publish(rig.envelope(profile, None, producer="intake"))
    await asyncio.sleep(1.0)
    dossier, death = rig.dossier(), rig.dossier()
    birth_received = rig.envelope(received(code="000.22.38.H50-251007-0105"), dossier)
    ready = rig.envelope(result_ready(["ceremony_birth"]), dossier)
    invited = ceremony_scheduled(datetime(2025, 10, 9, 8, 30, tzinfo=VN))
    ceremony = rig.envelope(invited, dossier)
    death_received = rig.envelope(
        received(procedure_code="1.000656", code="000.22.38.H50-251007-0106"), death
    )
    death_ready = result_ready(["condolence_death"], procedure_code="1.000656")
    await rig.publish(
        birth_received, ready, ceremony, death_received, rig.envelope(death_ready, death)
    )
    # The same envelopes again (a redelivery), and the same fact under a new event id.
    await rig.publish(
        birth_received,
        ready,
        ceremony,
        rig.envelope(invited, dossier),
        death_received,
        rig.envelope(death_ready, death),
    )
    notes = await rig.settled(dossier, *CITIZEN_KINDS, *CEREMONY_KINDS)
    assert len(notes) == 4
    # A new ResultReady is a new event (a new result_ready), but never a second condolence.
    deaths = await rig.settled(death, *CITIZEN_KINDS, "condolence_letter", count=4)
    kinds = sorted(n["kind"] for n in deaths)
    assert kinds.count("condolence_letter") == 1 and kinds.count("result_ready") == 2
    await asyncio.sleep(1.5)  # room for a duplicate to show up, if there were one
    assert len(await rig.settled(dossier, *CITIZEN_KINDS, *CEREMONY_KINDS)) == 4
    assert len(await rig.settled(death, *CITIZEN_KINDS, "condolence_letter", count=4)) == 4

    sent_keys = [d["delivery_id"] for n in notes + deaths for d in n["deliveries"]]
    accepted = {r.key for r in rig.gateway.requests if r.key in sent_keys and r.answered == "ok"}
    electronic = [n for n in notes + deaths if n["channel"] != "letter"]
    assert len(electronic) == 6  # 2 receipts + 3 result_ready (one is new) + the invitation
    for n in electronic:  # each reached the citizen through exactly one gateway delivery
        assert len({d["delivery_id"] for d in n["deliveries"]} & accepted) == 1, n
    invite = next(
        r
        for r in rig.gateway.seen("zns")
        if r.body["template_id"] == "301235"
        and r.key in sent_keys
        and r.body["template_data"].get("dossier_code") == "000.22.38.H50-251007-0001"
    )
    assert invite.body["template_data"]["ceremony_slots"] == "Thứ Hai 08:00; Thứ Sáu 15:00"
    assert invite.body["phone"] == "84912345678"

    records = await rig.events(Topics.NOTIFICATIONS, wait_for=7)
    sent = [EventEnvelope.from_bytes(r.value) for r in records]
    per_notification: dict[str, int] = {}
    for e in sent:
        if e.event_type == "NotificationSent":
            key = e.payload["notification_id"]
            per_notification[key] = per_notification.get(key, 0) + 1
    ids = {n["notification_id"] for n in notes + deaths}
    assert set(per_notification) >= ids
    assert {per_notification[i] for i in ids} == {1}

    async with httpx.AsyncClient(base_url=rig.notify.url, timeout=10) as client:
        queue = (
            await client.get(f"/api/v1/communes/{rig.tenant}/print-queue", headers=rig.headers())
        ).json()
        kinds = {j["kind"] for j in queue if j["dossier_id"] in (dossier, death)}
        assert kinds >= {"ceremony_invitation", "condolence_letter"}  # + workflow's alerts
        job = next(
            j for j in queue if j["kind"] == "condolence_letter" and j["dossier_id"] == death
        )
        pdf = await client.get(
            f"/api/v1/communes/{rig.tenant}/print-queue/{job['delivery_id']}/pdf",
            headers=rig.headers(),
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_each_commune_speaks_for_its_own_dossiers_and_a_merged_unit_for_none(
    rig: Rig,
) -> None:
    """Two communes with their own SMS sender and name: each dossier's SMS carries its own
    commune's; after A merges into C, the moved dossier's messages carry C's (issue #8)."""
    a, c = f"{rig.tenant}-a", f"{rig.tenant}-c"
    names = {a: "Xã Chiềng Ngần", c: "Phường Chiềng Sinh"}
    brands = {a: "UBND CHIENG NGAN", c: "UBND CHIENG SINH"}
    sms_url = f"{rig.gateway_url}/sms"
    operator = {"Authorization": f"Bearer {dev_tokens.mint('operator', None, keys=rig.keys)}"}

    def profile(tenant: str, revision: int, merged_into: str | None = None) -> Any:
        return tenants_v1.TenantConfigured(
            tenant_id=tenant,
            unit_code="04087",
            name_vi=names[tenant],
            unit_type=tenants_v1.UnitType.XA,
            province_code="14",
            agency_code="000.22.38.H50",
            status=(
                tenants_v1.TenantStatus.MERGED if merged_into else tenants_v1.TenantStatus.ACTIVE
            ),
            senders={"sms": brands[tenant]},
            merged_into=merged_into,
            revision=revision,
        )

    async with httpx.AsyncClient(base_url=rig.notify.url, timeout=10) as client:
        for tenant in (a, c):
            r = await client.put(
                f"/api/v1/communes/{tenant}/notify-settings",
                json={
                    "unit_name_vi": names[tenant],
                    "quiet_hours": {"start": "00:00", "end": "00:00"},
                    "sms": {"url": sms_url, "token_ref": "env:MOTCUA_IT_SMS_TOKEN"},
                    "rules": [
                        {"kind": kind, "chain": ["sms", "letter"]}
                        for kind in ("receipt_confirmation", "supplement_request")
                    ],
                },
                headers=operator,
            )
            assert r.status_code == 200, r.text
    await rig.publish(*(rig.envelope(profile(t, 1), None, tenant_id=t) for t in (a, c)))

    async def sms_for(code: str, count: int = 1) -> list[Any]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = [
                r for r in rig.gateway.seen("sms") if code in r.body["text"] and r.answered == "ok"
            ]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.2)
        raise AssertionError(f"no SMS about {code}: {[r.body for r in rig.gateway.seen('sms')]}")

    await asyncio.sleep(1.0)  # the profiles first (another topic, no order between them)
    d_a, d_c = rig.dossier(), rig.dossier()
    await rig.publish(
        rig.envelope(received(code="000.22.38.H50-251007-0201"), d_a, tenant_id=a),
        rig.envelope(received(code="000.22.38.H50-251007-0202"), d_c, tenant_id=c),
    )
    [to_a] = await sms_for("000.22.38.H50-251007-0201")
    [to_c] = await sms_for("000.22.38.H50-251007-0202")
    for sent, own, other in ((to_a, a, c), (to_c, c, a)):
        assert sent.body["sender"] == brands[own]
        assert names[own] in sent.body["text"] and names[other] not in sent.body["text"]

    # A merges into C; intake moves the open dossier; its result is ready at C's desk.
    rig.gateway.missing[d_a] = ["Tờ khai đăng ký khai sinh"]  # read at send time (issue 17)
    await rig.publish(rig.envelope(profile(a, 2, merged_into=c), None, tenant_id=a))
    await asyncio.sleep(1.0)
    await rig.publish(
        rig.envelope(
            dossiers_v1.DossierReassigned(
                dossier_code="000.22.38.H50-251007-0201",
                from_tenant_id=a,
                to_tenant_id=c,
                reassigned_at=datetime.now(UTC),
                receiving_tenant_id=c,
                resolving_tenant_id=c,
            ),
            d_a,
            tenant_id=c,
        ),
        # A late event still naming A (produced just before its producer saw the merger).
        rig.envelope(
            dossiers_v1.SupplementRequested(
                dossier_code="000.22.38.H50-251007-0201",
                requested_at=datetime.now(UTC),
                missing_items=["Tờ khai đăng ký khai sinh"],
            ),
            d_a,
            tenant_id=a,
        ),
    )
    [_, after] = await sms_for("000.22.38.H50-251007-0201", count=2)
    assert after.body["sender"] == brands[c]
    assert names[c] in after.body["text"] and names[a] not in after.body["text"]


def _pdf_text(pdf: bytes) -> str:
    import unicodedata

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "\n".join(p.extract_text() or "" for p in pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


async def test_the_ceremony_invitation_states_date_time_and_place_once_per_schedule(
    rig: Rig,
) -> None:
    dossier = rig.dossier()
    code = "000.22.38.H50-251007-0121"
    at = datetime(2025, 10, 9, 8, 30, tzinfo=VN)  # a Thursday
    first = ceremony_scheduled(at, "Hội trường UBND xã Chiềng Khương").model_copy(
        update={"dossier_code": code}
    )
    scheduled = rig.envelope(first, dossier)
    await rig.publish(rig.envelope(received(channel="online", code=code), dossier), scheduled)
    await rig.publish(scheduled, rig.envelope(first, dossier))  # redelivered, re-published
    notes = await rig.settled(dossier, "receipt_confirmation", *CEREMONY_KINDS)
    assert len(notes) == 3

    def invitations() -> list[str]:
        return [
            m.get_content()
            for m in rig.smtp.messages
            if m["Subject"].startswith("Giấy mời dự") and code in m.get_content()
        ]

    [mail] = invitations()  # an online dossier: by e-mail first
    assert "Thời gian: 08 giờ 30, thứ Năm, ngày 09/10/2025." in mail
    assert "Địa điểm: Hội trường UBND xã Chiềng Khương." in mail

    async with httpx.AsyncClient(base_url=rig.notify.url, timeout=10) as client:
        queue = (
            await client.get(f"/api/v1/communes/{rig.tenant}/print-queue", headers=rig.headers())
        ).json()
        [job] = [
            j for j in queue if j["kind"] == "ceremony_invitation" and j["dossier_id"] == dossier
        ]
        pdf = await client.get(
            f"/api/v1/communes/{rig.tenant}/print-queue/{job['delivery_id']}/pdf",
            headers=rig.headers(),
        )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    letter = _pdf_text(pdf.content)
    assert "GIẤY MỜI" in letter and "Lễ trao Giấy khai sinh" in letter
    assert "08 giờ 30, thứ Năm, ngày 09/10/2025" in letter
    assert "Hội trường UBND xã Chiềng Khương" in letter

    # The desk moves the ceremony: the family is told once more, with the new schedule.
    moved = first.model_copy(
        update={
            "ceremony_at": at + timedelta(days=1, hours=6),
            "place_vi": "Nhà văn hóa bản Nà Ngà",
            "schedule_revision": 2,
        }
    )
    await rig.publish(rig.envelope(moved, dossier))
    notes = await rig.settled(dossier, "receipt_confirmation", *CEREMONY_KINDS, count=5)
    assert len(notes) == 5
    await asyncio.sleep(1.5)  # room for a duplicate to show up, if there were one
    assert len(await rig.settled(dossier, "receipt_confirmation", *CEREMONY_KINDS, count=5)) == 5
    later = [m for m in invitations() if "14 giờ 30" in m]
    assert len(invitations()) == 2 and len(later) == 1
    assert "Nhà văn hóa bản Nà Ngà" in later[0] and "lịch mới" in later[0]
