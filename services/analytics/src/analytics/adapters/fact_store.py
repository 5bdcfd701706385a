"""The projection store on SQLAlchemy Core: bulk upserts that PostgreSQL and SQLite share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from analytics.adapters.tables import daily_indicators, dossier_facts, tenants
from analytics.application.ports import TenantRow
from analytics.domain.contributions import COUNTERS, Deltas
from analytics.domain.facts import FACT_FIELDS, DossierFact

_IN_CHUNK = 5_000  # bound the size of an IN list


def _insert(session: AsyncSession, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


class SqlProjectionStore:
    """Writes inside the caller's transaction; locks facts on PostgreSQL so writers queue."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"

    async def load_facts(self, dossier_ids: Sequence[str]) -> Mapping[str, DossierFact]:
        found: dict[str, DossierFact] = {}
        columns = [dossier_facts.c[name] for name in FACT_FIELDS]
        for start in range(0, len(dossier_ids), _IN_CHUNK):
            chunk = dossier_ids[start : start + _IN_CHUNK]
            query = select(*columns).where(dossier_facts.c.dossier_id.in_(chunk))
            if self._postgres:
                query = query.order_by(dossier_facts.c.dossier_id).with_for_update()
            for row in (await self._session.execute(query)).all():
                found[row.dossier_id] = DossierFact(*row)
        return found

    async def save_facts(self, facts: Iterable[DossierFact]) -> None:
        rows = sorted((f.as_row() for f in facts), key=lambda r: str(r["dossier_id"]))
        if not rows:
            return
        if self._postgres:
            records = [tuple(r[n] for n in FACT_FIELDS) for r in rows]
            await self._copy_upsert("dossier_facts", FACT_FIELDS, ("dossier_id",), records, "=")
            return
        stmt = _insert(self._session, dossier_facts)
        stmt = stmt.on_conflict_do_update(
            index_elements=["dossier_id"],
            set_={n: stmt.excluded[n] for n in FACT_FIELDS if n != "dossier_id"},
        )
        await self._session.execute(stmt, rows)

    async def add_to_aggregates(self, deltas: Deltas) -> None:
        rows = []
        for (tenant, procedure, field, day), delta in sorted(deltas.items()):
            row: dict[str, Any] = dict.fromkeys(COUNTERS, 0)
            row.update(delta)
            row |= {"tenant_id": tenant, "procedure_code": procedure, "field_code": field}
            row["day"] = day
            rows.append(row)
        if not rows:
            return
        if self._postgres:
            names = ("tenant_id", "procedure_code", "field_code", "day", *COUNTERS)
            records = [tuple(r[n] for n in names) for r in rows]
            await self._copy_upsert("daily_indicators", names, names[:4], records, "+")
            return
        t = daily_indicators
        stmt = _insert(self._session, t)
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "procedure_code", "field_code", "day"],
            set_={n: t.c[n] + stmt.excluded[n] for n in COUNTERS},
        )
        await self._session.execute(stmt, rows)

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
        connection = await self._session.connection()
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        staging = f"_in_{table}"
        await driver.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
            f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        await driver.copy_records_to_table(staging, records=records, columns=list(columns))
        names = ", ".join(columns)
        updates = ", ".join(
            f"{c} = {table}.{c} + EXCLUDED.{c}" if how == "+" else f"{c} = EXCLUDED.{c}"
            for c in columns
            if c not in key
        )
        await driver.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        )
        await driver.execute(f"TRUNCATE {staging}")

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
            stmt = _insert(self._session, tenants).values(values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["tenant_id"],
                set_={k: stmt.excluded[k] for k in values if k != "tenant_id"},
                where=tenants.c.revision <= stmt.excluded.revision,
            )
            await self._session.execute(stmt)
