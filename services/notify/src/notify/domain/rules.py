"""Which event sends which message to whom, through which chain of channels.

Defaults below; each commune may switch a kind off or reorder its chain (`RuleOverride`).
Every chain ends with the printed letter unless the message is a courtesy (`best_effort`)
that travels beside a letter of its own: a citizen without phone or e-mail is never missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from notify.domain.errors import Invalid
from notify.domain.kinds import Channel, Kind, Recipient

E, S, Z, L = Channel.EMAIL, Channel.SMS, Channel.ZALO, Channel.LETTER

# Re-registration of a death (1.005461) and a correction of civil-status data (1.004859)
# never bring a second condolence letter, whatever their practices say.
NO_CONDOLENCE_PROCEDURES = frozenset({"1.005461", "1.004859"})
CEREMONY_PRACTICES = {"ceremony_birth": "birth", "ceremony_marriage": "marriage"}
CONDOLENCE_PRACTICE = "condolence_death"


@dataclass(frozen=True)
class Trigger:
    """An integration event reduced to what the rules look at (translated in entrypoints)."""

    event_type: str
    event_id: str
    tenant_id: str
    dossier_id: str | None
    occurred_at: datetime
    facts: Mapping[str, Any] = field(default_factory=dict)  # JSON-able, no personal data
    intake_channel: str | None = None  # counter | postal | online, when known
    procedure_code: str | None = None
    practices: frozenset[str] = frozenset()
    approved: bool = True
    level: int = 1  # escalations


Condition = Callable[[Trigger], bool]


def _always(_: Trigger) -> bool:
    return True


def condolence_due(t: Trigger) -> bool:
    return (
        t.approved
        and CONDOLENCE_PRACTICE in t.practices
        and t.procedure_code not in NO_CONDOLENCE_PROCEDURES
    )


def _level(n: int) -> Condition:
    return lambda t: t.level == n


@dataclass(frozen=True)
class Rule:
    event_type: str
    kind: Kind
    recipient: Recipient
    chain: tuple[Channel, ...]
    online_chain: tuple[Channel, ...] | None = None  # dossiers that came in online
    when: Condition = _always
    best_effort: bool = False  # a courtesy beside a letter: may fail without a letter
    once_per_dossier: bool = False
    once_facts: tuple[str, ...] = ()  # facts that make a new "once" (a new schedule revision)

    def chain_for(self, intake_channel: str | None) -> tuple[Channel, ...]:
        if intake_channel == "online" and self.online_chain is not None:
            return self.online_chain
        return self.chain


CITIZEN = (Z, S, E, L)
CITIZEN_ONLINE = (E, Z, S, L)
STAFF = (E, S, L)

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        "DossierReceived", Kind.RECEIPT_CONFIRMATION, Recipient.APPLICANT, CITIZEN, CITIZEN_ONLINE
    ),
    Rule(
        "SupplementRequested", Kind.SUPPLEMENT_REQUEST, Recipient.APPLICANT, CITIZEN, CITIZEN_ONLINE
    ),
    Rule("DossierRefused", Kind.REFUSAL_NOTICE, Recipient.APPLICANT, CITIZEN, CITIZEN_ONLINE),
    Rule("ResultReady", Kind.RESULT_READY, Recipient.APPLICANT, CITIZEN, CITIZEN_ONLINE),
    # The desk sets the ceremony's date, time and place (CeremonyScheduled): the family gets
    # a printed invitation and hears of it at once; a changed schedule (next revision) once more.
    Rule(
        "CeremonyScheduled",
        Kind.CEREMONY_INVITATION,
        Recipient.APPLICANT,
        (L,),
        once_per_dossier=True,
        once_facts=("schedule_revision",),
    ),
    Rule(
        "CeremonyScheduled",
        Kind.CEREMONY_MESSAGE,
        Recipient.APPLICANT,
        (Z, S, E),
        (E, Z, S),
        best_effort=True,
        once_per_dossier=True,
        once_facts=("schedule_revision",),
    ),
    Rule(
        "ResultReady",
        Kind.CONDOLENCE_LETTER,
        Recipient.FAMILY,
        (L,),
        when=condolence_due,
        once_per_dossier=True,
    ),
    # Form 04 is a signed letter; the citizen also hears of it at once, electronically.
    Rule("ApologyIssued", Kind.APOLOGY_NOTICE, Recipient.APPLICANT, (L,), once_per_dossier=True),
    Rule(
        "ApologyIssued",
        Kind.APOLOGY_MESSAGE,
        Recipient.APPLICANT,
        (Z, S, E),
        (E, Z, S),
        best_effort=True,
        once_per_dossier=True,
    ),
    Rule("ResultReturned", Kind.SATISFACTION_SURVEY, Recipient.APPLICANT, CITIZEN, CITIZEN_ONLINE),
    Rule("EscalationRaised", Kind.ESCALATION_ALERT, Recipient.LEADER, STAFF),
    Rule("EscalationRaisedUp", Kind.ESCALATION_ALERT, Recipient.HEAD, STAFF, when=_level(2)),
    Rule("MorningDigestCompiled", Kind.MORNING_DIGEST, Recipient.LEADER, STAFF),
)

EVENT_TYPES = frozenset(r.event_type for r in DEFAULT_RULES)


@dataclass(frozen=True)
class RuleOverride:
    """A commune's change to one kind: switched off, or another chain."""

    kind: Kind
    enabled: bool = True
    chain: tuple[Channel, ...] | None = None
    online_chain: tuple[Channel, ...] | None = None


