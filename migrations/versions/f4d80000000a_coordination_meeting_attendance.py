"""coordination meeting attendance: the representatives of families, communities and resource units who attended
a 教联体工作协调会 (one row per session of an alliance_meeting course)

Revision ID: f4d80000000a
Revises: c1a5e0000007
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa

import jlt_family.core.db_types


# revision identifiers, used by Alembic.
revision = 'f4d80000000a'
down_revision = 'c1a5e0000007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_attendance',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('families', sa.SmallInteger(), nullable=False),
    sa.Column('community', sa.SmallInteger(), nullable=False),
    sa.Column('resource_units', sa.SmallInteger(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', jlt_family.core.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_meeting_attendance_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['session_id'], ['course_session.id'], name=op.f('fk_meeting_attendance_session_id_course_session')),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_meeting_attendance'))
    )


def downgrade():
    op.drop_table('meeting_attendance')
