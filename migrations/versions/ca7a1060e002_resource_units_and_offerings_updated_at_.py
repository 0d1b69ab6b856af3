"""resource units and offerings: updated_at (the county catalogue shows each unit's last change)

Revision ID: ca7a1060e002
Revises: 3a7c41a90003
Create Date: 2026-11-30 02:35:34.886000

Existing rows take their creation time as their last change; the column is then made NOT NULL.
"""
from alembic import op
import sqlalchemy as sa
import jlt_family.core.db_types


# revision identifiers, used by Alembic.
revision = 'ca7a1060e002'
down_revision = '3a7c41a90003'
branch_labels = None
depends_on = None

TABLES = ('resource_unit', 'venue_offering')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('updated_at', jlt_family.core.db_types.UTCDateTime(), nullable=True))
        op.execute(sa.text(f'UPDATE {table} SET updated_at = created_at'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('updated_at', existing_type=jlt_family.core.db_types.UTCDateTime(),
                                  nullable=False)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('updated_at')
