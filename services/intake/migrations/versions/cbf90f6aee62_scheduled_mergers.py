"""scheduled mergers: a merger with a future effective date waits for it (issue 17)

Revision ID: cbf90f6aee62
Revises: 4ae65140223c
"""

import sqlalchemy as sa
from alembic import op
from motcua_platform.sqltypes import UtcDateTime

revision = 'cbf90f6aee62'
down_revision = "4ae65140223c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scheduled_mergers',
        sa.Column('merger_id', sa.String(length=36), nullable=False),
        sa.Column('target', sa.String(length=64), nullable=False),
        sa.Column('command', sa.Text(), nullable=False),
        sa.Column('effective_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('recorded_by', sa.String(length=200), nullable=False),
        sa.Column('applied_at', UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('merger_id'),
    )
    with op.batch_alter_table('scheduled_mergers', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_scheduled_mergers_effective_at'), ['effective_at'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('scheduled_mergers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduled_mergers_effective_at'))
    op.drop_table('scheduled_mergers')
