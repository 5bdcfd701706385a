"""monitoring projections: facts, daily indicators, tenants

Revision ID: e7edfa260794
Revises: 1930fbb73cfb
"""

import sqlalchemy as sa
from alembic import op


revision = 'e7edfa260794'
down_revision = '1930fbb73cfb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('daily_indicators',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('procedure_code', sa.String(length=20), nullable=False),
    sa.Column('field_code', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('received', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('received_online', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('resolved_early', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('resolved_on_time', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('resolved_late', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('processing_seconds_sum', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('processing_count', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('supplements', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('refusals', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('withdrawals', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('apologies', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('apologies_late', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('returned', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('returned_online', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('rated_khong_hai_long', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('rated_hai_long', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('rated_rat_hai_long', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('evaluation_points_sum', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('evaluation_count', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'procedure_code', 'field_code', 'day')
    )
    with op.batch_alter_table('daily_indicators', schema=None) as batch_op:
        batch_op.create_index('ix_daily_indicators_day', ['day', 'tenant_id'], unique=False)

    op.create_table('dossier_facts',
    sa.Column('dossier_id', sa.String(length=64), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('dossier_code', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('clock_version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolving_tenant_id', sa.String(length=64), nullable=True),
    sa.Column('receiving_tenant_id', sa.String(length=64), nullable=True),
    sa.Column('procedure_code', sa.String(length=20), nullable=True),
    sa.Column('field_code', sa.String(length=40), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_from_clock', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('due_version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rescheduled_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supplement_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supplement_received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('clock_outcome', sa.String(length=20), nullable=True),
    sa.Column('clock_elapsed_seconds', sa.Integer(), nullable=True),
    sa.Column('processing_seconds', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_online', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('apology_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('apology_late', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('at_risk_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating_level', sa.String(length=20), nullable=True),
    sa.Column('rating_points', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('dossier_id')
    )
    with op.batch_alter_table('dossier_facts', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_facts_completed', ['resolving_tenant_id', 'completed_at'], unique=False, postgresql_include=['processing_seconds'])
        batch_op.create_index('ix_dossier_facts_completed_at', ['completed_at'], unique=False, postgresql_include=['processing_seconds', 'resolving_tenant_id', 'procedure_code'])
        batch_op.create_index('ix_dossier_facts_open', ['resolving_tenant_id', 'due_at'], unique=False, postgresql_where=sa.text('completed_at IS NULL AND refused_at IS NULL AND withdrawn_at IS NULL'), sqlite_where=sa.text('completed_at IS NULL AND refused_at IS NULL AND withdrawn_at IS NULL'))

    op.create_table('projection_state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('tenants',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('name_vi', sa.String(length=200), nullable=False),
    sa.Column('unit_type', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cohorts', sa.Text(), server_default='', nullable=False),
    sa.Column('merged_into', sa.String(length=64), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    op.drop_table('daily_received')
    


def downgrade() -> None:
    
    op.create_table('daily_received',
    sa.Column('tenant_id', sa.VARCHAR(length=64), nullable=False),
    sa.Column('day', sa.DATE(), nullable=False),
    sa.Column('procedure_code', sa.VARCHAR(length=20), nullable=False),
    sa.Column('channel', sa.VARCHAR(length=10), nullable=False),
    sa.Column('field_code', sa.VARCHAR(length=40), nullable=False),
    sa.Column('received', sa.INTEGER(), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'day', 'procedure_code', 'channel')
    )
    op.drop_table('tenants')
    op.drop_table('projection_state')
    with op.batch_alter_table('dossier_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_facts_open', postgresql_where=sa.text('completed_at IS NULL AND refused_at IS NULL AND withdrawn_at IS NULL'), sqlite_where=sa.text('completed_at IS NULL AND refused_at IS NULL AND withdrawn_at IS NULL'))
        batch_op.drop_index('ix_dossier_facts_completed_at')
        batch_op.drop_index('ix_dossier_facts_completed')

    op.drop_table('dossier_facts')
    with op.batch_alter_table('daily_indicators', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_indicators_day')

    op.drop_table('daily_indicators')
    
