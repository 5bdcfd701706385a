"""Fakes and builders for notify's tests and benchmark (never used in production code)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from motcua_contracts.codec import encode
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import clock_v1, clock_v2, dossiers_v1
from motcua_contracts.events.common import Channel as IntakeChannel
from motcua_contracts.registry import spec_of
from motcua_platform.auth.roles import STAFF, Role
from motcua_platform.clock import FixedClock
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import ServiceRuntime
from notify.application.dispatch import Dispatcher
from notify.application.ports import Contact, ContactUnavailable, Outgoing, SendError, SendReceipt
from notify.domain.kinds import Channel
from notify.domain.retry import SendFailure
from notify.domain.tenant_settings import TenantSettings
from pydantic import BaseModel

from motcua_testkit.platform import RecordingPublisher

# 07 Oct 2025, 09:00 in Sơn La: a working morning outside quiet hours.
MORNING = datetime(2025, 10, 7, 2, 0, tzinfo=UTC)


@dataclass
class FakeContacts:
    """Intake's contact endpoint as a dict; `fail` makes it answer like an outage."""

    by_dossier: dict[str, Contact] = field(default_factory=dict)
    default: Contact = field(
        default_factory=lambda: Contact(
            phone="0912345678",
            email="hoa.lo@example.vn",
            full_name="Lò Thị Hoa",
            address="Bản Hìn, xã Chiềng Khương, tỉnh Sơn La",
        )
    )
    fail: SendFailure | None = None
    calls: list[tuple[str, Channel, str]] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)  # the commune each call was made as
    # Form 02's list as intake keeps it (SupplementRequested v2 carries only the count).
    items: list[str] = field(
        default_factory=lambda: ["Giấy chứng sinh (bản chính)", "Tờ khai có chữ ký"]
    )
    item_calls: list[tuple[str, str]] = field(default_factory=list)

    async def missing_items(self, *, tenant_id: str, dossier_id: str) -> list[str]:
        self.item_calls.append((tenant_id, dossier_id))
        if self.fail is not None:
            raise ContactUnavailable(self.fail)
        return list(self.items)

    async def contact(
        self, *, tenant_id: str, dossier_id: str, channel: Channel, purpose: str
    ) -> Contact:
        self.calls.append((dossier_id, channel, purpose))
        self.tenants.append(tenant_id)
        if self.fail is not None:
            raise ContactUnavailable(self.fail)
        return self.by_dossier.get(dossier_id, self.default)


@dataclass
class ScriptedProvider:
    """A provider that fails as told, then succeeds; records what it accepted."""

    channel: Channel
    failures: list[SendFailure] = field(default_factory=list)
    always: SendFailure | None = None
    sent: list[Outgoing] = field(default_factory=list)
    settings_used: list[TenantSettings] = field(default_factory=list)  # beside `sent`
    rate_per_second: float = 1000.0

    @property
    def name(self) -> str:
        return f"fake_{self.channel}"

    def endpoint(self, settings: TenantSettings) -> str:
        return f"fake://{self.channel}"

    def rate(self, settings: TenantSettings) -> float:
        return self.rate_per_second

    async def send(self, message: Outgoing, settings: TenantSettings) -> SendReceipt:
        if self.always is not None:
            raise SendError(self.always)
        if self.failures:
            raise SendError(self.failures.pop(0))
        self.sent.append(message)
        self.settings_used.append(settings)
        return SendReceipt(f"fake_{self.channel}", f"m-{len(self.sent)}")


TEST_SECRET_ENV_NAMES = (
    "MOTCUA_TEST_SMS_TOKEN",
    "MOTCUA_TEST_ZALO_TOKEN",
    "MOTCUA_TEST_CALLBACK",
    "MOTCUA_SMS_TOKEN_CK",
)