@dataclass(frozen=True)
class PlannedMessage:
    kind: Kind
    recipient: Recipient
    chain: tuple[Channel, ...]
    best_effort: bool
    once_key: str | None  # set for "once per dossier" messages


def check_chain(chain: Sequence[Channel], *, best_effort: bool, kind: Kind) -> None:
    """A chain is non-empty, has no repeats, and ends with the letter unless a courtesy."""
    if not chain:
        raise Invalid("rule.chain_empty", f"Chuỗi kênh gửi của loại '{kind}' không được trống.")
    if len(set(chain)) != len(chain):
        raise Invalid("rule.chain_repeated", f"Chuỗi kênh gửi của loại '{kind}' có kênh lặp lại.")
    if not best_effort and chain[-1] is not Channel.LETTER:
        raise Invalid(
            "rule.letter_last",
            f"Chuỗi kênh gửi của loại '{kind}' phải kết thúc bằng thư in, để người dân không "
            "có điện thoại hay thư điện tử vẫn nhận được.",
        )
    if best_effort and Channel.LETTER in chain:
        raise Invalid("rule.courtesy_letter", f"Loại '{kind}' đã có thư riêng, không gửi thư in.")


def apply_overrides(rules: Iterable[Rule], overrides: Iterable[RuleOverride]) -> tuple[Rule, ...]:
    by_kind = {o.kind: o for o in overrides}
    out: list[Rule] = []
    for rule in rules:
        o = by_kind.get(rule.kind)
        if o is None:
            out.append(rule)
            continue
        if not o.enabled:
            continue
        changed = replace(
            rule,
            chain=o.chain or rule.chain,
            online_chain=o.online_chain or (o.chain if o.chain else rule.online_chain),
        )
        for chain in {changed.chain, changed.online_chain or changed.chain}:
            check_chain(chain, best_effort=rule.best_effort, kind=rule.kind)
        out.append(changed)
    return tuple(out)


def with_preference(chain: tuple[Channel, ...], preferred: Channel | None) -> tuple[Channel, ...]:
    """The citizen's preferred channel first; 'letter' means: print it, nothing else."""
    if preferred is None or preferred not in chain:
        return chain
    if preferred is Channel.LETTER:
        return (Channel.LETTER,)
    return (preferred, *(c for c in chain if c is not preferred))


def plan_messages(
    trigger: Trigger,
    rules: Iterable[Rule] = DEFAULT_RULES,
    *,
    preferred: Channel | None = None,
    available: frozenset[Channel] | None = None,
) -> list[PlannedMessage]:
    """`available`: the channels the commune has configured (the letter always is); a chain
    keeps only those, so nothing is attempted through a channel that cannot send, and a
    courtesy message with none of its channels is not planned (None: every channel)."""
    out: list[PlannedMessage] = []
    for rule in rules:
        if rule.event_type != trigger.event_type or not rule.when(trigger):
            continue
        chain = rule.chain_for(trigger.intake_channel)
        if rule.recipient.is_citizen:
            chain = with_preference(chain, preferred)
        if available is not None:
            chain = tuple(c for c in chain if c is Channel.LETTER or c in available)
            if not chain:
                continue
        once = None
        if rule.once_per_dossier and trigger.dossier_id:
            once = f"{trigger.dossier_id}:{rule.kind}:{rule.recipient}"
            once += "".join(f":{trigger.facts.get(k)}" for k in rule.once_facts)
        out.append(PlannedMessage(rule.kind, rule.recipient, chain, rule.best_effort, once))
    return out
