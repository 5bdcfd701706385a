"""Autogenerate a migration for one service: `uv run python scripts/new_migration.py intake "msg"`.

Compares the service's table metadata with an empty (or migrated) SQLite database.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from motcua_platform.migrations import alembic_config

service, message = sys.argv[1], sys.argv[2]
root = Path(__file__).resolve().parents[1] / "services" / service / "migrations"
with tempfile.TemporaryDirectory() as tmp:
    cfg = alembic_config(root, f"sqlite+aiosqlite:///{tmp}/scratch.db")
    command.upgrade(cfg, "head")
    command.revision(cfg, message=message, autogenerate=True)
