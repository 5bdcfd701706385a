"""Send one claimed delivery through its channel and say what came of it (the outcome).

No database here: the dispatcher gives the unit and the dossier's view, the ledger records
what `decide` makes of the outcome. A letter is not rendered here: it enters the print queue
as data and is rendered when a clerk prints it; each template version is checked once per
process by rendering one letter of it (a template that cannot make a letter fails at once).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import jinja2
from motcua_platform.clock import Clock

from notify.application.compose import Composed, Composer, TemplateMissing
from notify.application.context import MissingFacts
from notify.application.decide import Failed, Hold, Outcome, PrintQueued, Sent
from notify.application.ports import (
    Claimed,
    ContactUnavailable,
    LetterRenderer,
    Outgoing,
    Provider,
    RateLimiter,
    SendError,
)
from notify.application.send_tracing import provider_span, record_outcome
from notify.application.views import DossierView, TenantView
from notify.domain.errors import Invalid
from notify.domain.kinds import Channel, Kind
from notify.domain.letters import Letter
from notify.domain.quiet_hours import hold_until
from notify.domain.retry import SendFailure
from notify.domain.vocabulary import local

log = logging.getLogger(__name__)

APOLOGY_KINDS = frozenset({Kind.APOLOGY_NOTICE, Kind.APOLOGY_MESSAGE})


@dataclass
class Sender:
    clock: Clock
    composer: Composer
    providers: Mapping[Channel, Provider]
    letters: LetterRenderer
    limiter: RateLimiter
    morning_spread_seconds: float = 900.0
    rng: Callable[[], float] = random.random
    _checks: dict[tuple[Any, ...], asyncio.Future[bool]] = field(default_factory=dict)

    async def attempt(self, c: Claimed, tenant: TenantView, dossier: DossierView | None) -> Outcome:
        now = self.clock.now()
        kind, channel = Kind(c.kind), c.channel
        settings = tenant.send_settings
        provider = self.providers.get(channel)
        if channel is not Channel.LETTER:
            if provider is None or not settings.configured(channel):
                return Failed(SendFailure("channel.not_configured", permanent=True))
            hold = hold_until(
                channel, now, settings.quiet_hours.to_domain(), about_day=_about_day(c, kind)
            )
            if hold is not None:
                spread = timedelta(seconds=self.morning_spread_seconds * self.rng())
                return Hold(hold + spread)
            rate = provider.rate(settings)
            # The burst is one second's worth: a commune's backlog never bursts a provider.
            wait = self.limiter.take(
                f"{channel}:{provider.endpoint(settings)}", rate, burst=max(1.0, rate)
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

        if channel is Channel.LETTER:
            if not await self._letter_checked(composed, c, tenant, local(now).date()):
                return Failed(SendFailure("letter.render_error", permanent=True))
            return PrintQueued(tenant.tenant_id)

        assert provider is not None
        outgoing = Outgoing(
            delivery_id=c.delivery_id,
            tenant_id=tenant.tenant_id,
            channel=channel,
            kind=kind.value,
            body=composed.rendered.body,
            subject=composed.rendered.subject,
            to=composed.contact.email if channel is Channel.EMAIL else composed.contact.phone,
            params=_zalo_params(composed.context) if channel is Channel.ZALO else {},
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

    async def _letter_checked(
        self, composed: Composed, c: Claimed, tenant: TenantView, day: date
    ) -> bool:
        """Renders one letter per template version and process (in a worker thread); the
        others of that version go to the print queue as data, rendered when printed. A
        version whose letter failed is checked again with the next one."""
        t = composed.template
        key = (tenant.tenant_id, c.kind, t.edition, t.version, t.subject, t.body) if t else None
        check = self._checks.get(key) if key is not None else None
        if check is None:
            letter = self.composer.letter(composed, c, tenant, number="…", day=day)
            check = asyncio.ensure_future(self._render_ok(letter, c.delivery_id))
            if key is not None:
                self._checks[key] = check
        ok = await asyncio.shield(check)
        if not ok and key is not None and self._checks.get(key) is check:
            del self._checks[key]
        return ok

    async def _render_ok(self, letter: Letter, delivery_id: str) -> bool:
        try:
            await asyncio.to_thread(self.letters.render, letter)
        except Exception:
            log.exception("letter could not be produced", extra={"delivery_id": delivery_id})
            return False
        return True


def _about_day(c: Claimed, kind: Kind) -> date | None:
    """The day an apology is about: quiet hours must not make it arrive too late."""
    if kind in APOLOGY_KINDS and c.facts.get("old_due_at"):
        return local(datetime.fromisoformat(str(c.facts["old_due_at"]))).date()
    return None


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
