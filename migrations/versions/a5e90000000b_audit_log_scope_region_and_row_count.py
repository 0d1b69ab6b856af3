"""audit log: the region of a scope that is no school's, and how many rows a staff read showed

Revision ID: a5e90000000b
Revises: b6fa0000000c
Create Date: 2026-12-04 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5e90000000b'
down_revision = 'b6fa0000000c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('row_count', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_region_id'), ['region_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_log_region_id_region'), 'region', ['region_id'], ['id'])


def downgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_log_region_id_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_log_region_id'))
        batch_op.drop_column('row_count')
        batch_op.drop_column('region_id')
