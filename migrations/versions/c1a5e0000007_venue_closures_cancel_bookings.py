"""venue closures cancel the bookings they cover: booking status cancelled_by_venue and the closure that did it

Revision ID: c1a5e0000007
Revises: be4c40000006
Create Date: 2026-12-04 19:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c1a5e0000007'
down_revision = 'be4c40000006'
branch_labels = None
depends_on = None

_OLD_STATUSES = ("pending", "confirmed", "rejected", "cancelled", "expired", "checked_in", "no_show")
_NEW_STATUSES = ("pending", "confirmed", "rejected", "cancelled", "cancelled_by_venue", "expired", "checked_in",
                 "no_show")


def _status_type(values):
    return sa.Enum(*values, name="booking_status", native_enum=False, create_constraint=True,
                   length=max(len(value) for value in values))


def _change_statuses(old, new):
    """SQLite rebuilds the table with the new CHECK; MySQL/MariaDB need the old one dropped first."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_venue_booking_booking_status"), "venue_booking", type_="check")
    with op.batch_alter_table("venue_booking", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=_status_type(old), type_=_status_type(new),
                              existing_nullable=False)


def upgrade():
    with op.batch_alter_table('venue_booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closure_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_venue_booking_closure_id'), ['closure_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_venue_booking_closure_id_venue_closure'), 'venue_closure',
                                    ['closure_id'], ['id'], ondelete='SET NULL')
    _change_statuses(_OLD_STATUSES, _NEW_STATUSES)


def downgrade():
    # A booking the venue cancelled is, in the old statuses, simply cancelled (its reason says why).
    op.execute("UPDATE venue_booking SET status = 'cancelled' WHERE status = 'cancelled_by_venue'")
    _change_statuses(_NEW_STATUSES, _OLD_STATUSES)
    with op.batch_alter_table('venue_booking', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_venue_booking_closure_id_venue_closure'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_venue_booking_closure_id'))
        batch_op.drop_column('closure_id')
