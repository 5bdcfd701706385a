"""Finding dossiers: filters, keyset pagination with a stable order (newest first)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import records as mapping
from intake.adapters.dossier_repo import scoped
from intake.adapters.tables import dossiers
from intake.domain.access import TenantScope
from intake.domain.applicant import fold
from intake.domain.dossier import Dossier
from intake.domain.errors import DomainError
from intake.domain.lifecycle import FINISHED, Status


@dataclass(frozen=True)
class SearchFilters:
    status: Status | None = None
    procedure_code: str | None = None
    field_code: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    due_from: datetime | None = None  # "due today": the caller passes the local day's bounds
    due_to: datetime | None = None
    late: bool | None = None
    code: str | None = None
    applicant_name: str | None = None


def _cursor(record: Dossier) -> str:
    raw = f"{record.received_at.isoformat()}|{record.dossier_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, dossier_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not dossier_id:
            raise ValueError(cursor)
        return moment, dossier_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(
            "cursor.invalid", "Con trỏ phân trang không hợp lệ.", field="cursor"
        ) from exc


def _clauses(f: SearchFilters, now: datetime) -> list[Any]:
    c = dossiers.c
    out: list[Any] = []
    pairs = (
        (f.status, lambda v: c.status == v.value),
        (f.procedure_code, lambda v: c.procedure_code == v),
        (f.field_code, lambda v: c.field_code == v),
        (f.received_from, lambda v: c.received_at >= v),
        (f.received_to, lambda v: c.received_at < v),
        (f.due_from, lambda v: c.due_at >= v),
        (f.due_to, lambda v: c.due_at < v),
        (f.code, lambda v: c.code == v),
        (f.applicant_name, lambda v: c.applicant_name_folded.contains(fold(v), autoescape=True)),
    )
    out.extend(build(value) for value, build in pairs if value is not None)
    if f.due_from is not None or f.due_to is not None:
        out.append(c.status.notin_([s.value for s in FINISHED]))
    if f.late is not None:
        finished = [s.value for s in FINISHED]
        late = or_(
            and_(c.status.notin_(finished), c.due_at < now),
            and_(c.completed_at.is_not(None), c.completed_at > c.due_at),
        )
        out.append(late if f.late else ~late)
    return out


async def search(
    session: AsyncSession,
    scope: TenantScope,
    tenant_id: str | None,
    filters: SearchFilters,
    *,
    now: datetime,
    limit: int,
    cursor: str | None,
) -> tuple[list[Dossier], str | None]:
    c = dossiers.c
    where = [*scoped(scope, tenant_id), *_clauses(filters, now)]
    if cursor:
        at, dossier_id = _parse_cursor(cursor)
        where.append(or_(c.received_at < at, and_(c.received_at == at, c.dossier_id < dossier_id)))
    rows = await session.execute(
        select(dossiers)
        .where(*where)
        .order_by(c.received_at.desc(), c.dossier_id.desc())
        .limit(limit + 1)
    )
    records = [mapping.from_row(r) for r in rows]
    more = len(records) > limit
    records = records[:limit]
    return records, (_cursor(records[-1]) if more and records else None)
