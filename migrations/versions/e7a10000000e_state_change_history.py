"""state_change: the history of every aggregate's state changes (who, when, from, to, why)

Revision ID: e7a10000000e
Revises: d2b6f0000008
Create Date: 2026-12-04 22:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

import jlt_family.core.db_types


# revision identifiers, used by Alembic.
revision = 'e7a10000000e'
down_revision = 'd2b6f0000008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('state_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('aggregate', sa.String(length=40), nullable=False),
    sa.Column('aggregate_id', sa.BigInteger(), nullable=False),
    sa.Column('from_state', sa.String(length=40), nullable=True),
    sa.Column('to_state', sa.String(length=40), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user.id'], name=op.f('fk_state_change_actor_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_change'))
    )
    op.create_index('ix_state_change_aggregate', 'state_change', ['aggregate', 'aggregate_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_state_change_aggregate', table_name='state_change')
    op.drop_table('state_change')
