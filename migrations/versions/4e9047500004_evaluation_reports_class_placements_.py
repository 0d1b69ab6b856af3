"""evaluation reports: class placements (分班记录), venue feedback (场馆评价), an index for bookings per school

Existing students get one open placement in their current class, from the first day of the class's school year
(1 September; a region's own calendar is not evaluated here) or today if that is earlier.

Revision ID: 4e9047500004
Revises: 10243e4eecf7
Create Date: 2026-11-30 02:39:41.149995

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

import jlt_family.core.db_types


# revision identifiers, used by Alembic.
revision = '4e9047500004'
down_revision = '10243e4eecf7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('student_class_placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('open_key', sa.SmallInteger(), nullable=True),
    sa.Column('created_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(to_date IS NULL) = (open_key IS NOT NULL)', name=op.f('ck_student_class_placement_open_key_matches_to_date')),
    sa.CheckConstraint('to_date IS NULL OR to_date >= from_date', name=op.f('ck_student_class_placement_period_order')),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_student_class_placement_class_id_school_class')),
    sa.ForeignKeyConstraint(['student_id'], ['student.id'], name=op.f('fk_student_class_placement_student_id_student'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_class_placement')),
    sa.UniqueConstraint('student_id', 'open_key', name='uq_student_class_placement_open')
    )
    with op.batch_alter_table('student_class_placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_class_placement_class_id'), ['class_id'], unique=False)
        batch_op.create_index('ix_student_class_placement_student', ['student_id', 'from_date'], unique=False)

    op.create_table('venue_feedback',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('booking_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('resource_unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_venue_feedback_rating_range')),
    sa.ForeignKeyConstraint(['booking_id'], ['venue_booking.id'], name=op.f('fk_venue_feedback_booking_id_venue_booking'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_unit_id'], ['resource_unit.id'], name=op.f('fk_venue_feedback_resource_unit_id_resource_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_venue_feedback_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venue_feedback')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_venue_feedback_booking_id'))
    )
    with op.batch_alter_table('venue_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_venue_feedback_unit_created', ['resource_unit_id', 'created_at'], unique=False)

    with op.batch_alter_table('venue_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venue_booking_school_id'), ['school_id'], unique=False)

    _backfill_placements()


def _backfill_placements():
    """One open placement per student who has a class."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT student.id, school_class.id, school_class.school_year FROM student"
        " JOIN school_class ON school_class.id = student.class_id"
    )).all()
    if not rows:
        return
    today = dt.datetime.now(dt.UTC).date()
    placement = sa.table("student_class_placement", sa.column("student_id"), sa.column("class_id"),
                         sa.column("from_date"), sa.column("to_date"), sa.column("open_key"),
                         sa.column("created_at"))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    op.bulk_insert(placement, [
        {"student_id": student_id, "class_id": class_id, "from_date": min(today, dt.date(year, 9, 1)),
         "to_date": None, "open_key": 1, "created_at": now}
        for student_id, class_id, year in rows
    ])


def downgrade():
    # MySQL/MariaDB let the foreign key on school_id use the new index (and dropped their own): take the key off
    # while the index goes, and put it back (it gets its own index again).
    mysql = op.get_bind().dialect.name == "mysql"
    if mysql:
        op.drop_constraint('fk_venue_booking_school_id_school', 'venue_booking', type_='foreignkey')
    with op.batch_alter_table('venue_booking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venue_booking_school_id'))
    if mysql:
        op.create_foreign_key('fk_venue_booking_school_id_school', 'venue_booking', 'school', ['school_id'], ['id'])

    op.drop_table('venue_feedback')  # with its indexes (MySQL keeps some for its foreign keys)
    op.drop_table('student_class_placement')
