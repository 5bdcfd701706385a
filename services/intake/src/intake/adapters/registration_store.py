"""Writing a new dossier: its row, its first control-sheet row, its outbox row and, when the
request carried one, its idempotency key.

On PostgreSQL the four inserts go as one statement (data-modifying CTEs, one round trip);
a round trip costs a small request more than building its rows. Elsewhere (SQLite in the
standalone mode) they go one after another. Both write exactly the same rows, in the caller's
transaction.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Table, bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import dossier_steps, dossiers, idempotency_keys, outbox

_PARTS: tuple[tuple[str, Table], ...] = (
    ("d", dossiers),
    ("s", dossier_steps),
    ("k", idempotency_keys),
    ("o", outbox),
)


async def insert_registration(
    session: AsyncSession,
    *,
    dossier: dict[str, Any],
    step: dict[str, Any],
    outbox_row: dict[str, Any],
    idempotency: dict[str, Any] | None = None,
) -> None:
    rows = {"d": dossier, "s": step, "k": idempotency, "o": outbox_row}
    if session.get_bind().dialect.name != "postgresql":
        for prefix, table in _PARTS:
            if rows[prefix] is not None:
                await session.execute(insert(table), rows[prefix])
        return
    shape = tuple((prefix, tuple(row)) for prefix, row in rows.items() if row is not None)
    params = {
        f"{prefix}_{key}": value
        for prefix, row in rows.items()
        if row is not None
        for key, value in row.items()
    }
    # Core on the session's connection: the ORM's execute path adds nothing to a plain INSERT.
    conn = await session.connection()
    await conn.execute(_combined(shape), params)


@lru_cache(maxsize=16)
def _combined(shape: tuple[tuple[str, tuple[str, ...]], ...]) -> Insert:
    """One INSERT per part; all but the last become CTEs of the last. Built once per shape,
    so SQLAlchemy's compiled cache and asyncpg's prepared statements are reused."""
    tables = dict(_PARTS)
    statements = [
        insert(tables[prefix]).values(
            {k: bindparam(f"{prefix}_{k}", type_=tables[prefix].c[k].type) for k in keys}
        )
        for prefix, keys in shape
    ]
    *ctes, last = statements
    return last.add_cte(*(s.cte(f"new_{i}") for i, s in enumerate(ctes)))
