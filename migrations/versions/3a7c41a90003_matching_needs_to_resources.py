"""matching: needs (需求清单), accepted matches and the group bookings they produced

Revision ID: 3a7c41a90003
Revises: 10243e4eecf7
Create Date: 2026-11-30 02:38:16.179975

"""
from alembic import op
import sqlalchemy as sa
import jlt_family.core.db_types


# revision identifiers, used by Alembic.
revision = '3a7c41a90003'
down_revision = '10243e4eecf7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('matching_need',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.Enum('science', 'patriotic', 'history_culture', 'arts', 'sports', 'reading', 'safety', 'health', 'labour', 'parent_education', name='need_topic', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('course_category', sa.Enum('admission', 'school_adaptation', 'mental_health', 'holiday_life', 'safety', 'family_education_law', 'internet_literacy', 'parent_child_communication', 'other', name='course_category', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('grade_min', sa.SmallInteger(), nullable=False),
    sa.Column('grade_max', sa.SmallInteger(), nullable=False),
    sa.Column('headcount', sa.SmallInteger(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('period_label', sa.String(length=40), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.Enum('open', 'matched', 'closed', 'withdrawn', name='need_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.Column('withdrawn_at', jlt_family.core.db_types.UTCDateTime(), nullable=True),
    sa.CheckConstraint("(topic = 'parent_education') = (course_category IS NOT NULL)", name=op.f('ck_matching_need_category_for_topic')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_matching_need_period_order')),
    sa.CheckConstraint('grade_min BETWEEN -3 AND 12 AND grade_max BETWEEN -3 AND 12 AND grade_min <= grade_max', name=op.f('ck_matching_need_grade_range')),
    sa.CheckConstraint('headcount BETWEEN 1 AND 2000', name=op.f('ck_matching_need_headcount_range')),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_matching_need_class_id_school_class')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['user.id'], name=op.f('fk_matching_need_posted_by_id_user')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_matching_need_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_need'))
    )
    with op.batch_alter_table('matching_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_need_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matching_need_posted_by_id'), ['posted_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matching_need_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matching_need_status'), ['status'], unique=False)

    op.create_table('matching_need_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('venue', 'course', name='match_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('resource_unit_id', sa.Integer(), nullable=True),
    sa.Column('offering_id', sa.Integer(), nullable=True),
    sa.Column('provider_kind', sa.Enum('school', 'alliance', 'community', 'region', name='provider_kind', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('limits', sa.JSON(), nullable=False),
    sa.Column('accepted_by_id', sa.Integer(), nullable=False),
    sa.Column('accepted_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.Column('active_key', sa.SmallInteger(), nullable=True),
    sa.Column('released_at', jlt_family.core.db_types.UTCDateTime(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('rated_by_id', sa.Integer(), nullable=True),
    sa.Column('rated_at', jlt_family.core.db_types.UTCDateTime(), nullable=True),
    sa.CheckConstraint("(kind = 'venue' AND resource_unit_id IS NOT NULL AND offering_id IS NOT NULL) OR (kind = 'course' AND provider_kind IS NOT NULL AND provider_id IS NOT NULL)", name=op.f('ck_matching_need_match_kind_subject')),
    sa.CheckConstraint('active_key IS NULL OR active_key = 1', name=op.f('ck_matching_need_match_active_key_one')),
    sa.CheckConstraint('rating IS NULL OR (rating BETWEEN 1 AND 5)', name=op.f('ck_matching_need_match_rating_range')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user.id'], name=op.f('fk_matching_need_match_accepted_by_id_user')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_matching_need_match_course_id_course')),
    sa.ForeignKeyConstraint(['need_id'], ['matching_need.id'], name=op.f('fk_matching_need_match_need_id_matching_need')),
    sa.ForeignKeyConstraint(['offering_id'], ['venue_offering.id'], name=op.f('fk_matching_need_match_offering_id_venue_offering')),
    sa.ForeignKeyConstraint(['rated_by_id'], ['user.id'], name=op.f('fk_matching_need_match_rated_by_id_user')),
    sa.ForeignKeyConstraint(['resource_unit_id'], ['resource_unit.id'], name=op.f('fk_matching_need_match_resource_unit_id_resource_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_need_match')),
    sa.UniqueConstraint('course_id', name=op.f('uq_matching_need_match_course_id')),
    sa.UniqueConstraint('need_id', 'active_key', name='uq_matching_need_match_active')
    )
    with op.batch_alter_table('matching_need_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_need_match_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matching_need_match_resource_unit_id'), ['resource_unit_id'], unique=False)

    op.create_table('matching_need_match_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['venue_booking.id'], name=op.f('fk_matching_need_match_booking_booking_id_venue_booking')),
    sa.ForeignKeyConstraint(['match_id'], ['matching_need_match.id'], name=op.f('fk_matching_need_match_booking_match_id_matching_need_match'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_need_match_booking')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_matching_need_match_booking_booking_id'))
    )
    with op.batch_alter_table('matching_need_match_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_need_match_booking_match_id'), ['match_id'], unique=False)



def downgrade():
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key still needs).
    op.drop_table('matching_need_match_booking')
    op.drop_table('matching_need_match')
    op.drop_table('matching_need')
