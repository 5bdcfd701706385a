"""lookup attempts per dossier code: the public look-up's lockout, shared by every replica

Revision ID: 4ae65140223c
Revises: 1b07e501067a
"""

import sqlalchemy as sa
from alembic import op

revision = "4ae65140223c"
down_revision = "1b07e501067a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lookup_attempts",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started", sa.Float(), nullable=False),
        sa.Column("locked_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("lookup_attempts")
