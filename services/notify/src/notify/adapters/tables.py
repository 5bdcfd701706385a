"""Notify's own tables: one row per (source event, kind, recipient), so never twice."""

from motcua_platform.messaging.tables import inbox_table, outbox_table
from motcua_platform.sqltypes import UtcDateTime
from sqlalchemy import Column, MetaData, String, Table, UniqueConstraint

metadata = MetaData()

notifications = Table(
    "notifications",
    metadata,
    Column("notification_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("dossier_id", String(36), nullable=True, index=True),
    Column("source_event_id", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("recipient", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("source_event_id", "kind", "recipient", name="uq_notification_once"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
