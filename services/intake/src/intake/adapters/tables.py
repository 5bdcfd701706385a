"""Intake's own tables. Only intake's migrations touch them."""

from motcua_platform.messaging.tables import inbox_table, outbox_table
from motcua_platform.sqltypes import UtcDateTime
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

tenants = Table(
    "tenants",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("name_vi", String(200), nullable=False),
    Column("unit_type", String(20), nullable=False),
    Column("agency_code", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("config", Text, nullable=False, server_default="{}"),
    Column("updated_at", UtcDateTime(), nullable=False),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("code", String(80), nullable=False, unique=True),
    Column("procedure_code", String(20), nullable=False),
    Column("procedure_version", String(40), nullable=False),
    Column("field_code", String(40), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("status", String(30), nullable=False),
    Column("version", Integer, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    # Personal data stays in intake; events never carry it.
    Column("applicant_name", String(200), nullable=False),
    Column("applicant_id_number", String(12), nullable=False),
    Column("applicant_phone", String(20), nullable=False),
    Column("applicant_email", String(200), nullable=True),
)

dossier_sequences = Table(
    "dossier_sequences",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last_value", Integer, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("dossier_id", String(36), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "key"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
