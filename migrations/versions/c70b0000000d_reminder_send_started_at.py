"""reminder send_started_at: the push of the current attempt began (its outcome is unknown until recorded), so
that a lease reaped mid-send is not pushed a second time

Revision ID: c70b0000000d
Revises: f4d80000000a
Create Date: 2026-12-04 19:00:00

"""
import sqlalchemy as sa
from alembic import op

from jlt_family.core.db_types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'c70b0000000d'
down_revision = 'f4d80000000a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_started_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_column('send_started_at')
