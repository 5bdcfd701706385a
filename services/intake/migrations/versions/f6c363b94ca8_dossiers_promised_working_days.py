"""dossiers: the commune's own shorter promised time, fixed at receipt (issue 15)

Revision ID: f6c363b94ca8
Revises: a98b49f90fe3
"""

import sqlalchemy as sa
from alembic import op

revision = 'f6c363b94ca8'
down_revision = "a98b49f90fe3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promised_working_days', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('promised_working_days')
