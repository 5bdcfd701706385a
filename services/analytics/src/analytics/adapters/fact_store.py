"""The projection store: bulk writes that PostgreSQL and SQLite share the meaning of.

PostgreSQL (the Kafka path, thousands of events per batch) goes straight to asyncpg: facts
are read with one `= ANY($1)` query and locked, and every write is one COPY into a temporary
table and one INSERT ... ON CONFLICT. SQLite (standalone, one event at a time) uses
SQLAlchemy Core upserts. Each aggregate delta lands twice: on its day and on its month.
Every INSERT takes its rows in key order (PostgreSQL sorts them, cheaper than Python), so
two batches in flight lock shared rows in the same order and never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from analytics.adapters.tables import daily_indicators, dossier_facts, monthly_indicators, tenants
from analytics.application.ports import TenantRow
from analytics.domain.contributions import COUNTERS, Deltas
from analytics.domain.days import month_start
from analytics.domain.facts import FACT_FIELDS, DossierFact

_IN_CHUNK = 5_000  # bound the size of an IN list
_DAILY = ("tenant_id", "procedure_code", "field_code", "day", *COUNTERS)
_MONTHLY = ("tenant_id", "procedure_code", "field_code", "month", *COUNTERS)
_SELECT_FACTS = (
    f"SELECT {', '.join(FACT_FIELDS)} FROM dossier_facts WHERE dossier_id = ANY($1::text[]) "
    "ORDER BY dossier_id FOR UPDATE"
)


def insert_for(session: AsyncSession, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def monthly(deltas: Deltas) -> Deltas:
    """The same deltas summed per calendar month (keys carry the month's first day)."""
    out: Deltas = {}
    for (tenant, procedure, field, day), vector in deltas.items():
        key = (tenant, procedure, field, month_start(day))
        into = out.get(key)
        if into is None:
            out[key] = list(vector)
        else:
            for i, value in enumerate(vector):
                if value:
                    into[i] += value
    return out


class SqlProjectionStore:
    """Writes inside the caller's transaction; locks facts on PostgreSQL so writers queue."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"

    async def _driver(self) -> Any:
        connection = await self._session.connection()
        raw = await connection.get_raw_connection()
        return raw.driver_connection

    async def load_facts(self, dossier_ids: Sequence[str]) -> Mapping[str, DossierFact]:
        found: dict[str, DossierFact] = {}
        if self._postgres:
            driver = await self._driver()
            for start in range(0, len(dossier_ids), _IN_CHUNK):
                ordered = sorted(dossier_ids[start : start + _IN_CHUNK])
                for row in await driver.fetch(_SELECT_FACTS, ordered):
                    found[row[0]] = DossierFact(*row)
            return found
        columns = [dossier_facts.c[name] for name in FACT_FIELDS]
        for start in range(0, len(dossier_ids), _IN_CHUNK):
            chunk = dossier_ids[start : start + _IN_CHUNK]
            query = select(*columns).where(dossier_facts.c.dossier_id.in_(chunk))
            for row in (await self._session.execute(query)).all():
                found[row.dossier_id] = DossierFact(*row)
        return found

    async def save_facts(self, facts: Iterable[DossierFact]) -> None:
        if self._postgres:
            records = [f.as_tuple() for f in facts]  # sorted by PostgreSQL (the INSERT)
            if records:
                await self._copy_upsert("dossier_facts", FACT_FIELDS, ("dossier_id",), records, "=")
            return
        rows = sorted((f.as_row() for f in facts), key=lambda r: str(r["dossier_id"]))
        if not rows:
            return
        stmt = insert_for(self._session, dossier_facts)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dossier_id"],
            set_={n: stmt.excluded[n] for n in FACT_FIELDS if n != "dossier_id"},
        )
        await self._session.execute(stmt, rows)

    async def add_to_aggregates(self, deltas: Deltas) -> None:
        if not deltas:
            return
        if self._postgres:
            await self._add_to_aggregates_pg(deltas)
            return
        for table, names, rows in (
            (daily_indicators, _DAILY, deltas),
            (monthly_indicators, _MONTHLY, monthly(deltas)),
        ):
            records = [(*key, *vector) for key, vector in sorted(rows.items())]
            stmt = insert_for(self._session, table)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(names[:4]),
                set_={n: table.c[n] + stmt.excluded[n] for n in COUNTERS},
            )
            await self._session.execute(stmt, [dict(zip(names, r, strict=True)) for r in records])

    async def _add_to_aggregates_pg(self, deltas: Deltas) -> None:
        """One COPY of the daily deltas; days and months upserted from it in one round trip."""
        records = [(*key, *vector) for key, vector in deltas.items()]  # sorted by the INSERT
        driver = await self._staging("daily_indicators")
        await driver.copy_records_to_table(
            "_in_daily_indicators", records=records, columns=list(_DAILY)
        )
        add = ", ".join(f"{c} = {{t}}.{c} + EXCLUDED.{c}" for c in COUNTERS)
        sums = ", ".join(f"sum({c})" for c in COUNTERS)
        await driver.execute(
            f"INSERT INTO daily_indicators ({', '.join(_DAILY)}) "
            f"SELECT {', '.join(_DAILY)} FROM _in_daily_indicators ORDER BY 1, 2, 3, 4 "
            f"ON CONFLICT (tenant_id, procedure_code, field_code, day) "
            f"DO UPDATE SET {add.format(t='daily_indicators')};"
            f"INSERT INTO monthly_indicators ({', '.join(_MONTHLY)}) "
            f"SELECT tenant_id, procedure_code, field_code, date_trunc('month', day)::date, "
            f"{sums} FROM _in_daily_indicators GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 "
            f"ON CONFLICT (tenant_id, procedure_code, field_code, month) "
            f"DO UPDATE SET {add.format(t='monthly_indicators')}"
        )

    async def _staging(self, table: str) -> Any:
        """A temporary copy of `table`'s shape, emptied at commit (one use per transaction)."""
        driver = await self._driver()
        await driver.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS _in_{table} "
            f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        return driver

    async def _copy_upsert(
        self,
        table: str,
        columns: Sequence[str],
        key: Sequence[str],
        records: list[tuple[Any, ...]],
        how: str,
    ) -> None:
        """PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT.

        Several times faster than an executemany for the thousands of rows of a batch.
        `how` "=" replaces the row's values, "+" adds them (aggregate counters).
        """
        driver = await self._staging(table)
        await driver.copy_records_to_table(f"_in_{table}", records=records, columns=list(columns))
        names = ", ".join(columns)
        updates = ", ".join(
            f"{c} = {table}.{c} + EXCLUDED.{c}" if how == "+" else f"{c} = EXCLUDED.{c}"
            for c in columns
            if c not in key
        )
        await driver.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM _in_{table} "
            f"ORDER BY {', '.join(key)} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        )

    async def save_tenants(self, rows: Iterable[TenantRow]) -> None:
        """Replace-not-merge, and never go back to an older revision."""
        for row in rows:
            values = {
                "tenant_id": row.tenant_id,
                "name_vi": row.name_vi,
                "unit_type": row.unit_type,
                "status": row.status,
                "cohorts": ",".join(row.cohorts),
                "merged_into": row.merged_into,
                "revision": row.revision,
            }
            stmt = insert_for(self._session, tenants).values(values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["tenant_id"],
                set_={k: stmt.excluded[k] for k in values if k != "tenant_id"},
                where=tenants.c.revision <= stmt.excluded.revision,
            )
            await self._session.execute(stmt)
