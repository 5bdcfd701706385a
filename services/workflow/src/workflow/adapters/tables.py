"""Workflow's own tables: one clock row per dossier (timers come with the clock issue)."""

from motcua_platform.messaging.tables import inbox_table, outbox_table
from motcua_platform.sqltypes import UtcDateTime
from sqlalchemy import Column, Integer, MetaData, String, Table

metadata = MetaData()

dossier_clocks = Table(
    "dossier_clocks",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("dossier_code", String(80), nullable=False),
    Column("procedure_code", String(20), nullable=False),
    Column("procedure_version", String(40), nullable=False),
    Column("state", String(20), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False, index=True),
    Column("last_version", Integer, nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
