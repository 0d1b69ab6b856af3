"""dashboard accounts and invites

Revision ID: da5b0a4d0005
Revises: 4e9047500004
Create Date: 2026-11-30 02:37:21.130352

"""
from alembic import op
import sqlalchemy as sa
import jlt_family.core.db_types


# revision identifiers, used by Alembic.
revision = 'da5b0a4d0005'
down_revision = '4e9047500004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('login_name', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('password_changed_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.Column('created_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', jlt_family.core.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_dashboard_account_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_account')),
    sa.UniqueConstraint('login_name', name='uq_dashboard_account_login_name'),
    sa.UniqueConstraint('user_id', name='uq_dashboard_account_user_id')
    )
    op.create_table('dashboard_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.Column('used_at', jlt_family.core.db_types.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', jlt_family.core.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_dashboard_invite_created_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_dashboard_invite_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_invite')),
    sa.UniqueConstraint('token_hash', name='uq_dashboard_invite_token_hash')
    )
    with op.batch_alter_table('dashboard_invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_invite_user_id'), ['user_id'], unique=False)


def downgrade():
    # Dropping the table drops its indexes (MariaDB refuses to drop the index a foreign key still needs first).
    op.drop_table('dashboard_invite')
    op.drop_table('dashboard_account')
