"""What the use cases need from the outside world; adapters and test fakes implement them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel

from notify.application.views import DossierView, TenantView
from notify.domain.kinds import Channel
from notify.domain.retry import SendFailure
from notify.domain.tenant_settings import TenantSettings


@dataclass(frozen=True)
class Contact:
    """Only what one send needs, fetched at send time and never stored."""

    phone: str | None = None
    email: str | None = None
    full_name: str | None = None
    address: str | None = None
    lookup_url: str | None = None

    def __repr__(self) -> str:  # never let an address slip into a log line
        return "Contact(<hidden>)"


class ContactUnavailable(Exception):
    def __init__(self, failure: SendFailure) -> None:
        super().__init__(failure.code)
        self.failure = failure


class ContactDirectory(Protocol):
    async def contact(
        self, *, tenant_id: str, dossier_id: str, channel: Channel, purpose: str
    ) -> Contact:
        """The dossier's contact, asked for as the commune `tenant_id` (the token is that
        commune's). Raises ContactUnavailable (temporary or permanent)."""
        ...

    async def missing_items(self, *, tenant_id: str, dossier_id: str) -> list[str]:
        """Form 02's list of missing documents (free text, never in events), asked for as
        the commune `tenant_id`. Raises ContactUnavailable (temporary or permanent)."""
        ...


@dataclass(frozen=True)
class Outgoing:
    """One rendered message for one channel."""

    delivery_id: str
    tenant_id: str
    channel: Channel
    kind: str
    body: str
    subject: str | None = None
    to: str | None = None  # phone or e-mail
    params: dict[str, str] = field(default_factory=dict)  # Zalo template data

    def __repr__(self) -> str:
        return f"Outgoing({self.delivery_id}, {self.channel})"


@dataclass(frozen=True)
class SendReceipt:
    provider: str
    provider_message_id: str | None = None


class SendError(Exception):
    def __init__(self, failure: SendFailure) -> None:
        super().__init__(failure.code)
        self.failure = failure


class Provider(Protocol):
    """Sends one message; raises SendError telling temporary from permanent."""

    channel: Channel
    name: str  # e.g. sms_http, zalo_zns, smtp: the span's notification.provider

    def endpoint(self, settings: TenantSettings) -> str:
        """The provider's identity for rate limiting (URL or SMTP host)."""
        ...

    def rate(self, settings: TenantSettings) -> float: ...

    async def send(self, message: Outgoing, settings: TenantSettings) -> SendReceipt: ...


class SecretResolver(Protocol):
    def resolve(self, ref: str) -> str: ...

    def allows(self, ref: str) -> bool:
        """Whether the deployment declares this reference (checked when settings are saved)."""
        ...


class LetterRenderer(Protocol):
    def render(self, letter: Any) -> bytes: ...


class RateLimiter(Protocol):
    def take(self, key: str, rate: float, burst: float) -> float:
        """0 when a token was taken, else seconds to wait (`TokenBuckets.take`)."""
        ...


# --- the dispatcher's ledger: claim, then record (what to send is decided in between) ------


@dataclass(frozen=True)
class Claimed:
    """One delivery taken for one attempt (leased to this dispatcher)."""

    delivery_id: str
    notification_id: str
    tenant_id: str
    dossier_id: str | None
    channel: Channel
    step: int
    attempts: int  # including this one
    kind: str
    recipient: str
    chain: tuple[Channel, ...]
    facts: dict[str, Any]
    best_effort: bool
    source_event_id: str
    trace_context: dict[str, str] | None = None


@dataclass(frozen=True)
class LetterToNumber:
    """A letter entering the print queue of `tenant_id`: numbered in its register."""

    tenant_id: str
    kind: str
    day: date


@dataclass(frozen=True)
class Changes:
    """What one attempt's outcome writes, decided without the database: the delivery's
    and notification's new values, the next channel's delivery, the letter to number, the
    events to stage and the dead letter, all in one transaction."""

    delivery: dict[str, Any]
    notification: dict[str, Any] | None = None
    next_channel: Channel | None = None
    letter: LetterToNumber | None = None
    events: tuple[BaseModel, ...] = ()
    dead_letter: dict[str, Any] | None = None
    dead_letter_reason: str | None = None


class DeliveryLedger(Protocol):
    async def claim(self, *, now: datetime, limit: int, lease_seconds: float) -> list[Claimed]:
        """Due deliveries and those whose lease ran out, leased to this dispatcher."""
        ...

    async def contexts(
        self, claimed: list[Claimed]
    ) -> dict[str, tuple[TenantView, DossierView | None]]:
        """Per delivery id: the unit that speaks for it now (merged units followed) and its
        dossier's view, read for the whole batch at once."""
        ...

    async def record(self, c: Claimed, changes: Changes, *, now: datetime) -> bool:
        """Writes `changes` if the claim is still ours (False: the lease ran out and another
        dispatcher took over, nothing written)."""
        ...
