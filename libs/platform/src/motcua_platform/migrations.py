"""Run a service's Alembic migrations programmatically (start-up, tests, the migration Job)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(script_location: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


async def upgrade_head(engine: AsyncEngine, script_location: Path) -> None:
    """Upgrade on the engine's own connection, so SQLite in-memory databases work too."""

    def _run(sync_connection: object) -> None:
        cfg = alembic_config(script_location, str(engine.url))
        cfg.attributes["connection"] = sync_connection
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        await conn.run_sync(_run)


def run_env(target_metadata: object) -> None:
    """Body of every service's alembic env.py: online migrations, sync or async URL."""
    import asyncio

    from alembic import context
    from sqlalchemy.ext.asyncio import create_async_engine

    cfg = context.config
    connection = cfg.attributes.get("connection")

    def _migrate(conn: object) -> None:
        context.configure(
            connection=conn,  # type: ignore[arg-type]
            target_metadata=target_metadata,  # type: ignore[arg-type]
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if connection is not None:
        _migrate(connection)
        return

    async def _online() -> None:
        engine = create_async_engine(cfg.get_main_option("sqlalchemy.url") or "")
        async with engine.begin() as conn:
            await conn.run_sync(_migrate)
        await engine.dispose()

    asyncio.run(_online())
