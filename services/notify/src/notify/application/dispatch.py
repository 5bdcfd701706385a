"""Use case: send what is due, in four steps: the ledger claims deliveries (SKIP LOCKED,
leased), the sender sends each through its channel (application.send), `decide` turns the
outcome into the writes (its retry rule is the domain's), and the ledger records them with
their event in one transaction.

Retries with backoff and jitter, falls back along the chain, ends in the print queue, and
dead-letters only what cannot even be printed. Provider calls carry the delivery id as an
idempotency key, so a send repeated after a crash can be dropped by the provider.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from motcua_platform.clock import Clock
from motcua_platform.faults import FailureKind, RetryPolicy, StallTracker, classify
from motcua_platform.logs import summarised, summarised_back

from notify.application.decide import Failed, RetryRule, decide
from notify.application.ports import Claimed, DeliveryLedger
from notify.application.send import Sender
from notify.application.views import DossierView, TenantView
from notify.domain.retry import SendFailure

log = logging.getLogger(__name__)

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


@dataclass
class Dispatcher:
    ledger: DeliveryLedger
    sender: Sender
    clock: Clock
    config: DispatchConfig = field(default_factory=DispatchConfig)
    rng: Callable[[], float] = random.random
    after_commit: Callable[[], None] = lambda: None
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    _stall: StallTracker = field(default_factory=lambda: StallTracker("notify", "dispatcher"))
    _stall_attempts: int = 0

    @property
    def rule(self) -> RetryRule:
        cfg = self.config
        return RetryRule(
            max_attempts=cfg.max_attempts,
            letter_max_attempts=cfg.letter_max_attempts,
            base_seconds=cfg.retry_base_seconds,
            cap_seconds=cfg.retry_cap_seconds,
        )

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
        claimed = await self.ledger.claim(
            now=self.clock.now(),
            limit=self.config.batch_size,
            lease_seconds=self.config.lease_seconds,
        )
        if not claimed:
            return 0
        gate = asyncio.Semaphore(self.config.concurrency)
        contexts = await self.ledger.contexts(claimed)
        rule = self.rule

        async def one(c: Claimed) -> None:
            async with gate:
                tenant, dossier = contexts[c.delivery_id]
                await self._process(c, tenant, dossier, rule)

        await asyncio.gather(*(one(c) for c in claimed))
        self.after_commit()
        return len(claimed)

    async def _process(
        self, c: Claimed, tenant: TenantView, dossier: DossierView | None, rule: RetryRule
    ) -> None:
        try:
            outcome = await self.sender.attempt(c, tenant, dossier)
        except Exception as exc:  # a bug must not lose the message: retry, then fall back
            if classify(exc) is FailureKind.TRANSIENT:
                # The infrastructure, not this message: no attempt is spent; the claim's
                # lease ends and the message is taken again once the fault is over.
                raise
            log.exception("delivery attempt crashed", extra={"delivery_id": c.delivery_id})
            outcome = Failed(SendFailure(f"internal.{type(exc).__name__}"[:60], permanent=False))
        now = self.clock.now()
        changes = decide(c, outcome, now=now, rule=rule, jitter=self.rng())
        recorded = await self.ledger.record(c, changes, now=now)
        if recorded and changes.dead_letter is not None:
            log.error(
                "notification dead-lettered",
                extra={
                    "notification_id": c.notification_id,
                    "error_code": changes.dead_letter_reason,
                },
            )
