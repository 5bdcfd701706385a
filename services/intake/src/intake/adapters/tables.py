"""Intake's own tables. Only intake's migrations touch them."""

from motcua_platform.messaging.tables import inbox_table, outbox_table
from motcua_platform.sqltypes import UtcDateTime
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# The registry of commune-level units (tenants): intake owns it and is the only writer of the
# compacted tenants topic (docs/tenants.md). `config` holds the rest of the configuration (JSON);
# `revision` increases with every real change and is the TenantConfigured revision.
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
    Column("province_code", String(8), nullable=False, server_default="14"),
    Column("unit_code", String(20), nullable=True),
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("merged_into", String(64), nullable=True),
    Index("ix_tenants_agency_code", "agency_code"),  # no two units share an agency code
)

# Mergers recorded with a future effective date (issue 17): applied by the `timers` role on
# that date, never before; `command` is the MergeTenants as JSON.
scheduled_mergers = Table(
    "scheduled_mergers",
    metadata,
    Column("merger_id", String(36), primary_key=True),
    Column("target", String(64), nullable=False),
    Column("command", Text, nullable=False),
    Column("effective_at", UtcDateTime(), nullable=False, index=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("applied_at", UtcDateTime(), nullable=True),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),  # the receiving desk
    # Since 2025 any desk of the province receives; the resolving unit may be another commune.
    Column("resolving_tenant_id", String(64), nullable=True),
    Column("code", String(80), nullable=False, unique=True),
    Column("procedure_code", String(20), nullable=False),
    Column("procedure_version", String(40), nullable=False),
    Column("field_code", String(40), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("status", String(30), nullable=False),
    Column("version", Integer, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("verification_required", Boolean, nullable=False, server_default="0"),
    # The commune's own shorter promise at receipt (tenant config), in working days.
    Column("promised_working_days", Float, nullable=True),
    Column("accepted_at", UtcDateTime(), nullable=True),
    Column("supplements_requested", Integer, nullable=False, server_default="0"),
    Column("missing_items", Text, nullable=True),  # JSON list
    Column("reason_codes", Text, nullable=True),  # JSON list: refusal or decision
    Column("reason_text", Text, nullable=True),
    Column("decision", String(10), nullable=True),
    Column("handler_unit_id", String(100), nullable=True),
    Column("handler_official_id", String(100), nullable=True),
    Column("completed_at", UtcDateTime(), nullable=True),  # result ready, refused, withdrawn
    Column("returned_at", UtcDateTime(), nullable=True),
    Column("return_method", String(10), nullable=True),
    Column("returned_to", String(200), nullable=True),
    Column("apology_new_due_at", UtcDateTime(), nullable=True),
    # The leader's reason of the apology (Form 04) and workflow's aggregate version of the
    # ApologyIssued event applied: a stale or duplicate event is ignored.
    Column("apology_reason_vi", Text, nullable=True),
    Column("apology_clock_version", Integer, nullable=True),
    Column("rated", Boolean, nullable=False, server_default="0"),
    Column("documents", Text, nullable=False, server_default="[]"),  # JSON checklist
    # Personal data stays in intake; events never carry it, logs never show it.
    Column("applicant_name", String(200), nullable=False),
    Column("applicant_name_folded", String(200), nullable=False, server_default=""),
    Column("applicant_id_number", String(12), nullable=False),
    Column("applicant_dob", Date, nullable=True),
    Column("applicant_phone", String(20), nullable=False),
    Column("applicant_email", String(200), nullable=True),
    Column("applicant_address", String(500), nullable=True),
    # The citizen's link: token = HMAC(secret, nonce); only its hash is searchable.
    Column("lookup_nonce", String(64), nullable=True),
    Column("lookup_hash", String(64), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=True),
    Index("ix_dossiers_tenant_received", "tenant_id", "received_at", "dossier_id"),
    Index("ix_dossiers_tenant_status", "tenant_id", "status"),
    Index("ix_dossiers_tenant_due", "tenant_id", "due_at"),
    Index("ix_dossiers_resolving_status", "resolving_tenant_id", "status"),
    Index("uq_dossiers_lookup_hash", "lookup_hash", unique=True),
)

# The control sheet: one row per step and hand-over (Form 05 / Form 06).
dossier_steps = Table(
    "dossier_steps",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("action", String(30), nullable=False),
    Column("status_after", String(30), nullable=False),
    Column("sender", String(100), nullable=True),
    Column("receiver", String(100), nullable=True),
    Column("step_key", String(40), nullable=True),
    Column("note", Text, nullable=True),
    Column("timeliness", String(10), nullable=True),  # early | on_time | late
)

# Who changed what, when, old and new values (no personal data in values).
dossier_audit = Table(
    "dossier_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dossier_id", String(36), nullable=False, index=True),
    Column("tenant_id", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("field", String(40), nullable=False),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
)

satisfaction_ratings = Table(
    "satisfaction_ratings",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("rated_at", UtcDateTime(), nullable=False),
    Column("level", String(20), nullable=False),
    Column("source", String(10), nullable=False),
    Column("criteria", Text, nullable=False, server_default="{}"),
    Column("comment", Text, nullable=True),
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

# Wrong phone digits per dossier code on the public look-up (code + last four digits), shared
# by every replica. Times are epoch seconds: compared in SQL the same way on SQLite and
# PostgreSQL. `failures` counts attempts reserved since `window_started`; the look-up by code
# is refused until `locked_until`.
lookup_attempts = Table(
    "lookup_attempts",
    metadata,
    Column("code", String(80), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started", Float, nullable=False),
    Column("locked_until", Float, nullable=True),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

# The hand-over ceremony of a birth or marriage certificate, as the desk proposed it.
# `revision` counts the schedules the family was told of (1 when first set).
ceremonies = Table(
    "ceremonies",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("ceremony_at", UtcDateTime(), nullable=False),
    Column("place_vi", String(200), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(100), nullable=False),
)
