"""Recompute jobs, calendar changes and catalogue fingerprints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import (
    calendar_changes,
    catalogue_fingerprints,
    dossier_clocks,
    recompute_jobs,
)

J, D = recompute_jobs, dossier_clocks


async def create_job(
    session: AsyncSession,
    *,
    job_id: str,
    cause: str,
    now: datetime,
    tenant_id: str | None = None,
    days: Sequence[date] | None = None,
    procedure: tuple[str, str] | None = None,
) -> bool:
    """False when the job exists already (two replicas saw the same change)."""
    if await session.scalar(select(J.c.job_id).where(J.c.job_id == job_id)):
        return False
    await session.execute(
        insert(J).values(
            job_id=job_id,
            cause=cause,
            tenant_id=tenant_id,
            days=json.dumps([d.isoformat() for d in days]) if days is not None else None,
            procedure_code=procedure[0] if procedure else None,
            procedure_version=procedure[1] if procedure else None,
            created_at=now,
        )
    )
    return True


async def claim_job(session: AsyncSession) -> Row[Any] | None:
    return (
        await session.execute(
            select(J)
            .where(J.c.done_at.is_(None))
            .order_by(J.c.created_at, J.c.job_id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).first()


def job_days(job: Row[Any]) -> list[date] | None:
    return [date.fromisoformat(d) for d in json.loads(job.days)] if job.days else None


async def candidates(
    session: AsyncSession,
    job: Row[Any],
    *,
    first: datetime | None,
    last: datetime | None,
    limit: int,
) -> list[str]:
    """Open dossiers the job may move, after its cursor, in id order."""
    # `is_open` as such, not IS TRUE: the partial indexes (WHERE is_open) apply only then.
    stmt = select(D.c.dossier_id).where(D.c.is_open, D.c.dossier_id > job.cursor)
    if job.tenant_id:
        # The commune's calendar counts the dossiers it resolves; after a merger a dossier
        # may count with a unit it no longer names (its plan): those are candidates too.
        stmt = stmt.where(
            or_(
                D.c.resolving_tenant_id == job.tenant_id,
                D.c.tenant_id == job.tenant_id,
                and_(
                    D.c.calendar_plan.is_not(None),
                    D.c.calendar_plan.contains(f'"{job.tenant_id}"', autoescape=True),
                ),
            )
        )
    if job.procedure_code:
        stmt = stmt.where(
            D.c.procedure_code == job.procedure_code,
            D.c.procedure_version == job.procedure_version,
        )
    if first is not None and last is not None:
        # Window [receipt, due] must meet [first changed day, last changed day]; a paused
        # clock's due is provisional, so it stays a candidate.
        stmt = stmt.where(
            D.c.received_at < last, or_(D.c.due_at >= first, and_(D.c.state == "paused"))
        )
    stmt = stmt.order_by(D.c.dossier_id).limit(limit)
    return list((await session.scalars(stmt)).all())


async def advance(
    session: AsyncSession, job_id: str, cursor: str, moved: int, done_at: datetime | None
) -> None:
    await session.execute(
        update(J)
        .where(J.c.job_id == job_id)
        .values(cursor=cursor, moved=J.c.moved + moved, done_at=done_at)
    )


NATIONAL_CHECKED = "workflow.national_calendar"  # session.info key: see Statutory.national


async def change_exists(session: AsyncSession, change_id: str) -> bool:
    return bool(
        await session.scalar(
            select(calendar_changes.c.change_id).where(calendar_changes.c.change_id == change_id)
        )
    )


async def add_change(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(calendar_changes).values(**values))
    session.info.pop(NATIONAL_CHECKED, None)  # the events after it see the change


async def fingerprints(session: AsyncSession) -> dict[tuple[str, str], str]:
    rows = (await session.execute(select(catalogue_fingerprints))).all()
    return {(r.procedure_code, r.procedure_version): r.fingerprint for r in rows}


async def set_fingerprint(
    session: AsyncSession, code: str, version: str, fingerprint: str, now: datetime, *, new: bool
) -> None:
    t = catalogue_fingerprints
    if new:
        await session.execute(
            insert(t).values(
                procedure_code=code, procedure_version=version, fingerprint=fingerprint, seen_at=now
            )
        )
    else:
        await session.execute(
            update(t)
            .where(t.c.procedure_code == code, t.c.procedure_version == version)
            .values(fingerprint=fingerprint, seen_at=now)
        )
