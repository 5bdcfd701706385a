"""dossier lifecycle, control sheet, audit, ratings

Revision ID: 7c9d6029fb12
Revises: 1a1991ab882a
"""

import sqlalchemy as sa
from alembic import op


revision = '7c9d6029fb12'
down_revision = '1a1991ab882a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dossier_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dossier_id', sa.String(length=36), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dossier_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_audit_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('dossier_steps',
    sa.Column('dossier_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('status_after', sa.String(length=30), nullable=False),
    sa.Column('sender', sa.String(length=100), nullable=True),
    sa.Column('receiver', sa.String(length=100), nullable=True),
    sa.Column('step_key', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('timeliness', sa.String(length=10), nullable=True),
    sa.PrimaryKeyConstraint('dossier_id', 'seq')
    )
    op.create_table('satisfaction_ratings',
    sa.Column('dossier_id', sa.String(length=36), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('criteria', sa.Text(), server_default='{}', nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('dossier_id')
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_required', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('supplements_requested', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('missing_items', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reason_codes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reason_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('decision', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('handler_unit_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('handler_official_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_method', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('returned_to', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('apology_new_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rated', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('documents', sa.Text(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('applicant_name_folded', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('applicant_dob', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('applicant_address', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('lookup_nonce', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lookup_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_dossiers_tenant_due', ['tenant_id', 'due_at'], unique=False)
        batch_op.create_index('ix_dossiers_tenant_received', ['tenant_id', 'received_at', 'dossier_id'], unique=False)
        batch_op.create_index('ix_dossiers_tenant_status', ['tenant_id', 'status'], unique=False)
        batch_op.create_index('uq_dossiers_lookup_hash', ['lookup_hash'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('uq_dossiers_lookup_hash')
        batch_op.drop_index('ix_dossiers_tenant_status')
        batch_op.drop_index('ix_dossiers_tenant_received')
        batch_op.drop_index('ix_dossiers_tenant_due')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('lookup_hash')
        batch_op.drop_column('lookup_nonce')
        batch_op.drop_column('applicant_address')
        batch_op.drop_column('applicant_dob')
        batch_op.drop_column('applicant_name_folded')
        batch_op.drop_column('documents')
        batch_op.drop_column('rated')
        batch_op.drop_column('apology_new_due_at')
        batch_op.drop_column('returned_to')
        batch_op.drop_column('return_method')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('completed_at')
        batch_op.drop_column('handler_official_id')
        batch_op.drop_column('handler_unit_id')
        batch_op.drop_column('decision')
        batch_op.drop_column('reason_text')
        batch_op.drop_column('reason_codes')
        batch_op.drop_column('missing_items')
        batch_op.drop_column('supplements_requested')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('verification_required')

    op.drop_table('satisfaction_ratings')
    op.drop_table('dossier_steps')
    with op.batch_alter_table('dossier_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_audit_dossier_id'))

    op.drop_table('dossier_audit')
