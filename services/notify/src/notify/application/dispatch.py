"""Use case: send what is due. The dispatcher claims deliveries (SKIP LOCKED), sends each
through its channel, and records the outcome with its event in one transaction.

Retries with backoff and jitter, falls back along the chain, ends in the print queue, and
dead-letters only what cannot even be printed. Provider calls carry the delivery id as an
idempotency key, so a send repeated after a crash can be dropped by the provider.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jinja2
from motcua_contracts.events.notifications_v1 import (
    NotificationChannel,
    NotificationFailed,
    NotificationSent,
)
from motcua_platform.clock import Clock
from motcua_platform.faults import FailureKind, RetryPolicy, StallTracker, classify
from motcua_platform.logs import summarised, summarised_back
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters import events, store
from notify.adapters.store import Claimed
from notify.application.compose import Composer, TemplateMissing
from notify.application.context import MissingFacts
from notify.application.ports import (
    ContactUnavailable,
    LetterRenderer,
    Outgoing,
    Provider,
    RateLimiter,
    SendError,
    SendReceipt,
)
from notify.application.send_tracing import provider_span, record_outcome
from notify.application.views import DossierView, TenantView
from notify.domain.errors import Invalid
from notify.domain.kinds import Channel, DeliveryStatus, Kind, NotificationStatus
from notify.domain.quiet_hours import hold_until
from notify.domain.retry import SendFailure, after_failure
from notify.domain.vocabulary import local

log = logging.getLogger(__name__)

APOLOGY_KINDS = frozenset({Kind.APOLOGY_NOTICE, Kind.APOLOGY_MESSAGE})

SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class DispatchConfig:
    public_base_url: str = "http://127.0.0.1:8001"
    batch_size: int = 64
    concurrency: int = 32
    poll_seconds: float = 0.2
    lease_seconds: float = 120.0
    retry_base_seconds: float = 30.0
    retry_cap_seconds: float = 3600.0
    max_attempts: int = 5
    letter_max_attempts: int = 8
    morning_spread_seconds: float = 900.0
    dead_letter_group: str = "notify"


@dataclass(frozen=True)
class Hold:
    until: datetime


@dataclass(frozen=True)
class Sent:
    receipt: SendReceipt


@dataclass(frozen=True)
class PrintQueued:
    pass


@dataclass(frozen=True)
class Failed:
    failure: SendFailure


Outcome = Hold | Sent | PrintQueued | Failed


@dataclass
class Dispatcher:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    composer: Composer
    providers: Mapping[Channel, Provider]
    letters: LetterRenderer
    limiter: RateLimiter
    config: DispatchConfig = field(default_factory=DispatchConfig)
    rng: Callable[[], float] = random.random
    after_commit: Callable[[], None] = lambda: None
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    _stall: StallTracker = field(default_factory=lambda: StallTracker("notify", "dispatcher"))
    _stall_attempts: int = 0

    def nudge(self) -> None:
        self._wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        """The `timers` role's loop: drain what is due, then wait for a nudge or the poll."""
        while not stop.is_set():
            # A round is never cut in half: on shutdown it finishes its sends (each bounded
            # by the provider's timeout) and commits, before the engine is disposed.
            round_ = asyncio.ensure_future(self._round())
            try:
                done = await asyncio.shield(round_)
            except asyncio.CancelledError:
                # Bounded: a round stuck past the grace period is abandoned; its claims are
                # leased, so another dispatcher takes them over and nothing is lost.
                await asyncio.wait([round_], timeout=SHUTDOWN_GRACE_SECONDS)
                if not round_.done():
                    round_.cancel()
                raise
            if done >= self.config.batch_size:
                continue
            self._wakeup.clear()
            waiters = [
                asyncio.ensure_future(stop.wait()),
                asyncio.ensure_future(self._wakeup.wait()),
            ]
            try:
                await asyncio.wait(
                    waiters, timeout=self.config.poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for w in waiters:
                    w.cancel()

    async def _round(self) -> int:
        """One round; a transient fault (database away) stalls the dispatcher: it backs off
        with the platform's policy, logs a summary rather than a line per round, and the
        leased claims come back once the lease ends (nothing counted as a failed send)."""
        try:
            done = await self.dispatch_once()
        except Exception as exc:
            if classify(exc) is not FailureKind.TRANSIENT:
                log.exception("dispatch round failed")
                return 0
            self._stall_attempts += 1
            summarised(log, "notify dispatcher", exc)
            self._stall.stalled()
            await asyncio.sleep(self.retry_policy.delay(self._stall_attempts))
            return 0
        if self._stall_attempts:
            summarised_back(log, "notify dispatcher")
            self._stall.recovered()
            self._stall_attempts = 0
        return done

    async def dispatch_once(self) -> int:
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            claimed = await store.claim_due(
                session,
                now=now,
                limit=self.config.batch_size,
                lease_seconds=self.config.lease_seconds,
            )
        if not claimed:
            return 0
        gate = asyncio.Semaphore(self.config.concurrency)
        views: dict[str, TenantView] = {}

        async def one(c: Claimed) -> None:
            async with gate:
                await self._process(c, views)

        await asyncio.gather(*(one(c) for c in claimed))
        self.after_commit()
        return len(claimed)

    async def _process(self, c: Claimed, views: dict[str, TenantView]) -> None:
        async with self.sessions() as session:
            # A message queued for a unit merged since then goes out in its successor's name.
            tenant = views.get(c.tenant_id) or await store.resolve_tenant(session, c.tenant_id)
            views[c.tenant_id] = tenant
            dossier = await store.get_dossier(session, c.dossier_id)
        try:
            outcome = await self._attempt(c, tenant, dossier)
        except Exception as exc:  # a bug must not lose the message: retry, then fall back
            if classify(exc) is FailureKind.TRANSIENT:
                # The infrastructure, not this message: no attempt is spent; the claim's
                # lease ends and the message is taken again once the fault is over.
                raise
            log.exception("delivery attempt crashed", extra={"delivery_id": c.delivery_id})
            outcome = Failed(SendFailure(f"internal.{type(exc).__name__}"[:60], permanent=False))
        await self._record(c, outcome, tenant)

    # --- one attempt ----------------------------------------------------------------------

    async def _attempt(
        self, c: Claimed, tenant: TenantView, dossier: DossierView | None
    ) -> Outcome:
        now = self.clock.now()
        kind, channel = Kind(c.kind), c.channel
        settings = tenant.send_settings
        provider = self.providers.get(channel)
        if channel is not Channel.LETTER:
            if provider is None or not settings.configured(channel):
                return Failed(SendFailure("channel.not_configured", permanent=True))
            hold = hold_until(
                channel, now, settings.quiet_hours.to_domain(), about_day=self._about_day(c, kind)
            )
            if hold is not None:
                spread = timedelta(seconds=self.config.morning_spread_seconds * self.rng())
                return Hold(hold + spread)
            wait = self.limiter.acquire(
                f"{channel}:{provider.endpoint(settings)}", provider.rate(settings)
            )
            if wait > 0:
                return Hold(now + timedelta(seconds=wait))
        try:
            composed = await self.composer.compose(c, tenant, dossier)
        except ContactUnavailable as exc:
            return Failed(exc.failure)
        except MissingFacts:
            return Failed(SendFailure("dossier.unknown", permanent=False))
        except TemplateMissing:
            return Failed(SendFailure("template.missing", permanent=True))
        except Invalid as exc:  # past the template's limits (time, memory, output, depth)
            return Failed(SendFailure(exc.code, permanent=True))
        except (jinja2.TemplateError, KeyError, TypeError, ValueError):
            return Failed(SendFailure("template.render_error", permanent=True))
        contact, rendered, context = composed.contact, composed.rendered, composed.context

        if channel is Channel.LETTER:
            letter = self.composer.letter(composed, c, tenant, number="…", day=local(now).date())
            try:
                await asyncio.to_thread(self.letters.render, letter)
            except Exception:
                log.exception("letter could not be produced", extra={"delivery_id": c.delivery_id})
                return Failed(SendFailure("letter.render_error", permanent=True))
            return PrintQueued()

        assert provider is not None
        outgoing = Outgoing(
            delivery_id=c.delivery_id,
            tenant_id=tenant.tenant_id,
            channel=channel,
            kind=kind.value,
            body=rendered.body,
            subject=rendered.subject,
            to=contact.email if channel is Channel.EMAIL else contact.phone,
            params=_zalo_params(context) if channel is Channel.ZALO else {},
        )
        with provider_span(c, provider.name) as span:
            try:
                receipt = await provider.send(outgoing, settings)
            except SendError as exc:
                record_outcome(span, "failed", exc.failure.code)
                return Failed(exc.failure)
            except Exception as exc:
                # The provider's fault, not our infrastructure's (even a connection error):
                # a failed attempt, retried with the channel's backoff.
                code = f"internal.{type(exc).__name__}"[:60]
                record_outcome(span, "failed", code)
                log.exception("provider call crashed", extra={"delivery_id": c.delivery_id})
                return Failed(SendFailure(code, permanent=False))
            record_outcome(span, "sent")
            return Sent(receipt)

    def _about_day(self, c: Claimed, kind: Kind) -> Any:
        """The day an apology is about: quiet hours must not make it arrive too late."""
        if kind in APOLOGY_KINDS and c.facts.get("old_due_at"):
            return local(datetime.fromisoformat(str(c.facts["old_due_at"]))).date()
        return None

    # --- recording ------------------------------------------------------------------------

    async def _record(self, c: Claimed, outcome: Outcome, tenant: TenantView) -> None:
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            if not await self._still_ours(session, c):
                return  # the lease ran out and another dispatcher took over
            if isinstance(outcome, Hold):
                await store.update_delivery(
                    session,
                    c.delivery_id,
                    status=DeliveryStatus.QUEUED.value,
                    attempts=c.attempts - 1,
                    next_attempt_at=outcome.until,
                    lease_until=None,
                    updated_at=now,
                )
            elif isinstance(outcome, Sent):
                await self._record_sent(session, c, outcome.receipt, now)
            elif isinstance(outcome, PrintQueued):
                await self._record_print_queued(session, c, tenant.tenant_id, now)
            else:
                await self._record_failure(session, c, outcome.failure, now)

    async def _still_ours(self, session: AsyncSession, c: Claimed) -> bool:
        from sqlalchemy import update

        from notify.adapters.tables import deliveries as d

        result = await session.execute(
            update(d)
            .where(
                d.c.delivery_id == c.delivery_id,
                d.c.status == DeliveryStatus.SENDING.value,
                d.c.attempts == c.attempts,
            )
            .values(lease_until=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _record_sent(
        self, session: AsyncSession, c: Claimed, receipt: SendReceipt, now: datetime
    ) -> None:
        await store.update_delivery(
            session,
            c.delivery_id,
            status=DeliveryStatus.SENT.value,
            sent_at=now,
            provider=receipt.provider,
            provider_message_id=receipt.provider_message_id,
            last_error_code=None,
            updated_at=now,
        )
        await store.update_notification(
            session,
            c.notification_id,
            status=NotificationStatus.SENT.value,
            channel=c.channel.value,
            updated_at=now,
        )
        await self._stage_sent(session, c, now)

    async def _record_print_queued(
        self, session: AsyncSession, c: Claimed, tenant_id: str, now: datetime
    ) -> None:
        from notify.domain.letters import letter_number

        day = local(now).date()
        tenant = await store.load_tenant(session, tenant_id)
        seq = await store.next_letter_number(session, tenant_id, day.year)
        symbols = {k.value: v for k, v in tenant.settings.number_symbols.items()}
        await store.update_delivery(
            session,
            c.delivery_id,
            tenant_id=tenant_id,  # the print queue of the unit that signs the letter
            status=DeliveryStatus.PRINT_QUEUED.value,
            letter_number=letter_number(seq, Kind(c.kind), symbols),
            letter_date=day,
            sent_at=now,
            provider="print_queue",
            last_error_code=None,
            updated_at=now,
        )
        await store.update_notification(
            session, c.notification_id, channel=Channel.LETTER.value, updated_at=now
        )
        await self._stage_sent(session, c, now)

    async def _stage_sent(self, session: AsyncSession, c: Claimed, now: datetime) -> None:
        await events.stage_event(
            session,
            tenant_id=c.tenant_id,
            dossier_id=c.dossier_id,
            occurred_at=now,
            payload=NotificationSent(
                notification_id=c.notification_id,
                source_event_id=c.source_event_id,
                kind=c.kind,
                recipient=c.recipient,
                channel=NotificationChannel(c.channel.value),
                attempts=c.attempts,
                fell_back=c.step > 0,
                sent_at=now,
            ),
        )

    async def _record_failure(
        self, session: AsyncSession, c: Claimed, failure: SendFailure, now: datetime
    ) -> None:
        cfg = self.config
        limit = cfg.letter_max_attempts if c.channel is Channel.LETTER else cfg.max_attempts
        decision = after_failure(
            failure,
            chain=c.chain,
            step=c.step,
            attempts=c.attempts,
            max_attempts=limit,
            now=now,
            base=cfg.retry_base_seconds,
            cap=cfg.retry_cap_seconds,
            jitter=self.rng(),
        )
        if decision.action == "retry":
            await store.update_delivery(
                session,
                c.delivery_id,
                status=DeliveryStatus.QUEUED.value,
                next_attempt_at=decision.at,
                last_error_code=failure.code,
                updated_at=now,
            )
            return
        await store.update_delivery(
            session,
            c.delivery_id,
            status=DeliveryStatus.FAILED.value,
            last_error_code=failure.code,
            updated_at=now,
        )
        final = decision.action == "exhausted"
        dead = final and not c.best_effort
        if final:
            await store.update_notification(
                session,
                c.notification_id,
                status=NotificationStatus.FAILED.value,
                last_error_code=failure.code,
                updated_at=now,
            )
        else:
            assert decision.next_channel is not None
            await store.update_notification(
                session, c.notification_id, last_error_code=failure.code, updated_at=now
            )
            await store.add_delivery(
                session,
                notification_id=c.notification_id,
                tenant_id=c.tenant_id,
                channel=decision.next_channel,
                step=c.step + 1,
                at=now,
            )
        await events.stage_event(
            session,
            tenant_id=c.tenant_id,
            dossier_id=c.dossier_id,
            occurred_at=now,
            payload=NotificationFailed(
                notification_id=c.notification_id,
                source_event_id=c.source_event_id,
                kind=c.kind,
                recipient=c.recipient,
                channel=NotificationChannel(c.channel.value),
                error_code=failure.code,
                permanent=failure.permanent,
                attempts=c.attempts,
                next_channel=(
                    NotificationChannel(decision.next_channel.value)
                    if decision.next_channel
                    else None
                ),
                final=final,
                dead_lettered=dead,
                failed_at=now,
            ),
        )
        if dead:
            log.error(
                "notification dead-lettered",
                extra={"notification_id": c.notification_id, "error_code": failure.code},
            )
            await events.stage_dead_letter(
                session,
                group=cfg.dead_letter_group,
                record={
                    "notification_id": c.notification_id,
                    "tenant_id": c.tenant_id,
                    "dossier_id": c.dossier_id,
                    "kind": c.kind,
                    "recipient": c.recipient,
                    "source_event_id": c.source_event_id,
                    "dead_lettered_at": now.isoformat(),
                },
                reason=failure.code,
            )


def _zalo_params(context: dict[str, Any]) -> dict[str, str]:
    """ZNS template data: flat strings (Zalo templates take named text parameters)."""
    out: dict[str, str] = {}
    for key, value in context.items():
        if isinstance(value, list):
            out[key] = "; ".join(v if isinstance(v, str) else v.get("code", "") for v in value)
        elif isinstance(value, bool):
            continue
        else:
            out[key] = str(value)
    return out
