"""integer counters

Revision ID: 5b1e2c7d9a40
Revises: 3c54acbd0420

Counts in the daily and monthly rollups as integer, sums of seconds and points stay bigint.
Rows 40 % narrower (less to write per batch), and sum() over integer adds in 64-bit
integers where sum() over bigint adds in numeric. SQLite stores integers the same either way.
"""

from alembic import op

revision = '5b1e2c7d9a40'
down_revision = '3c54acbd0420'
branch_labels = None
depends_on = None

_SUMS = ("processing_seconds_sum", "evaluation_points_sum")
_COUNTS = (
    "received", "received_online", "resolved_early", "resolved_on_time", "resolved_late",
    "processing_count", "supplements", "refusals", "withdrawals", "apologies",
    "apologies_late", "returned", "returned_online", "rated_khong_hai_long", "rated_hai_long",
    "rated_rat_hai_long", "evaluation_count", "open_delta", "overdue_delta",
    *(f"processing_h{i:02d}" for i in range(20)),
)


def _retype(kind: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("daily_indicators", "monthly_indicators"):
        columns = ", ".join(f"ALTER COLUMN {c} TYPE {kind}" for c in _COUNTS)
        op.execute(f"ALTER TABLE {table} {columns}")  # one rewrite per table


def upgrade() -> None:
    _retype("integer")


def downgrade() -> None:
    _retype("bigint")
