"""Async engine and session factory for PostgreSQL (asyncpg) or the embedded SQLite."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util.concurrency import await_, in_greenlet

# How long a SQLite statement waits for another connection's write lock before failing.
SQLITE_BUSY_SECONDS = 30.0

# Execution option of the read-only engine view (`read_only_engine`): on SQLite, its
# transactions BEGIN deferred under `PRAGMA query_only` instead of taking the write lock.
READ_ONLY_OPTION = "motcua_read_only"
_QUERY_ONLY_FLAG = "motcua_query_only"


def make_engine(
    url: str, *, pool_size: int = 10, ping_after_idle_seconds: float = 5.0
) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        _turns_of(engine.url.database or "").install(engine)
        return engine
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ping_idle_connections(engine, ping_after_idle_seconds)
    return engine


def _ping_idle_connections(engine: AsyncEngine, idle_seconds: float) -> None:
    """Pessimistic disconnect handling for connections that sat idle in the pool.

    `pool_pre_ping` costs three round trips per checkout on asyncpg (BEGIN, ';', ROLLBACK),
    as much as the work of a small transaction. A connection that was in use moments ago is
    checked by that use; only one idle long enough to have gone stale (server restart, idle
    timeouts) is pinged. A failed ping makes the pool replace the connection.
    """
    sync_engine = engine.sync_engine

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["motcua_idle_since"] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("motcua_idle_since")  # None: a connection made just now
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("idle connection failed its ping") from exc

    event.listen(sync_engine, "checkin", checked_in)
    event.listen(sync_engine, "checkout", checked_out)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off: it would BEGIN (deferred) only before an
    # INSERT/UPDATE/DELETE, so the reads before it ran outside the transaction, and a
    # transaction that read, then wrote, could lose an update. `_WriteTurns.begin`
    # starts every transaction instead.
    dbapi_connection.isolation_level = None
    # WAL lets the relay read while a request writes; busy_timeout waits instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _WriteTurns:
    """One per SQLite file: SQLAlchemy's recipe for SQLite transactions (the driver's own
    BEGIN off, ours emitted on "begin"), with BEGIN IMMEDIATE, asked for in arrival order.

    IMMEDIATE takes the write lock at BEGIN, where busy_timeout waits for it. A deferred
    transaction that read, then wrote, fails at once with "database is locked"
    (SQLITE_BUSY_SNAPSHOT) when another connection committed in between: its snapshot is
    stale, waiting cannot help. IMMEDIATE also gives what PostgreSQL's row locks give the
    same code: one writer at a time, so a read-then-write transaction is serializable.

    Arrival order: SQLite's busy handler polls (at last every 100 ms), and a connection that
    asks at the moment the lock is free takes it before one that has polled for seconds.
    Under a steady stream of transactions (the standalone platform at a high simulator speed)
    an unlucky one waited out the whole busy_timeout, then failed. Here this process's
    transactions queue on an asyncio.Lock (FIFO, no thread polling) and only the head of the
    queue waits in SQLite, so no one is overtaken. The turn is held for the BEGIN alone,
    never across the caller's code: nothing can keep it.
    """

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "begin", self.begin)

    def begin(self, conn: Any) -> None:
        info = conn.connection.info  # lives as long as the pooled DB-API connection
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            # A reader: a deferred BEGIN takes no lock; in WAL mode it reads a snapshot while
            # writers go on, and waits for no one. query_only makes a stray write fail at once.
            if not info.get(_QUERY_ONLY_FLAG):
                conn.exec_driver_sql("PRAGMA query_only=ON")
                info[_QUERY_ONLY_FLAG] = True
            conn.exec_driver_sql("BEGIN")
            return
        if info.get(_QUERY_ONLY_FLAG):  # the pooled connection served a reader before
            conn.exec_driver_sql("PRAGMA query_only=OFF")
            info[_QUERY_ONLY_FLAG] = False
        if not in_greenlet():  # a sync caller (none in the services): SQLite's own wait
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        lock = self._current_lock()
        await_(lock.acquire())
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            lock.release()

    def _current_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock


_TURNS: dict[str, _WriteTurns] = {}


def _turns_of(database: str) -> _WriteTurns:
    """One queue per file, shared by every engine of this process on it (a memory database
    is private to its connection: it gets its own)."""
    if database in ("", ":memory:"):
        return _WriteTurns()
    return _TURNS.setdefault(str(Path(database).resolve()), _WriteTurns())


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def read_only_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, whose transactions only read.

    PostgreSQL: `BEGIN READ ONLY` (asyncpg's readonly transaction). SQLite: a deferred BEGIN
    under `PRAGMA query_only`, so a reader never takes nor waits for the write lock that every
    other transaction takes at BEGIN (see `_WriteTurns`): a request that reads, then works for
    a while (composing, rendering, calling another service), blocks no writer, and a second
    session opened meanwhile cannot deadlock with it. A write through it fails at once.
    """
    if is_sqlite(engine):
        return engine.execution_options(**{READ_ONLY_OPTION: True})
    return engine.execution_options(postgresql_readonly=True)


def make_read_only_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads only (see `read_only_engine`); keep each one short all the same."""
    return async_sessionmaker(read_only_engine(engine), expire_on_commit=False)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"
