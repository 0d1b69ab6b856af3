"""home visit coverage index: (student_id, school_year, state), so the coverage reports' per-student "visited
this school year?" test reads the index alone

Revision ID: be4c40000006
Revises: da5b0a4d0005
Create Date: 2026-11-30 02:50:08

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'be4c40000006'
down_revision = 'da5b0a4d0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.create_index('ix_home_visit_visited', ['student_id', 'school_year', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_home_visit_visited')
