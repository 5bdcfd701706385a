"""Analytics' projections. No personal data is ever stored here."""

from motcua_platform.messaging.tables import inbox_table
from sqlalchemy import Column, Date, Integer, MetaData, String, Table

metadata = MetaData()

daily_received = Table(
    "daily_received",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("procedure_code", String(20), primary_key=True),
    Column("channel", String(10), primary_key=True),
    Column("field_code", String(40), nullable=False),
    Column("received", Integer, nullable=False),
)

inbox = inbox_table(metadata)
