"""Analytics' projections. No personal data: no names, ID numbers, contacts or free text.

`dossier_facts` is keyed by dossier id and holds codes, moments and flags only;
`daily_indicators` sums them per commune × procedure × field × Vietnamese day.
"""

from motcua_platform.messaging.tables import inbox_table
from motcua_platform.sqltypes import UtcDateTime
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from analytics.domain.contributions import COUNTERS

metadata = MetaData()


# Sums of seconds and points may outgrow 32 bits over a month; counts never will, and
# integer columns keep the wide rows narrower and their sums in 64-bit integers.
_BIG = frozenset({"processing_seconds_sum", "evaluation_points_sum"})


def _counter_columns() -> list[Column[int]]:
    return [
        Column(name, BigInteger if name in _BIG else Integer, nullable=False, server_default="0")
        for name in COUNTERS
    ]


daily_indicators = Table(
    "daily_indicators",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("procedure_code", String(20), primary_key=True),
    Column("field_code", String(40), primary_key=True),
    Column("day", Date, primary_key=True),
    *_counter_columns(),
    # Periods across all communes read by day first.
    Index("ix_daily_indicators_day", "day", "tenant_id"),
)

# The same counters per calendar month (first day of the month): a period reads whole months
# here and only its partial first and last months from `daily_indicators`.
monthly_indicators = Table(
    "monthly_indicators",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("procedure_code", String(20), primary_key=True),
    Column("field_code", String(40), primary_key=True),
    Column("month", Date, primary_key=True),
    *_counter_columns(),
    Index("ix_monthly_indicators_month", "month", "tenant_id"),
    # "Open / overdue at the end of a past day" sums every earlier month's running counters:
    # an index-only scan of narrow entries instead of the wide rows.
    Index(
        "ix_monthly_indicators_running",
        "month",
        postgresql_include=[
            "tenant_id",
            "procedure_code",
            "field_code",
            "open_delta",
            "overdue_delta",
        ],
    ),
)

# Kafka offsets applied to the projections, written in the projection's own transaction:
# a batch seen again after a crash (before Kafka's commit) is skipped, not re-applied.
consumer_offsets = Table(
    "consumer_offsets",
    metadata,
    Column("group_id", String(200), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
)

_OPEN = "completed_at IS NULL AND refused_at IS NULL AND withdrawn_at IS NULL"

dossier_facts = Table(
    "dossier_facts",
    metadata,
    Column("dossier_id", String(64), primary_key=True),
    Column("tenant_id", String(64), nullable=True),
    Column("dossier_code", String(64), nullable=True),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("clock_version", Integer, nullable=False, server_default="0"),
    Column("resolving_tenant_id", String(64), nullable=True),
    Column("receiving_tenant_id", String(64), nullable=True),
    Column("procedure_code", String(20), nullable=True),
    Column("field_code", String(40), nullable=True),
    Column("channel", String(10), nullable=True),
    Column("received_at", UtcDateTime(), nullable=True),
    Column("due_at", UtcDateTime(), nullable=True),
    Column("due_from_clock", Boolean, nullable=False, server_default=text("false")),
    Column("due_version", Integer, nullable=False, server_default="0"),
    Column("rescheduled_due_at", UtcDateTime(), nullable=True),
    Column("supplement_requested_at", UtcDateTime(), nullable=True),
    Column("supplement_received_at", UtcDateTime(), nullable=True),
    Column("refused_at", UtcDateTime(), nullable=True),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
    Column("completed_at", UtcDateTime(), nullable=True),
    Column("decision", String(10), nullable=True),
    Column("clock_outcome", String(20), nullable=True),
    Column("clock_elapsed_seconds", Integer, nullable=True),
    Column("processing_seconds", Integer, nullable=True),
    Column("returned_at", UtcDateTime(), nullable=True),
    Column("returned_online", Boolean, nullable=False, server_default=text("false")),
    Column("apology_at", UtcDateTime(), nullable=True),
    Column("apology_late", Boolean, nullable=False, server_default=text("false")),
    Column("at_risk_at", UtcDateTime(), nullable=True),
    Column("rated_at", UtcDateTime(), nullable=True),
    Column("rating_level", String(20), nullable=True),
    Column("rating_points", Integer, nullable=True),
    Column("assignments", Text, nullable=True),  # only for dossiers moved by a merger
    # The live list and "in progress now": open dossiers only, a small share of history.
    Index(
        "ix_dossier_facts_open",
        "resolving_tenant_id",
        "due_at",
        postgresql_where=text(_OPEN),
        sqlite_where=text(_OPEN),
    ),
    # The live late list of the whole province, in due order (LIMIT without a sort).
    Index(
        "ix_dossier_facts_open_due",
        "due_at",
        "dossier_code",
        postgresql_where=text(_OPEN),
        sqlite_where=text(_OPEN),
    ),
    # Medians and "in progress at the end of a past period": per commune, and province-wide.
    Index(
        "ix_dossier_facts_completed",
        "resolving_tenant_id",
        "completed_at",
        postgresql_include=["processing_seconds"],
    ),
    Index(
        "ix_dossier_facts_completed_at",
        "completed_at",
        postgresql_include=["processing_seconds", "resolving_tenant_id", "procedure_code"],
    ),
)

tenants = Table(
    "tenants",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("name_vi", String(200), nullable=False),
    Column("unit_type", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("cohorts", Text, nullable=False, server_default=""),  # comma-separated tags
    Column("merged_into", String(64), nullable=True),
    Column("revision", Integer, nullable=False),
)

# Key-value state of the projection itself (the consumer group of the current build).
projection_state = Table(
    "projection_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

inbox = inbox_table(metadata)

PROJECTIONS = (daily_indicators, monthly_indicators, dossier_facts, tenants, consumer_offsets)
