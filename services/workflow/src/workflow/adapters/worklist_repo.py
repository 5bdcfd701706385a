"""Worklist and digest queries over the open dossiers (index: tenant, due_at, id)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import dossier_clocks as D
from workflow.domain.worklist import View, window

COLUMNS = (
    D.c.dossier_id,
    D.c.tenant_id,
    D.c.dossier_code,
    D.c.procedure_code,
    D.c.state,
    D.c.received_at,
    D.c.due_at,
    D.c.original_due_at,
    D.c.at_risk_at,
    D.c.holder_id,
    D.c.step_key,
    D.c.step_due_at,
    D.c.apology_issued_at,
)


async def page(
    session: AsyncSession,
    *,
    view: View,
    now: datetime,
    tenant_ids: frozenset[str] | None,
    holder_id: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
    owned_only: bool = False,
) -> Sequence[Any]:
    """Open dossiers of the view in (due_at, dossier_id) order, after the cursor.

    Both the receiving and the resolving unit see a cross-commune dossier; `owned_only`
    keeps those whose clock the units own (the resolving unit's)."""
    w = window(view, now)
    stmt = select(*COLUMNS).where(D.c.is_open.is_(True))
    if tenant_ids is not None:
        ids = sorted(tenant_ids)
        owned = or_(
            D.c.resolving_tenant_id.in_(ids),
            and_(D.c.resolving_tenant_id.is_(None), D.c.tenant_id.in_(ids)),
        )
        stmt = stmt.where(owned if owned_only else or_(D.c.tenant_id.in_(ids), owned))
    if view is View.MINE:
        stmt = stmt.where(D.c.holder_id == holder_id)
    if w.running_only:
        stmt = stmt.where(D.c.state == "running")
    if w.due_from is not None:
        stmt = stmt.where(D.c.due_at >= w.due_from)
    if w.due_before is not None:
        stmt = stmt.where(D.c.due_at < w.due_before)
    if w.at_risk_by is not None:
        stmt = stmt.where(D.c.at_risk_at <= w.at_risk_by)
    if after is not None:
        due, dossier_id = after
        stmt = stmt.where(
            or_(D.c.due_at > due, and_(D.c.due_at == due, D.c.dossier_id > dossier_id))
        )
    stmt = stmt.order_by(D.c.due_at, D.c.dossier_id).limit(limit)
    return (await session.execute(stmt)).all()


async def digest_lists(
    session: AsyncSession, tenant_id: str, now: datetime, cap: int
) -> tuple[Sequence[Any], Sequence[Any]]:
    """(at risk, late) of the dossiers one commune resolves, each capped, most urgent first:
    its leader can act on those (a dossier it only received is its resolving unit's)."""
    ids = frozenset({tenant_id})
    common: dict[str, Any] = {"now": now, "tenant_ids": ids, "holder_id": None, "after": None}
    at_risk = await page(session, view=View.AT_RISK, limit=cap, owned_only=True, **common)
    late = await page(session, view=View.LATE, limit=cap, owned_only=True, **common)
    return at_risk, late
