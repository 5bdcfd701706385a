"""tenant registry: revisions, province, merged_into; dossiers: resolving unit

Revision ID: b3e1f0a2c4d5
Revises: 7c9d6029fb12
"""

import sqlalchemy as sa
from alembic import op


revision = 'b3e1f0a2c4d5'
down_revision = '7c9d6029fb12'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province_code', sa.String(length=8), server_default='14', nullable=False))
        batch_op.add_column(sa.Column('unit_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('merged_into', sa.String(length=64), nullable=True))
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolving_tenant_id', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_dossiers_resolving_status', ['resolving_tenant_id', 'status'], unique=False)
    # Before cross-commune intake every dossier was resolved where it was received.
    op.execute('UPDATE dossiers SET resolving_tenant_id = tenant_id WHERE resolving_tenant_id IS NULL')


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_resolving_status')
        batch_op.drop_column('resolving_tenant_id')
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('merged_into')
        batch_op.drop_column('revision')
        batch_op.drop_column('unit_code')
        batch_op.drop_column('province_code')
