"""Workflow's own tables. Only workflow's migrations touch them."""

from motcua_platform.messaging.tables import BigId, inbox_table, outbox_table
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
    text,
)

metadata = MetaData()

# One row per dossier: the clock facts (ClockState JSON) plus the columns worklists query.
dossier_clocks = Table(
    "dossier_clocks",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("dossier_code", String(80), nullable=False),
    Column("procedure_code", String(20), nullable=False),
    Column("procedure_version", String(40), nullable=False),
    Column("state", String(20), nullable=False),  # running | paused | outcome when closed
    Column("received_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False, index=True),
    Column("last_version", Integer, nullable=False),  # intake's aggregate version seen
    Column("resolving_tenant_id", String(64), nullable=True),
    Column("channel", String(10), nullable=False, server_default="counter"),
    Column("original_due_at", UtcDateTime(), nullable=True),
    Column("at_risk_at", UtcDateTime(), nullable=True),
    Column("is_open", Boolean, nullable=False, server_default=text("true")),
    Column("outcome", String(20), nullable=True),
    Column("closed_at", UtcDateTime(), nullable=True),
    Column("holder_id", String(100), nullable=True),
    Column("holder_unit_id", String(100), nullable=True),
    Column("step_key", String(40), nullable=True),
    Column("step_due_at", UtcDateTime(), nullable=True),
    Column("apology_issued_at", UtcDateTime(), nullable=True),
    Column("seq", Integer, nullable=False, server_default="0"),  # workflow's own version
    Column("clock_state", Text, nullable=True),
    Column("updated_at", UtcDateTime(), nullable=True),
    # Units whose calendars count the time after a merger (domain/calendar_plan.py); NULL:
    # the resolving unit's alone.
    Column("calendar_plan", Text, nullable=True),
    Index(
        "ix_dossier_clocks_open_due",
        "tenant_id",
        "due_at",
        "dossier_id",
        postgresql_where=text("is_open"),
        sqlite_where=text("is_open"),
    ),
    # The resolving unit's worklists and recomputes (cross-commune dossiers, mergers).
    Index(
        "ix_dossier_clocks_open_resolving",
        "resolving_tenant_id",
        "due_at",
        "dossier_id",
        postgresql_where=text("is_open"),
        sqlite_where=text("is_open"),
    ),
    Index(
        "ix_dossier_clocks_open_planned",
        "dossier_id",
        postgresql_where=text("is_open AND calendar_plan IS NOT NULL"),
        sqlite_where=text("is_open AND calendar_plan IS NOT NULL"),
    ),
    Index(
        "ix_dossier_clocks_open_holder",
        "holder_id",
        "due_at",
        postgresql_where=text("is_open"),
        sqlite_where=text("is_open"),
    ),
)

# Every clock fact applied, keyed by the event it came from (history, and facts that
# arrive before the dossier itself during a replay).
clock_events = Table(
    "clock_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("dossier_id", String(36), nullable=False, index=True),
    Column("source_event_id", String(64), nullable=False, unique=True),
    Column("kind", String(30), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("new_due_at", UtcDateTime(), nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

# Durable timers. A row fires once: fired_at is set in the transaction that writes its event.
timers = Table(
    "timers",
    metadata,
    Column("timer_id", BigId, primary_key=True, autoincrement=True),
    Column("subject_id", String(80), nullable=False),  # dossier id, or "tenant:<id>"
    Column("timer_key", String(120), nullable=False),
    Column("tenant_id", String(64), nullable=False),
    Column("dossier_id", String(36), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("fired_at", UtcDateTime(), nullable=True),
    Column("generation", Integer, nullable=False, server_default="1"),
    Column("detail", Text, nullable=False, server_default="{}"),
    UniqueConstraint("subject_id", "timer_key", name="uq_timers_subject_key"),
    Index(
        "ix_timers_due",
        "due_at",
        postgresql_where=text("fired_at IS NULL"),
        sqlite_where=text("fired_at IS NULL"),
    ),
)

# Latest TenantConfigured per commune (replaced, never merged); NULL config: defaults.
wf_tenants = Table(
    "wf_tenants",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("config", Text, nullable=True),
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("leader_id", String(100), nullable=True),
    Column("escalate_after_hours", Float, nullable=False, server_default="4"),
    Column("digest_time", String(5), nullable=False, server_default="07:30"),
    Column("updated_at", UtcDateTime(), nullable=False),
)

escalations = Table(
    "escalations",
    metadata,
    Column("escalation_id", String(36), primary_key=True),
    Column("dossier_id", String(36), nullable=False, index=True),
    Column("tenant_id", String(64), nullable=False),
    Column("dossier_code", String(80), nullable=False),
    Column("reason", String(10), nullable=False),
    Column("level", Integer, nullable=False),
    Column("to_official_id", String(100), nullable=True),
    Column("raised_at", UtcDateTime(), nullable=False),
    Column("raise_up_at", UtcDateTime(), nullable=True),
    Column("acknowledged_at", UtcDateTime(), nullable=True),
    Column("acknowledged_by", String(100), nullable=True),
    Index("ix_escalations_tenant_open", "tenant_id", "raised_at"),
)

# The apology notice (Form 04); the reason text is typed by an official and stays here.
apologies = Table(
    "apologies",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("issued_by", String(100), nullable=False),
    Column("reason_code", String(20), nullable=False),
    Column("reason_vi", Text, nullable=True),  # absent when rebuilt from events
    Column("old_due_at", UtcDateTime(), nullable=False),
    Column("new_due_at", UtcDateTime(), nullable=False),
    Column("late", Boolean, nullable=False),
)

calendar_changes = Table(
    "calendar_changes",
    metadata,
    Column("change_id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("day", Date, nullable=False),
    Column("day_kind", String(20), nullable=False),
    Column("name_vi", String(200), nullable=False, server_default=""),
    Column("source", String(300), nullable=False, server_default=""),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

# Resumable recomputations: each batch commits its moves with the cursor.
recompute_jobs = Table(
    "recompute_jobs",
    metadata,
    Column("job_id", String(100), primary_key=True),
    Column("cause", String(20), nullable=False),  # calendar | procedure
    Column("tenant_id", String(64), nullable=True),
    Column("days", Text, nullable=True),  # JSON list of ISO dates; NULL: any day
    Column("procedure_code", String(20), nullable=True),
    Column("procedure_version", String(40), nullable=True),
    Column("cursor", String(36), nullable=False, server_default=""),
    Column("moved", Integer, nullable=False, server_default="0"),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("done_at", UtcDateTime(), nullable=True),
)

catalogue_fingerprints = Table(
    "catalogue_fingerprints",
    metadata,
    Column("procedure_code", String(20), primary_key=True),
    Column("procedure_version", String(40), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("seen_at", UtcDateTime(), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
