"""apology new date and reason from workflow (ApologyIssued, consumed by intake)

Revision ID: 1b07e501067a
Revises: f6c363b94ca8
"""

from alembic import op
import sqlalchemy as sa


revision = '1b07e501067a'
down_revision = "f6c363b94ca8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('apology_reason_vi', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('apology_clock_version', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('apology_clock_version')
        batch_op.drop_column('apology_reason_vi')
