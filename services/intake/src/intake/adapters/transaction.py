"""The unit of work the use cases run in, named once: an SQLAlchemy session (the caller's
transaction), handed on to the adapters that hold the SQL. The application layer names
these aliases, never SQLAlchemy itself (services/intake/tests/unit/test_layering.py)."""

from __future__ import annotations

from typing import TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Transaction: TypeAlias = AsyncSession
Transactions: TypeAlias = async_sessionmaker[AsyncSession]