def settings_with_all_channels(**extra: Any) -> TenantSettings:
    """Every channel configured (secrets by reference; fakes never resolve them)."""
    from notify.domain.kinds import Kind

    return TenantSettings.model_validate(
        {
            "unit_name_vi": "Xã Chiềng Khương",
            "email": {"host": "127.0.0.1", "port": 2525, "from_address": "motcua@chiengkhuong.vn"},
            "sms": {"url": "http://127.0.0.1:9/sms", "token_ref": "env:MOTCUA_TEST_SMS_TOKEN"},
            "zalo": {
                "url": "http://127.0.0.1:9/zns",
                "access_token_ref": "env:MOTCUA_TEST_ZALO_TOKEN",
                "templates": {k.value: f"zns-{k.value}" for k in Kind},
            },
            "ceremony_slots": ["Thứ Hai 08:00", "Thứ Năm 14:00"],
            "signer": {"name": "Lường Văn Thắng"},
            **extra,
        }
    )


def envelope(
    payload: BaseModel,
    *,
    tenant_id: str,
    dossier_id: str | None,
    occurred_at: datetime = MORNING,
    event_id: uuid.UUID | None = None,
    producer: str = "intake",
    schema_version: int | None = None,  # default: the payload model's registered version
) -> EventEnvelope:
    return EventEnvelope(
        event_id=event_id or uuid.uuid4(),
        event_type=type(payload).__name__,
        schema_version=schema_version or spec_of(type(payload)).schema_version,
        occurred_at=occurred_at,
        tenant_id=tenant_id,
        dossier_id=dossier_id,
        producer=producer,
        payload=payload.model_dump(mode="json"),
    )


def inbound(env: EventEnvelope) -> InboundMessage:
    wire = encode(env)
    return InboundMessage(wire.topic, wire.key, wire.value, wire.headers)


def received(
    *,
    procedure_code: str = "1.001193",
    channel: str = "counter",
    at: datetime = MORNING,
    code: str = "000.22.38.H50-251007-0001",
) -> dossiers_v1.DossierReceived:
    return dossiers_v1.DossierReceived(
        dossier_code=code,
        procedure_code=procedure_code,
        procedure_version="2",
        field_code="ho_tich",
        channel=IntakeChannel(channel),
        received_at=at,
        due_at=at + timedelta(hours=6),
        receiving_tenant_id="t",
        resolving_tenant_id="t",
    )


def result_ready(
    practices: Sequence[str], *, procedure_code: str = "1.001193", approved: bool = True
) -> dossiers_v1.ResultReady:
    return dossiers_v1.ResultReady(
        dossier_code="000.22.38.H50-251007-0001",
        ready_at=MORNING + timedelta(hours=3),
        outcome=dossiers_v1.DecisionOutcome.APPROVED
        if approved
        else dossiers_v1.DecisionOutcome.REJECTED,
        procedure_code=procedure_code,
        procedure_version="2",
        practices=list(practices),
    )


def ceremony_scheduled(
    at: datetime, place: str = "Hội trường Ủy ban nhân dân xã", *, revision: int = 1
) -> dossiers_v1.CeremonyScheduled:
    return dossiers_v1.CeremonyScheduled(
        dossier_code="000.22.38.H50-251007-0001",
        occasion=dossiers_v1.CeremonyOccasion.BIRTH,
        ceremony_at=at,
        place_vi=place,
        schedule_revision=revision,
        scheduled_at=MORNING + timedelta(hours=4),
        ready_at=MORNING + timedelta(hours=3),
    )


def apology(old_due: datetime, new_due: datetime) -> clock_v1.ApologyIssued:
    return clock_v1.ApologyIssued(
        dossier_code="000.22.38.H50-251007-0001",
        issued_at=old_due - timedelta(days=1),
        issued_by="cb-01",
        reason_code=clock_v1.ApologyReason.VERIFICATION,
        old_due_at=old_due,
        new_due_at=new_due,
        late=False,
    )


def apology_v2(old_due: datetime, new_due: datetime, reason_vi: str) -> clock_v2.ApologyIssued:
    """The apology as workflow publishes it since v2: with the leader's own reason."""
    v1 = apology(old_due, new_due)
    return clock_v2.ApologyIssued(**v1.model_dump(), reason_vi=reason_vi)


