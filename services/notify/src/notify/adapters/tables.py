"""Notify's own tables. No citizen's contact data is ever stored here (see docs/personal-data.md).

`notifications`: one row per (source event, kind, recipient), so never twice; `deliveries`:
one row per channel tried, the dispatcher's queue (`next_attempt_at`, SKIP LOCKED).
"""

from motcua_platform.messaging.tables import inbox_table, outbox_table
from motcua_platform.sqltypes import UtcDateTime
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

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
    Column("source_event_type", String(60), nullable=False, server_default=""),
    Column("chain", JSON, nullable=False, server_default="[]"),
    Column("channel", String(10), nullable=True),  # the channel in use, then the one that worked
    Column("best_effort", Boolean, nullable=False, server_default=text("false")),
    Column("once_key", String(160), nullable=True),
    Column("facts", JSON, nullable=False, server_default="{}"),
    Column("last_error_code", String(60), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=True),
    # W3C trace context of the event that asked for it: each send continues that trace.
    Column("trace_context", JSON, nullable=True),
    UniqueConstraint("source_event_id", "kind", "recipient", name="uq_notification_once"),
    UniqueConstraint("once_key", name="uq_notification_once_key"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column(
        "notification_id",
        String(36),
        ForeignKey("notifications.notification_id"),
        nullable=False,
        index=True,
    ),
    Column("tenant_id", String(64), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("step", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("lease_until", UtcDateTime(), nullable=True),
    Column("last_error_code", String(60), nullable=True),
    Column("provider", String(40), nullable=True),
    Column("provider_message_id", String(120), nullable=True, index=True),
    Column("letter_number", String(40), nullable=True),
    Column("letter_date", Date, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("printed_at", UtcDateTime(), nullable=True),
    Column("printed_by", String(100), nullable=True),
    Index(
        "ix_deliveries_due",
        "next_attempt_at",
        postgresql_where=text("status IN ('queued', 'sending')"),
        sqlite_where=text("status IN ('queued', 'sending')"),
    ),
    Index("ix_deliveries_print_queue", "tenant_id", "status"),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("dossier_code", String(80), nullable=False),
    Column("procedure_code", String(20), nullable=False),
    Column("procedure_version", String(20), nullable=False),
    Column("intake_channel", String(10), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("preferred_channel", String(10), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

tenants = Table(
    "tenants",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("profile", JSON, nullable=True),  # the latest TenantConfigured payload
    Column("profile_revision", Integer, nullable=False, server_default="0"),
    Column("settings", JSON, nullable=True),  # notify's own, managed by the operator
    Column("settings_updated_at", UtcDateTime(), nullable=True),
    Column("settings_updated_by", String(100), nullable=True),
)

templates = Table(
    "templates",
    metadata,
    Column("template_id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("edition", String(20), nullable=False, server_default=""),
    Column("version", Integer, nullable=False),
    Column("subject", Text, nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(100), nullable=False),
    UniqueConstraint(
        "tenant_id", "kind", "channel", "edition", "version", name="uq_template_version"
    ),
)

letter_sequences = Table(
    "letter_sequences",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
