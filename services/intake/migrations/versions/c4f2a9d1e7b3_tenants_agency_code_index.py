"""tenants: index on agency_code (onboarding checks that no other unit uses it)

Revision ID: c4f2a9d1e7b3
Revises: b3e1f0a2c4d5
"""

from alembic import op

revision = 'c4f2a9d1e7b3'
down_revision = 'b3e1f0a2c4d5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.create_index('ix_tenants_agency_code', ['agency_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_index('ix_tenants_agency_code')
