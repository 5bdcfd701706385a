"""The one way a desk command changes a dossier: load, check the side, call the aggregate, save."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from intake.adapters.dossier_store import SqlDossiers
from intake.adapters.transaction import Transaction
from intake.application.ports import Dossiers
from intake.domain.access import Principal, TenantScope, check_side
from intake.domain.dossier import Change, Dossier
from intake.domain.lifecycle import Action


@dataclass(frozen=True)
class Target:
    """Which dossier, seen by whom, when: the common arguments of every desk command."""

    scope: TenantScope
    tenant_id: str
    dossier_id: str
    actor: Principal
    now: datetime


def dossiers_of(session: Transaction) -> Dossiers:
    """The repository on the request's transaction."""
    return SqlDossiers(session)


async def load(dossiers: Dossiers, target: Target, action: Action) -> Dossier:
    """The dossier, if this commune may take `action` on it (receiving or resolving side)."""
    d = await dossiers.get(target.scope, target.tenant_id, target.dossier_id)
    check_side(target.tenant_id, d.tenant_id, d.resolving_tenant_id, action.value)
    return d


async def transition(
    session: Transaction,
    target: Target,
    action: Action,
    behaviour: Callable[[Dossier], Change | Awaitable[Change]],
) -> Dossier:
    """Applies the aggregate's `behaviour` (which raises InvalidTransition, 409, when the
    lifecycle does not allow it) and saves the change with its event."""
    dossiers = dossiers_of(session)
    before = await load(dossiers, target, action)
    change = behaviour(before)
    if not isinstance(change, Change):
        change = await change
    await dossiers.save(change)
    return change.after