def consumer_for(runtime: ServiceRuntime) -> IdempotentConsumer:
    """The platform's idempotent consumer over notify's handlers, as in production."""
    assert runtime.inbox is not None
    handlers: dict[str, Any] = {}
    for sub in runtime.subscriptions:
        handlers.update(sub.handlers)
    return IdempotentConsumer(
        service="notify",
        consumer="notify",
        session_factory=runtime.sessions,
        inbox=runtime.inbox,
        handlers=handlers,
        dead_letters=RecordingPublisher(),
        max_attempts=2,
        base_backoff_seconds=0.001,
    )


async def drain(runtime: ServiceRuntime, rounds: int = 50) -> int:
    """Run the dispatcher until nothing is due (the fixed clock does not move by itself)."""
    assert runtime.app is not None
    dispatcher: Dispatcher = runtime.app.state.dispatcher
    total = 0
    for _ in range(rounds):
        done = await dispatcher.dispatch_once()
        total += done
        if done == 0:
            return total
        await asyncio.sleep(0)
    return total


def tmp_sqlite(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path / 'notify.db'}"


TENANT = "chieng-khuong"
DOSSIER = "0d6c7a3e-0000-4000-8000-000000000001"


@dataclass
class Notify:
    """Notify on SQLite with fakes for intake and the providers, and a clock that waits."""

    runtime: ServiceRuntime
    clock: FixedClock
    contacts: FakeContacts
    providers: dict[Channel, ScriptedProvider]
    consumer: IdempotentConsumer
    client: httpx.AsyncClient
    keys: Path

    def headers(self, role: str = Role.CLERK, tenant: str | None = TENANT) -> dict[str, str]:
        from motcua_platform.auth import dev_tokens

        scoped = tenant if role in STAFF else None
        return {"Authorization": f"Bearer {dev_tokens.mint(role, scoped, keys=self.keys)}"}

    async def configure(
        self, settings: TenantSettings | None = None, *, tenant_id: str = TENANT
    ) -> None:
        from notify.adapters import store

        async with self.runtime.sessions() as session, session.begin():
            await store.save_settings(
                session,
                tenant_id,
                settings or settings_with_all_channels(),
                by="test",
                now=self.clock.now(),
            )

    async def deliver(
        self, payload: BaseModel, dossier_id: str | None, *, tenant_id: str = TENANT, **kw: Any
    ) -> EventEnvelope:
        env = envelope(payload, tenant_id=tenant_id, dossier_id=dossier_id, **kw)
        await self.consumer.handle(inbound(env))
        return env


@asynccontextmanager
async def make_notify(tmp_path: Path, keys: Path, **overrides: Any) -> AsyncIterator[Notify]:
    from motcua_platform.rate_limit import TokenBuckets
    from notify.bootstrap import build_runtime
    from notify.settings import NotifySettings

    clock = FixedClock(MORNING)
    contacts = FakeContacts()
    providers = {c: ScriptedProvider(c) for c in (Channel.EMAIL, Channel.SMS, Channel.ZALO)}
    values: dict[str, Any] = {
        "database_url": tmp_sqlite(tmp_path),
        "environment": "test",
        "dev_keys_dir": str(keys),
        "retry_base_seconds": 1.0,
        "retry_cap_seconds": 4.0,
        "max_attempts": 3,
        "letter_max_attempts": 2,
        "morning_spread_seconds": 0,
        "public_base_url": "https://dichvucong.sonla.gov.vn",
        # What this test deployment declares (issue 17): the references and hosts the
        # helpers and tests use; anything else is refused.
        "secret_env_names": ",".join(TEST_SECRET_ENV_NAMES),
        "gateway_hosts": "127.0.0.1,sms.example",
    }
    runtime = build_runtime(
        NotifySettings(**(values | overrides)),
        clock=clock,
        contacts=contacts,
        providers=providers,  # type: ignore[arg-type]
        limiter=TokenBuckets(lambda: clock.now().timestamp()),
    )
    await runtime.migrate()
    assert runtime.app is not None
    transport = httpx.ASGITransport(app=runtime.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
        n = Notify(runtime, clock, contacts, providers, consumer_for(runtime), client, keys)
        await n.configure()
        yield n
    await runtime.close()
