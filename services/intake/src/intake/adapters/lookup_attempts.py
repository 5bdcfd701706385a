"""The per-code attempt counter of the public look-up, atomic on SQLite and PostgreSQL.

One `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` per attempt: concurrent guesses on several
replicas each take their own slot (the row is locked for the update), so no burst of parallel
requests can slip past the limit between a read and a write.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import lookup_attempts as t


@dataclass(frozen=True)
class Slot:
    failures: int  # attempts counted in the window, this one included
    locked_until: float | None


async def reserve(session: AsyncSession, code: str, *, now: float, window: float) -> Slot:
    """Counts one attempt for `code` (before its digits are checked) unless it is locked."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = insert(t).values(code=code, failures=1, window_started=now, locked_until=None)
    locked = t.c.locked_until.is_not(None) & (t.c.locked_until > now)
    expired = t.c.window_started < now - window
    stmt = new.on_conflict_do_update(
        index_elements=[t.c.code],
        set_={
            "failures": case((locked, t.c.failures), (expired, 1), else_=t.c.failures + 1),
            "window_started": case(
                (locked, t.c.window_started), (expired, now), else_=t.c.window_started
            ),
            "locked_until": case((locked, t.c.locked_until), else_=None),
        },
    ).returning(t.c.failures, t.c.locked_until)
    row = (await session.execute(stmt)).one()
    return Slot(int(row.failures), row.locked_until)


async def lock(session: AsyncSession, code: str, *, now: float, until: float) -> None:
    """Locked from now; the window restarts, so the count starts afresh when the lock ends."""
    await session.execute(
        update(t).where(t.c.code == code).values(failures=0, window_started=now, locked_until=until)
    )


async def forget(session: AsyncSession, code: str) -> None:
    """The right digits: the mistakes before them no longer count."""
    await session.execute(update(t).where(t.c.code == code).values(failures=0, locked_until=None))
