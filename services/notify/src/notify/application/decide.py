"""Decide what one attempt's outcome writes: pure, no database, no clock of its own.

The retry rule itself is the domain's (`notify.domain.retry.after_failure`); this turns an
outcome into the ledger's `Changes` (row values, the next channel, the letter to number,
the events and the dead letter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua_contracts.events.notifications_v1 import (
    NotificationChannel,
    NotificationFailed,
    NotificationSent,
)

from notify.application.ports import Changes, Claimed, LetterToNumber, SendReceipt
from notify.domain.kinds import Channel, DeliveryStatus, NotificationStatus
from notify.domain.retry import SendFailure, after_failure
from notify.domain.vocabulary import local


@dataclass(frozen=True)
class Hold:
    until: datetime


@dataclass(frozen=True)
class Sent:
    receipt: SendReceipt


@dataclass(frozen=True)
class PrintQueued:
    tenant_id: str  # the unit whose print desk takes the letter (a merged unit's successor)


@dataclass(frozen=True)
class Failed:
    failure: SendFailure


Outcome = Hold | Sent | PrintQueued | Failed


@dataclass(frozen=True)
class RetryRule:
    max_attempts: int = 5
    letter_max_attempts: int = 8
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0


def decide(
    c: Claimed, outcome: Outcome, *, now: datetime, rule: RetryRule, jitter: float
) -> Changes:
    if isinstance(outcome, Hold):  # not an attempt: it goes back unspent
        return Changes(
            delivery={
                "status": DeliveryStatus.QUEUED.value,
                "attempts": c.attempts - 1,
                "next_attempt_at": outcome.until,
                "lease_until": None,
                "updated_at": now,
            }
        )
    if isinstance(outcome, Sent):
        return Changes(
            delivery={
                "status": DeliveryStatus.SENT.value,
                "sent_at": now,
                "provider": outcome.receipt.provider,
                "provider_message_id": outcome.receipt.provider_message_id,
                "last_error_code": None,
                "updated_at": now,
            },
            notification={
                "status": NotificationStatus.SENT.value,
                "channel": c.channel.value,
                "updated_at": now,
            },
            events=(_sent(c, now),),
        )
    if isinstance(outcome, PrintQueued):
        day = local(now).date()
        return Changes(
            delivery={
                "tenant_id": outcome.tenant_id,  # the print queue of the unit that signs it
                "status": DeliveryStatus.PRINT_QUEUED.value,
                "letter_date": day,
                "sent_at": now,
                "provider": "print_queue",
                "last_error_code": None,
                "updated_at": now,
            },
            notification={"channel": Channel.LETTER.value, "updated_at": now},
            letter=LetterToNumber(outcome.tenant_id, c.kind, day),
            events=(_sent(c, now),),
        )
    return _after_failure(c, outcome.failure, now=now, rule=rule, jitter=jitter)


def _after_failure(
    c: Claimed, failure: SendFailure, *, now: datetime, rule: RetryRule, jitter: float
) -> Changes:
    limit = rule.letter_max_attempts if c.channel is Channel.LETTER else rule.max_attempts
    decision = after_failure(
        failure,
        chain=c.chain,
        step=c.step,
        attempts=c.attempts,
        max_attempts=limit,
        now=now,
        base=rule.base_seconds,
        cap=rule.cap_seconds,
        jitter=jitter,
    )
    if decision.action == "retry":
        return Changes(
            delivery={
                "status": DeliveryStatus.QUEUED.value,
                "next_attempt_at": decision.at,
                "last_error_code": failure.code,
                "updated_at": now,
            }
        )
    failed = {
        "status": DeliveryStatus.FAILED.value,
        "last_error_code": failure.code,
        "updated_at": now,
    }
    final = decision.action == "exhausted"
    dead = final and not c.best_effort
    event = NotificationFailed(
        notification_id=c.notification_id,
        source_event_id=c.source_event_id,
        kind=c.kind,
        recipient=c.recipient,
        channel=NotificationChannel(c.channel.value),
        error_code=failure.code,
        permanent=failure.permanent,
        attempts=c.attempts,
        next_channel=(
            NotificationChannel(decision.next_channel.value) if decision.next_channel else None
        ),
        final=final,
        dead_lettered=dead,
        failed_at=now,
    )
    if not final:
        assert decision.next_channel is not None
        return Changes(
            delivery=failed,
            notification={"last_error_code": failure.code, "updated_at": now},
            next_channel=decision.next_channel,
            events=(event,),
        )
    return Changes(
        delivery=failed,
        notification={
            "status": NotificationStatus.FAILED.value,
            "last_error_code": failure.code,
            "updated_at": now,
        },
        events=(event,),
        dead_letter=_dead_letter(c, now) if dead else None,
        dead_letter_reason=failure.code if dead else None,
    )


def _sent(c: Claimed, now: datetime) -> NotificationSent:
    return NotificationSent(
        notification_id=c.notification_id,
        source_event_id=c.source_event_id,
        kind=c.kind,
        recipient=c.recipient,
        channel=NotificationChannel(c.channel.value),
        attempts=c.attempts,
        fell_back=c.step > 0,
        sent_at=now,
    )


def _dead_letter(c: Claimed, now: datetime) -> dict[str, Any]:
    return {
        "notification_id": c.notification_id,
        "tenant_id": c.tenant_id,
        "dossier_id": c.dossier_id,
        "kind": c.kind,
        "recipient": c.recipient,
        "source_event_id": c.source_event_id,
        "dead_lettered_at": now.isoformat(),
    }
